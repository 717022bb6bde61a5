import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { before, describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';

/**
 * electron-builder.yml, loaded and validated exactly as `npm run dist` does it (app-builder-lib's
 * own loader and JSON-schema validator), since packaging itself cannot run on these machines.
 */
interface BuilderConfig {
  extraMetadata?: { main?: string };
  directories?: { output?: string };
  files?: unknown;
  asarUnpack?: string[];
  npmRebuild?: boolean;
  linux?: { target?: string[]; category?: string; maintainer?: string };
  mac?: { target?: string; extendInfo?: Record<string, unknown> };
  win?: { target?: string };
  [key: string]: unknown;
}
interface ConfigModule {
  getConfig(projectDir: string, configPath: string, configFromOptions: null): Promise<BuilderConfig>;
  validateConfiguration(
    config: BuilderConfig,
    debugLogger: { isEnabled: boolean; add(): void },
  ): Promise<void>;
}

const projectDir = fileURLToPath(new URL('../..', import.meta.url));
const require = createRequire(import.meta.url);
const { getConfig, validateConfiguration } =
  require('app-builder-lib/out/util/config/config.js') as ConfigModule;
const quietDebugLogger = { isEnabled: false, add: () => {} };

describe('electron-builder.yml', () => {
  let loaded: BuilderConfig;
  const load = async () => structuredClone(loaded);
  before(async () => {
    loaded = await getConfig(projectDir, `${projectDir}electron-builder.yml`, null);
  });

  it('passes electron-builder’s own schema validation', async () => {
    await validateConfiguration(await load(), quietDebugLogger);
  });

  it('the validator is real: an unknown option is refused', async () => {
    const config = { ...(await load()), notAnOption: true };
    await assert.rejects(validateConfiguration(config, quietDebugLogger), /notAnOption/);
  });

  it('starts the app from the bundled main process, keeping package.json main for the library', async () => {
    const config = await load();
    assert.equal(config.extraMetadata?.main, 'dist/electron/main.js');
    const pkg = JSON.parse(readFileSync(`${projectDir}package.json`, 'utf8')) as { main: string };
    assert.equal(pkg.main, 'dist/src/index.js');
    assert.match(readFileSync(`${projectDir}electron/build.mjs`, 'utf8'), /outfile: `\$\{out\}\/main\.js`/);
    assert.notEqual(
      config.directories?.output ?? 'dist',
      'dist',
      'installers do not land in the build folder',
    );
  });

  it('ships better-sqlite3 unpacked and rebuilt for Electron', async () => {
    const config = await load();
    assert.ok(config.asarUnpack?.includes('**/node_modules/better-sqlite3/**'));
    assert.ok(config.asarUnpack?.includes('**/*.node'));
    assert.equal(config.npmRebuild, true);
  });

  it('builds AppImage and deb, dmg with the local-network entries mDNS needs, and nsis', async () => {
    const config = await load();
    assert.deepEqual(config.linux?.target, ['AppImage', 'deb']);
    assert.ok(config.linux?.category);
    assert.match(config.linux?.maintainer ?? '', /<.+@.+>/);
    assert.equal(config.mac?.target, 'dmg');
    assert.ok(String(config.mac?.extendInfo?.NSLocalNetworkUsageDescription ?? '').length > 20);
    assert.deepEqual(config.mac?.extendInfo?.NSBonjourServices, ['_boardhub._tcp']);
    assert.equal(config.win?.target, 'nsis');
  });
});
