import type { Db } from './database.js';

/**
 * Boards are soft-deleted: deleted_at moves a board to the trash without losing its content;
 * restore clears it; purge removes the board, its content, its image files, its shares and its
 * client-id owners for good (audit rows, which only name the board, stay).
 */
export interface BoardRecord {
  id: string;
  name: string;
  createdAt: number;
  updatedAt: number;
  deletedAt: number | null;
}

/** Stored figures of a board, for lists: what is on disk, not what is live. */
export interface BoardFigures extends BoardRecord {
  /** Rows in the update log not yet folded into the snapshot. */
  logLength: number;
  /** Bytes of snapshot, log and image files. */
  sizeBytes: number;
  /** Newest stored change (the board's updated_at is refreshed at most every few seconds). */
  lastEditAt: number;
}

interface BoardRow {
  id: string;
  name: string;
  created_at: number;
  updated_at: number;
  deleted_at: number | null;
}

interface FiguresRow extends BoardRow {
  log_length: number;
  size_bytes: number;
  last_update_at: number | null;
}

const toRecord = (row: BoardRow): BoardRecord => ({
  id: row.id,
  name: row.name,
  createdAt: row.created_at,
  updatedAt: row.updated_at,
  deletedAt: row.deleted_at,
});

const toFigures = (row: FiguresRow): BoardFigures => ({
  ...toRecord(row),
  logLength: row.log_length,
  sizeBytes: row.size_bytes,
  lastEditAt: Math.max(row.updated_at, row.last_update_at ?? 0),
});

const FIGURES_SELECT = `
  SELECT b.*,
    (SELECT count(*) FROM doc_updates u WHERE u.board_id = b.id) AS log_length,
    coalesce((SELECT sum(length(u.data)) FROM doc_updates u WHERE u.board_id = b.id), 0)
      + coalesce((SELECT length(s.data) FROM doc_snapshots s WHERE s.board_id = b.id), 0)
      + coalesce((SELECT sum(f.size) FROM board_files f WHERE f.board_id = b.id), 0) AS size_bytes,
    (SELECT max(u.created_at) FROM doc_updates u WHERE u.board_id = b.id) AS last_update_at
  FROM boards b`;

export class BoardStore {
  private readonly db: Db;
  private readonly insertStmt;
  private readonly getStmt;
  private readonly listStmt;
  private readonly figuresStmt;
  private readonly figuresOneStmt;
  private readonly touchStmt;
  private readonly renameStmt;
  private readonly setDeletedStmt;
  private readonly trashedBeforeStmt;
  private readonly purgeStmts;

  constructor(db: Db) {
    this.db = db;
    this.insertStmt = db.prepare<[string, string, number, number]>(
      'INSERT INTO boards (id, name, created_at, updated_at) VALUES (?, ?, ?, ?)',
    );
    this.getStmt = db.prepare<[string], BoardRow>('SELECT * FROM boards WHERE id = ?');
    this.listStmt = db.prepare<[], BoardRow>(
      'SELECT * FROM boards WHERE deleted_at IS NULL ORDER BY created_at, id',
    );
    this.figuresStmt = db.prepare<[number], FiguresRow>(
      `${FIGURES_SELECT} WHERE (b.deleted_at IS NULL) = (? = 0) ORDER BY b.created_at, b.id`,
    );
    this.figuresOneStmt = db.prepare<[string], FiguresRow>(`${FIGURES_SELECT} WHERE b.id = ?`);
    this.touchStmt = db.prepare<[number, string]>('UPDATE boards SET updated_at = ? WHERE id = ?');
    this.renameStmt = db.prepare<[string, number, string]>(
      'UPDATE boards SET name = ?, updated_at = ? WHERE id = ?',
    );
    this.setDeletedStmt = db.prepare<[number | null, string]>(
      'UPDATE boards SET deleted_at = ? WHERE id = ?',
    );
    this.trashedBeforeStmt = db.prepare<[number], BoardRow>(
      'SELECT * FROM boards WHERE deleted_at IS NOT NULL AND deleted_at < ?',
    );
    this.purgeStmts = [
      db.prepare<[string]>('DELETE FROM doc_updates WHERE board_id = ?'),
      db.prepare<[string]>('DELETE FROM doc_snapshots WHERE board_id = ?'),
      db.prepare<[string]>('DELETE FROM board_files WHERE board_id = ?'),
      db.prepare<[string]>('DELETE FROM board_client_ids WHERE board_id = ?'),
      db.prepare<[string]>('DELETE FROM shares WHERE board_id = ?'),
      db.prepare<[string]>('DELETE FROM boards WHERE id = ?'),
    ];
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

  /** Active boards (trash = false) or the trash (trash = true), with their stored figures. */
  listWithFigures(trash: boolean): BoardFigures[] {
    return this.figuresStmt.all(trash ? 1 : 0).map(toFigures);
  }

  figures(id: string): BoardFigures | undefined {
    const row = this.figuresOneStmt.get(id);
    return row ? toFigures(row) : undefined;
  }

  touch(id: string, now: number): void {
    this.touchStmt.run(now, id);
  }

  rename(id: string, name: string, now: number): void {
    this.renameStmt.run(name, now, id);
  }

  moveToTrash(id: string, now: number): void {
    this.setDeletedStmt.run(now, id);
  }

  restore(id: string): void {
    this.setDeletedStmt.run(null, id);
  }

  trashedBefore(cutoff: number): BoardRecord[] {
    return this.trashedBeforeStmt.all(cutoff).map(toRecord);
  }

  /** Removes the board, its content, its files and its shares, in one transaction. */
  purge(id: string): void {
    this.db
      .transaction(() => {
        for (const statement of this.purgeStmts) statement.run(id);
      })
      .immediate();
  }
}
