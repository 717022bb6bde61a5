import { chmodSync, existsSync, renameSync, rmSync, statSync } from 'node:fs';
import Database from 'better-sqlite3';
import { describeError, HubError, isHubError } from '../errors.js';
import { databaseFile, ensureDataDir, openReadOnlyDatabase } from './database.js';
import { checkProblems, damagedDatabaseError, storageErrorAt } from './database-check.js';
import { assertSchemaKnown } from './migrations.js';

/*
 * Backup and restore of the hub database with SQLite's online backup (better-sqlite3's
 * `db.backup()`): a backup copies page by page from a read connection, so it works while a hub
 * serves the folder and gives one consistent snapshot. Each copy is written beside its target
 * under a temporary name, checked in full (`integrity_check`) and only then renamed into place,
 * so no half-written or damaged file ever carries the final name. A restore keeps the file it
 * replaces (and its WAL) under a `.before-restore-…` name: it never deletes data.
 */

export interface BackupResult {
  file: string;
  bytes: number;
}

export interface RestoreResult {
  file: string;
  /** Where the replaced database was moved, or null if there was none. */
  previous: string | null;
}

/** Throws DATABASE_DAMAGED unless `file` passes integrity_check and is a Boardhub database. */
function assertRestorable(file: string): void {
  let db: Database.Database;
  try {
    db = new Database(file, { readonly: true, fileMustExist: true });
  } catch (error) {
    throw storageErrorAt(file, error);
  }
  try {
    const problems = checkProblems(db, 'integrity_check');
    if (problems.length > 0)
      throw damagedDatabaseError(file, `integrity_check: ${problems.slice(0, 3).join('; ')}`);
    assertSchemaKnown(db);
    const boards = db.prepare("SELECT 1 FROM sqlite_schema WHERE type = 'table' AND name = 'boards'").get();
    if (boards === undefined) throw new HubError('INVALID_ARGUMENT', `${file} is not a Boardhub database.`);
  } catch (error) {
    throw storageErrorAt(file, error);
  } finally {
    db.close();
  }
}

async function copyDatabase(from: Database.Database, to: string): Promise<void> {
  const partial = `${to}.partial`;
  rmSync(partial, { force: true });
  try {
    await from.backup(partial);
    chmodSync(partial, 0o600);
    assertRestorable(partial);
    renameSync(partial, to);
  } catch (error) {
    rmSync(partial, { force: true });
    throw error;
  }
}

export async function backupDatabase(dataDir: string, to: string): Promise<BackupResult> {
  const file = databaseFile(dataDir);
  if (!existsSync(file)) throw new HubError('DATA_DIR_UNUSABLE', `There is no database at ${file}.`);
  if (existsSync(to)) throw new HubError('INVALID_ARGUMENT', `${to} exists already; choose a new file.`);
  let source: Database.Database;
  try {
    source = openReadOnlyDatabase(file);
  } catch (error) {
    throw storageErrorAt(file, error);
  }
  try {
    await copyDatabase(source, to);
  } catch (error) {
    // A page-by-page copy is damaged only where its source is: name the file to worry about.
    if (isHubError(error) && error.code === 'DATABASE_DAMAGED') {
      throw damagedDatabaseError(file, 'its backup copy fails integrity_check');
    }
    throw storageErrorAt(file, error);
  } finally {
    source.close();
  }
  return { file: to, bytes: statSync(to).size };
}

/** Replaces the folder's database by `from`; the caller makes sure no hub runs on the folder. */
export async function restoreDatabase(dataDir: string, from: string): Promise<RestoreResult> {
  assertRestorable(from);
  ensureDataDir(dataDir);
  const file = databaseFile(dataDir);
  const staged = `${file}.restoring`;
  const source = new Database(from, { readonly: true, fileMustExist: true });
  try {
    await copyDatabase(source, staged);
  } finally {
    source.close();
  }
  let previous: string | null = null;
  try {
    if (existsSync(file)) {
      previous = `${file}.before-restore-${new Date().toISOString().replace(/[:.]/g, '-')}`;
      renameSync(file, previous);
      // The WAL holds committed pages of the old file: it goes with it, never onto the restored one.
      if (existsSync(`${file}-wal`)) renameSync(`${file}-wal`, `${previous}-wal`);
      rmSync(`${file}-shm`, { force: true });
    }
    renameSync(staged, file);
  } catch (error) {
    throw new HubError(
      'DATA_DIR_UNUSABLE',
      `Could not put the restored database at ${file}: ${describeError(error)}`,
    );
  }
  return { file, previous };
}
