/**
 * Gives `npm start` (and the Electron smoke test) a better-sqlite3 built for Electron without
 * touching node_modules/, whose copy is built for Node (the CLI and the Node tests need that one).
 *
 * The copy goes to dist/electron/node_modules/, next to main.js, where Node's module resolution
 * finds it before the project's. It is rebuilt with @electron/rebuild (electron-builder's own
 * rebuilder), which fetches a prebuilt binary or Electron's headers: this needs internet once per
 * Electron or better-sqlite3 version; a marker file makes later starts skip it. Packaging does not
 * use this copy (electron-builder.yml excludes it and rebuilds node_modules itself).
 */
import { cp, mkdir, readFile, rm, writeFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { rebuild } from '@electron/rebuild';

const root = fileURLToPath(new URL('..', import.meta.url));
const stage = `${root}dist/electron`;
const marker = `${stage}/node_modules/.boardhub-native.json`;

const versionOf = async (name) =>
  JSON.parse(await readFile(`${root}node_modules/${name}/package.json`, 'utf8')).version;

const wanted = {
  electron: await versionOf('electron'),
  betterSqlite3: await versionOf('better-sqlite3'),
  platform: process.platform,
  arch: process.arch,
};

const current = await readFile(marker, 'utf8').then(JSON.parse, () => null);
if (current !== null && JSON.stringify(current) === JSON.stringify(wanted)) process.exit(0);

console.log(
  `Building better-sqlite3 ${wanted.betterSqlite3} for Electron ${wanted.electron} in dist/electron/node_modules…`,
);
await rm(`${stage}/node_modules`, { recursive: true, force: true });
let failure = null;
try {
  await mkdir(`${stage}/node_modules`, { recursive: true });
  // better-sqlite3 finds its .node file through `bindings` (which needs file-uri-to-path).
  for (const name of ['better-sqlite3', 'bindings', 'file-uri-to-path']) {
    await cp(`${root}node_modules/${name}`, `${stage}/node_modules/${name}`, { recursive: true });
  }
  // @electron/rebuild walks the dependencies of the package.json in buildPath; it goes right after,
  // so that Electron and Node still take the project's package.json for main.js's own.
  await writeFile(
    `${stage}/package.json`,
    JSON.stringify({ private: true, dependencies: { 'better-sqlite3': wanted.betterSqlite3 } }),
  );
  await rebuild({
    buildPath: stage,
    electronVersion: wanted.electron,
    onlyModules: ['better-sqlite3'],
    force: true,
  });
} catch (error) {
  failure = error;
} finally {
  await rm(`${stage}/package.json`, { force: true });
}
if (failure !== null) {
  // A half-made copy (still built for Node) would only fail later, inside Electron.
  await rm(`${stage}/node_modules`, { recursive: true, force: true });
  console.error(`Could not build better-sqlite3 for Electron (this needs internet once): ${failure.message}`);
  process.exit(1);
}
await writeFile(marker, `${JSON.stringify(wanted, null, 2)}\n`);
console.log('better-sqlite3 is ready for Electron.');
