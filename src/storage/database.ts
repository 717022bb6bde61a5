import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { describeError, HubError } from '../errors.js';
import { assertDatabaseWhole, storageErrorAt } from './database-check.js';
import { assertSchemaKnown, migrate } from './migrations.js';

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
export interface OpenOptions {
  durability?: Durability;
  /**
   * false for the hub, whose checkpoints run in a worker thread (see checkpointer.ts); short-lived
   * CLI connections keep SQLite's automatic checkpoints.
   */
  autoCheckpoint?: boolean;
  /**
   * The hub at start: run quick_check on files up to this many bytes before anything writes
   * (database-check.ts). onUnchecked hears of a bigger file, which is not checked.
   */
  quickCheck?: { maxBytes: number; onUnchecked(file: string): void };
}

export function databaseFile(dataDir: string): string {
  return join(dataDir, DATABASE_FILE);
}

export function openDatabase(dataDir: string, options: OpenOptions = {}): Db {
  const { durability = 'normal', autoCheckpoint = true, quickCheck } = options;
  ensureDataDir(dataDir);
  const file = databaseFile(dataDir);
  let db: Db;
  try {
    db = new Database(file);
  } catch (error) {
    throw storageErrorAt(file, error);
  }
  try {
    // First, so that every following step waits for a concurrent process instead of failing.
    db.pragma('busy_timeout = 5000');
    if (quickCheck && !assertDatabaseWhole(db, file, quickCheck.maxBytes)) quickCheck.onUnchecked(file);
    assertSchemaKnown(db);
    db.pragma('journal_mode = WAL');
    db.pragma(`synchronous = ${durability === 'full' ? 'FULL' : 'NORMAL'}`);
    db.pragma('foreign_keys = ON');
    if (!autoCheckpoint) db.pragma('wal_autocheckpoint = 0');
    // After a burst made the WAL large, a checkpoint shrinks it back to this size.
    db.pragma(`journal_size_limit = ${64 * 1024 * 1024}`);
    migrate(db);
  } catch (error) {
    db.close();
    throw storageErrorAt(file, error);
  }
  return db;
}

/**
 * A read-only connection of its own on the database a running hub keeps in WAL mode, for long
 * reads that must not hold up the hub's connection (the audit log's sliced check and export).
 */
export function openReadOnlyDatabase(file: string): Db {
  const db = new Database(file, { readonly: true, fileMustExist: true });
  db.pragma('busy_timeout = 5000');
  return db;
}
