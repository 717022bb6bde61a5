import type { Role } from '../auth/roles.js';
import type { Db } from './database.js';

/** A share is the authority behind a token: the token's jti names the row, the row holds the role. */
export interface ShareRecord {
  id: string;
  boardId: string;
  role: Role;
  label: string;
  createdAt: number;
  expiresAt: number | null;
  revokedAt: number | null;
}

interface ShareRow {
  id: string;
  board_id: string;
  role: Role;
  label: string;
  created_at: number;
  expires_at: number | null;
  revoked_at: number | null;
}

const toRecord = (row: ShareRow): ShareRecord => ({
  id: row.id,
  boardId: row.board_id,
  role: row.role,
  label: row.label,
  createdAt: row.created_at,
  expiresAt: row.expires_at,
  revokedAt: row.revoked_at,
});

export class ShareStore {
  private readonly insertStmt;
  private readonly getStmt;
  private readonly listByBoardStmt;
  private readonly revokeStmt;
  private readonly setRoleStmt;

  constructor(db: Db) {
    this.insertStmt = db.prepare<[string, string, Role, string, number, number | null]>(
      'INSERT INTO shares (id, board_id, role, label, created_at, expires_at) VALUES (?, ?, ?, ?, ?, ?)',
    );
    this.getStmt = db.prepare<[string], ShareRow>('SELECT * FROM shares WHERE id = ?');
    this.listByBoardStmt = db.prepare<[string], ShareRow>(
      'SELECT * FROM shares WHERE board_id = ? ORDER BY created_at, id',
    );
    this.revokeStmt = db.prepare<[number, string]>(
      'UPDATE shares SET revoked_at = ? WHERE id = ? AND revoked_at IS NULL',
    );
    this.setRoleStmt = db.prepare<[Role, string]>('UPDATE shares SET role = ? WHERE id = ?');
  }

  create(share: Omit<ShareRecord, 'revokedAt'>): ShareRecord {
    this.insertStmt.run(share.id, share.boardId, share.role, share.label, share.createdAt, share.expiresAt);
    return { ...share, revokedAt: null };
  }

  get(id: string): ShareRecord | undefined {
    const row = this.getStmt.get(id);
    return row ? toRecord(row) : undefined;
  }

  listByBoard(boardId: string): ShareRecord[] {
    return this.listByBoardStmt.all(boardId).map(toRecord);
  }

  revoke(id: string, now: number): void {
    this.revokeStmt.run(now, id);
  }

  setRole(id: string, role: Role): void {
    this.setRoleStmt.run(role, id);
  }
}
