import type { Db } from './database.js';

/** Admin API credentials. Only a hash of each secret is stored; issuing a new one revokes the rest. */
export interface AdminTokenRecord {
  id: string;
  secretHash: string;
  createdAt: number;
  revokedAt: number | null;
}

interface AdminTokenRow {
  id: string;
  secret_hash: string;
  created_at: number;
  revoked_at: number | null;
}

export class AdminTokenStore {
  private readonly db: Db;
  private readonly insertStmt;
  private readonly revokeAllStmt;
  private readonly getStmt;

  constructor(db: Db) {
    this.db = db;
    this.insertStmt = db.prepare<[string, string, number]>(
      'INSERT INTO admin_tokens (id, secret_hash, created_at) VALUES (?, ?, ?)',
    );
    this.revokeAllStmt = db.prepare<[number]>(
      'UPDATE admin_tokens SET revoked_at = ? WHERE revoked_at IS NULL',
    );
    this.getStmt = db.prepare<[string], AdminTokenRow>('SELECT * FROM admin_tokens WHERE id = ?');
  }

  /** Stores a new token and revokes every earlier one, atomically. */
  replaceAll(id: string, secretHash: string, now: number): void {
    this.db
      .transaction(() => {
        this.revokeAllStmt.run(now);
        this.insertStmt.run(id, secretHash, now);
      })
      .immediate();
  }

  get(id: string): AdminTokenRecord | undefined {
    const row = this.getStmt.get(id);
    return row
      ? { id: row.id, secretHash: row.secret_hash, createdAt: row.created_at, revokedAt: row.revoked_at }
      : undefined;
  }
}
