import type { Db } from './database.js';

/** Small key/value facts about this hub (its id, its display name). */
export class MetaStore {
  private readonly getStmt;
  private readonly insertIfAbsentStmt;
  private readonly setStmt;

  constructor(db: Db) {
    this.getStmt = db.prepare<[string], { value: string }>('SELECT value FROM hub_meta WHERE key = ?');
    this.insertIfAbsentStmt = db.prepare<[string, string]>(
      'INSERT INTO hub_meta (key, value) VALUES (?, ?) ON CONFLICT(key) DO NOTHING',
    );
    this.setStmt = db.prepare<[string, string]>(
      'INSERT INTO hub_meta (key, value) VALUES (?, ?) ON CONFLICT(key) DO UPDATE SET value = excluded.value',
    );
  }

  get(key: string): string | undefined {
    return this.getStmt.get(key)?.value;
  }

  set(key: string, value: string): void {
    this.setStmt.run(key, value);
  }

  /** Stores value unless the key exists; returns the stored value (race-free across processes). */
  getOrInit(key: string, makeValue: () => string): string {
    const existing = this.get(key);
    if (existing !== undefined) return existing;
    this.insertIfAbsentStmt.run(key, makeValue());
    return this.get(key) as string;
  }
}
