import type { Role } from '../auth/roles.js';
import type { Db } from './database.js';

/**
 * 'link': a share link the owner issued. 'owner': the share behind "Open board" in the management
 * UI (one live one per board, label "Owner"), which share lists and counts leave out.
 */
export type ShareKind = 'link' | 'owner';

/** A share is the authority behind a token: the token's jti names the row, the row holds the role. */
export interface ShareRecord {
  id: string;
  boardId: string;
  role: Role;
  label: string;
  createdAt: number;
  expiresAt: number | null;
  revokedAt: number | null;
  kind: ShareKind;
}

interface ShareRow {
  id: string;
  board_id: string;
  role: Role;
  label: string;
  created_at: number;
  expires_at: number | null;
  revoked_at: number | null;
  kind: ShareKind;
}

const toRecord = (row: ShareRow): ShareRecord => ({
  id: row.id,
  boardId: row.board_id,
  role: row.role,
  label: row.label,
  createdAt: row.created_at,
  expiresAt: row.expires_at,
  revokedAt: row.revoked_at,
  kind: row.kind,
});

export class ShareStore {
  private readonly insertStmt;
  private readonly getStmt;
  private readonly listByBoardStmt;
  private readonly revokeStmt;
  private readonly setRoleStmt;
  private readonly ownerStmt;

  constructor(db: Db) {
    this.insertStmt = db.prepare<[string, string, Role, string, number, number | null, ShareKind]>(
      'INSERT INTO shares (id, board_id, role, label, created_at, expires_at, kind) VALUES (?, ?, ?, ?, ?, ?, ?)',
    );
    this.getStmt = db.prepare<[string], ShareRow>('SELECT * FROM shares WHERE id = ?');
    this.listByBoardStmt = db.prepare<[string], ShareRow>(
      "SELECT * FROM shares WHERE board_id = ? AND kind = 'link' ORDER BY created_at, id",
    );
    this.ownerStmt = db.prepare<[string], ShareRow>(
      "SELECT * FROM shares WHERE board_id = ? AND kind = 'owner' AND revoked_at IS NULL",
    );
    this.revokeStmt = db.prepare<[number, string]>(
      'UPDATE shares SET revoked_at = ? WHERE id = ? AND revoked_at IS NULL',
    );
    this.setRoleStmt = db.prepare<[Role, string]>('UPDATE shares SET role = ? WHERE id = ?');
  }

  create(share: Omit<ShareRecord, 'revokedAt' | 'kind'> & { kind?: ShareKind }): ShareRecord {
    const kind = share.kind ?? 'link';
    this.insertStmt.run(
      share.id,
      share.boardId,
      share.role,
      share.label,
      share.createdAt,
      share.expiresAt,
      kind,
    );
    return { ...share, kind, revokedAt: null };
  }

  get(id: string): ShareRecord | undefined {
    const row = this.getStmt.get(id);
    return row ? toRecord(row) : undefined;
  }

  /** The board's live owner share, if "Open board" was used before. */
  ownerShare(boardId: string): ShareRecord | undefined {
    const row = this.ownerStmt.get(boardId);
    return row ? toRecord(row) : undefined;
  }

  /** The share links of a board (owner shares left out). */
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
