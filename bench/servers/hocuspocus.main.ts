/**
 * Child-process entry for the Hocuspocus peer: a stock `Server` with the stock SQLite
 * extension on a file, default debounce settings (store 2 s after the last change, at most
 * every 10 s), as a user following its docs would run it.
 *
 * Signals are handled here rather than by `stopOnSignals`: the stock handler calls
 * process.exit() right after destroy(), while the SQLite extension's store is a fire-and-forget
 * `db.run`, so the final write could be cut off. We close the database first so a clean stop
 * really persists what Hocuspocus meant to store (otherwise cold load would measure a loss,
 * not a load).
 * Usage (after servers/spawn.ts transpiled it): node hocuspocus.main.mjs PORT DATABASE_FILE
 */
import { SQLite } from '@hocuspocus/extension-sqlite';
import { Server } from '@hocuspocus/server';

const port = Number(process.argv[2]);
const database = process.argv[3];
if (!database) throw new Error('usage: hocuspocus.main.ts PORT DATABASE_FILE');

const sqlite = new SQLite({ database });
const server = new Server({
  port,
  address: '127.0.0.1',
  quiet: true,
  stopOnSignals: false,
  extensions: [sqlite],
});

await server.listen();
console.log(`listening on http://127.0.0.1:${port}`);

const shutdown = async () => {
  await server.destroy();
  await new Promise<void>((resolve) => {
    if (sqlite.db) sqlite.db.close(() => resolve());
    else resolve();
  });
  process.exit(0);
};
process.once('SIGTERM', shutdown);
process.once('SIGINT', shutdown);
