import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { describeError, HubError } from '../errors.js';
import { migrate } from './migrations.js';

export type Db = Database.Database;
export type Durability = 'normal' | 'full';

export const DATABASE_FILE = 'boardhub.db';

/** Creates the data folder readable by its owner only: it holds the signing keys. */
export function ensureDataDir(dataDir: string): void {
  try {
    mkdirSync(dataDir, { recursive: true, mode: 0o700 });
  } catch (error) {
    throw new HubError('DATA_DIR_UNUSABLE', `Cannot create data folder ${dataDir}: ${describeError(error)}`);
  }
}

/**
 * Opens (creating if needed) the hub database in WAL mode, so the running hub and CLI commands in
 * other processes can use the same file at once; busy_timeout makes a writer wait its turn
 * instead of failing.
 */
export function openDatabase(dataDir: string, durability: Durability = 'normal'): Db {
  ensureDataDir(dataDir);
  let db: Db;
  try {
    db = new Database(join(dataDir, DATABASE_FILE));
  } catch (error) {
    throw new HubError(
      'DATA_DIR_UNUSABLE',
      `Cannot open the database in ${dataDir}: ${describeError(error)}`,
    );
  }
  try {
    db.pragma('journal_mode = WAL');
    db.pragma(`synchronous = ${durability === 'full' ? 'FULL' : 'NORMAL'}`);
    db.pragma('busy_timeout = 5000');
    db.pragma('foreign_keys = ON');
    migrate(db);
  } catch (error) {
    db.close();
    throw error;
  }
  return db;
}
