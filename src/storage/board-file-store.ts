import type { Db } from './database.js';

/**
 * The image bytes of boards, keyed (board, file id). A file is written once and never changed:
 * Excalidraw names a file by its content's hash, so a second upload of the same id is the same
 * image and is ignored. Purging a board removes its files (board-store.ts).
 */
export interface BoardFileMeta {
  boardId: string;
  fileId: string;
  mimeType: string;
  size: number;
  createdAt: number;
  /** The share whose page uploaded it; null for files brought in by an import. */
  createdByShare: string | null;
}

export interface BoardFileRecord extends BoardFileMeta {
  bytes: Uint8Array;
}

interface FileRow {
  board_id: string;
  file_id: string;
  mime_type: string;
  bytes: Buffer;
  size: number;
  created_at: number;
  created_by_share: string | null;
}

const toRecord = (row: FileRow): BoardFileRecord => ({
  boardId: row.board_id,
  fileId: row.file_id,
  mimeType: row.mime_type,
  bytes: row.bytes,
  size: row.size,
  createdAt: row.created_at,
  createdByShare: row.created_by_share,
});

export class BoardFileStore {
  private readonly insertStmt;
  private readonly getStmt;
  private readonly listStmt;

  constructor(db: Db) {
    this.insertStmt = db.prepare<[string, string, string, Uint8Array, number, number, string | null]>(
      `INSERT INTO board_files (board_id, file_id, mime_type, bytes, size, created_at, created_by_share)
       VALUES (?, ?, ?, ?, ?, ?, ?) ON CONFLICT (board_id, file_id) DO NOTHING`,
    );
    this.getStmt = db.prepare<[string, string], FileRow>(
      'SELECT * FROM board_files WHERE board_id = ? AND file_id = ?',
    );
    this.listStmt = db.prepare<[string], FileRow>(
      'SELECT * FROM board_files WHERE board_id = ? ORDER BY created_at, file_id',
    );
  }

  /** Stores the file unless the board already has one with this id; true when it was new. */
  put(file: BoardFileRecord): boolean {
    return (
      this.insertStmt.run(
        file.boardId,
        file.fileId,
        file.mimeType,
        file.bytes,
        file.size,
        file.createdAt,
        file.createdByShare,
      ).changes === 1
    );
  }

  get(boardId: string, fileId: string): BoardFileRecord | undefined {
    const row = this.getStmt.get(boardId, fileId);
    return row ? toRecord(row) : undefined;
  }

  /** Every file of a board, bytes included (export). */
  list(boardId: string): BoardFileRecord[] {
    return this.listStmt.all(boardId).map(toRecord);
  }
}
