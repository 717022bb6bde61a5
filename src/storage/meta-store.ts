import type { Db } from './database.js';

/** Small key/value facts about this hub (its id, its display name). */
export class MetaStore {
  private readonly getStmt;
  private readonly insertIfAbsentStmt;

  constructor(db: Db) {
    this.getStmt = db.prepare<[string], { value: string }>('SELECT value FROM hub_meta WHERE key = ?');
    this.insertIfAbsentStmt = db.prepare<[string, string]>(
      'INSERT INTO hub_meta (key, value) VALUES (?, ?) ON CONFLICT(key) DO NOTHING',
    );
  }

  get(key: string): string | undefined {
    return this.getStmt.get(key)?.value;
  }

  /** Stores value unless the key exists; returns the stored value (race-free across processes). */
  getOrInit(key: string, makeValue: () => string): string {
    const existing = this.get(key);
    if (existing !== undefined) return existing;
    this.insertIfAbsentStmt.run(key, makeValue());
    return this.get(key) as string;
  }
}
