/**
 * Builds the desktop shell into dist/electron/ (run by `npm run build:electron`):
 * - main.js: electron/main.ts with the hub (src/) bundled in, as ESM for Electron's Node. Electron
 *   and every runtime dependency stay external and load from node_modules, so native modules
 *   (better-sqlite3) are the ones rebuilt for Electron and package.json stays the one list.
 * - preload.cjs: one self-contained CommonJS file, since a sandboxed preload cannot load modules
 *   (only `electron` itself is external).
 * - assets/: the window and tray icons.
 */
import { cp, readFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';

const root = fileURLToPath(new URL('..', import.meta.url));
const out = `${root}dist/electron`;
const pkg = JSON.parse(await readFile(`${root}package.json`, 'utf8'));
const runtimeDependencies = Object.keys(pkg.dependencies ?? {});

/** Electron 45: Node 22 in the main process, Chromium 140 in the renderer. */
const common = {
  bundle: true,
  sourcemap: true,
  logLevel: 'warning',
  absWorkingDir: root,
  legalComments: 'none',
};

const builds = Promise.all([
  build({
    ...common,
    entryPoints: ['electron/main.ts'],
    outfile: `${out}/main.js`,
    platform: 'node',
    format: 'esm',
    target: 'node22',
    external: ['electron', ...runtimeDependencies],
  }),
  build({
    ...common,
    entryPoints: ['electron/preload.ts'],
    outfile: `${out}/preload.cjs`,
    platform: 'browser',
    format: 'cjs',
    target: 'chrome140',
    external: ['electron'],
  }),
  cp(`${root}electron/assets`, `${out}/assets`, { recursive: true }),
]);

try {
  await builds;
} catch (error) {
  // esbuild has already printed its errors, with file and line; anything else is printed here.
  if (!(error instanceof Error && 'errors' in error)) console.error(error);
  process.exit(1);
}
