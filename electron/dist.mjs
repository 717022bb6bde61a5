/**
 * `npm run dist` after the build: electron-builder with electron-builder.yml, for the platform of
 * this machine (pass targets after `--`, e.g. `npm run dist -- --linux AppImage`).
 *
 * electron-builder rebuilds better-sqlite3 for Electron inside node_modules/ (npmRebuild), which
 * would leave the CLI and the Node tests with a module they cannot load; so, whatever happened,
 * better-sqlite3 is rebuilt for Node afterwards.
 */
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('..', import.meta.url));
const run = (command, args) =>
  spawnSync(command, args, { cwd: root, stdio: 'inherit', shell: process.platform === 'win32' }).status ?? 1;

const packaged = run('npx', [
  '--no-install',
  'electron-builder',
  '--config',
  'electron-builder.yml',
  ...process.argv.slice(2),
]);
console.log('Rebuilding better-sqlite3 for Node (electron-builder built it for Electron)…');
const restored = run('npm', ['rebuild', 'better-sqlite3']);
if (restored !== 0)
  console.error('Run `npm rebuild better-sqlite3` before using the CLI or running the tests.');
process.exit(packaged !== 0 ? packaged : restored);
