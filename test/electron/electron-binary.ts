import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

/**
 * Where the Electron binary is, found the way the `electron` package finds it, but without
 * requiring that package: its index.js downloads the binary when it is missing, which must never
 * happen from a test (and cannot on machines without internet).
 */
export type ElectronBinary = { found: true; path: string } | { found: false; reason: string };

const projectDir = fileURLToPath(new URL('../..', import.meta.url));
const packageDir = path.join(projectDir, 'node_modules', 'electron');

const PLATFORM_EXECUTABLE: Partial<Record<NodeJS.Platform, string>> = {
  linux: 'electron',
  darwin: 'Electron.app/Contents/MacOS/Electron',
  win32: 'electron.exe',
};

export function findElectronBinary(env: NodeJS.ProcessEnv = process.env): ElectronBinary {
  const pathFile = path.join(packageDir, 'path.txt');
  const relative = existsSync(pathFile)
    ? readFileSync(pathFile, 'utf8').trim()
    : (PLATFORM_EXECUTABLE[process.platform] ?? 'electron');
  const override = env.ELECTRON_OVERRIDE_DIST_PATH;
  if (override !== undefined && override !== '') {
    const candidate = path.join(override, relative);
    return existsSync(candidate)
      ? { found: true, path: candidate }
      : { found: false, reason: `ELECTRON_OVERRIDE_DIST_PATH is set, but ${candidate} does not exist` };
  }
  if (!existsSync(pathFile)) {
    return {
      found: false,
      reason:
        'node_modules/electron/path.txt is missing: the binary was never downloaded (run `node node_modules/electron/install.js` where there is internet)',
    };
  }
  const candidate = path.join(packageDir, 'dist', relative);
  return existsSync(candidate)
    ? { found: true, path: candidate }
    : { found: false, reason: `${candidate} does not exist (run \`node node_modules/electron/install.js\`)` };
}

/** Set by electron/prepare-native.mjs once better-sqlite3 is built for this Electron. */
export function electronNativeModulesReady(): { ready: true } | { ready: false; reason: string } {
  const marker = path.join(projectDir, 'dist', 'electron', 'node_modules', '.boardhub-native.json');
  return existsSync(marker)
    ? { ready: true }
    : {
        ready: false,
        reason:
          'better-sqlite3 is not built for Electron yet: run `node electron/prepare-native.mjs` once (npm start does it)',
      };
}
