import type { Db } from './database.js';

/**
 * Which link (share id; an owner session is a share row too) first wrote each Yjs client id on
 * a board. Yjs orders a client's changes by its own clock only, so whoever may write an id's
 * next clocks decides whether that client's later edits integrate: an id belongs to its first
 * writer, and the room refuses structs for it from any other link. A claim is written in the
 * same group-commit transaction as the update that first uses the id; ids a board held before
 * this table existed have no row and go to the first link that writes them afterwards.
 */
export class ClientIdStore {
  private readonly ownersStmt;
  private readonly claimStmt;

  constructor(db: Db) {
    this.ownersStmt = db.prepare<[string], { client_id: number; share_id: string }>(
      'SELECT client_id, share_id FROM board_client_ids WHERE board_id = ?',
    );
    this.claimStmt = db.prepare<[string, number, string, number]>(
      'INSERT INTO board_client_ids (board_id, client_id, share_id, first_seen) VALUES (?, ?, ?, ?)',
    );
  }

  /** Every owned client id of a board, with its owner's share id. */
  ownersOf(boardId: string): Map<number, string> {
    const owners = new Map<number, string>();
    for (const row of this.ownersStmt.all(boardId)) owners.set(row.client_id, row.share_id);
    return owners;
  }

  /** Records the first writer of a client id; call inside the caller's transaction. */
  claim(boardId: string, clientId: number, shareId: string, now: number): void {
    this.claimStmt.run(boardId, clientId, shareId, now);
  }
}
