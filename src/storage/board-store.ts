import type { Db } from './database.js';

export interface BoardRecord {
  id: string;
  name: string;
  createdAt: number;
  updatedAt: number;
  deletedAt: number | null;
}

interface BoardRow {
  id: string;
  name: string;
  created_at: number;
  updated_at: number;
  deleted_at: number | null;
}

const toRecord = (row: BoardRow): BoardRecord => ({
  id: row.id,
  name: row.name,
  createdAt: row.created_at,
  updatedAt: row.updated_at,
  deletedAt: row.deleted_at,
});

/** Boards are soft-deleted: deleted_at hides a board without losing its content. */
export class BoardStore {
  private readonly insertStmt;
  private readonly getStmt;
  private readonly listStmt;
  private readonly touchStmt;

  constructor(db: Db) {
    this.insertStmt = db.prepare<[string, string, number, number]>(
      'INSERT INTO boards (id, name, created_at, updated_at) VALUES (?, ?, ?, ?)',
    );
    this.getStmt = db.prepare<[string], BoardRow>('SELECT * FROM boards WHERE id = ?');
    this.listStmt = db.prepare<[], BoardRow>(
      'SELECT * FROM boards WHERE deleted_at IS NULL ORDER BY created_at, id',
    );
    this.touchStmt = db.prepare<[number, string]>('UPDATE boards SET updated_at = ? WHERE id = ?');
  }

  create(id: string, name: string, now: number): BoardRecord {
    this.insertStmt.run(id, name, now, now);
    return { id, name, createdAt: now, updatedAt: now, deletedAt: null };
  }

  get(id: string): BoardRecord | undefined {
    const row = this.getStmt.get(id);
    return row ? toRecord(row) : undefined;
  }

  listActive(): BoardRecord[] {
    return this.listStmt.all().map(toRecord);
  }

  touch(id: string, now: number): void {
    this.touchStmt.run(now, id);
  }
}
