import type { Db } from './database.js';

/**
 * A board's content is its snapshot (state up to upto_seq) plus the tail of updates logged after
 * it. Compaction replaces snapshot and tail in one transaction, so a reader always finds either
 * the old pair or the new one, never neither.
 */
export interface StoredDocState {
  snapshot: Uint8Array | null;
  tail: Uint8Array[];
  lastSeq: number;
  tailBytes: number;
}

export class DocUpdateStore {
  private readonly appendStmt;
  private readonly snapshotStmt;
  private readonly tailStmt;
  private readonly upsertSnapshotStmt;
  private readonly deleteTailStmt;
  private readonly removeStmt;
  private readonly db: Db;

  constructor(db: Db) {
    this.db = db;
    this.appendStmt = db.prepare<[string, number, Uint8Array, number]>(
      'INSERT INTO doc_updates (board_id, seq, data, created_at) VALUES (?, ?, ?, ?)',
    );
    this.snapshotStmt = db.prepare<[string], { data: Buffer; upto_seq: number }>(
      'SELECT data, upto_seq FROM doc_snapshots WHERE board_id = ?',
    );
    this.tailStmt = db.prepare<[string, number], { seq: number; data: Buffer }>(
      'SELECT seq, data FROM doc_updates WHERE board_id = ? AND seq > ? ORDER BY seq',
    );
    this.upsertSnapshotStmt = db.prepare<[string, Uint8Array, number, number]>(
      `INSERT INTO doc_snapshots (board_id, data, upto_seq, updated_at) VALUES (?, ?, ?, ?)
       ON CONFLICT(board_id) DO UPDATE SET data = excluded.data, upto_seq = excluded.upto_seq,
         updated_at = excluded.updated_at`,
    );
    this.deleteTailStmt = db.prepare<[string, number]>(
      'DELETE FROM doc_updates WHERE board_id = ? AND seq <= ?',
    );
    this.removeStmt = db.prepare<[string, number]>('DELETE FROM doc_updates WHERE board_id = ? AND seq = ?');
  }

  /** Appends the board's update number `seq`; call inside the caller's transaction. */
  append(boardId: string, seq: number, update: Uint8Array, now: number): void {
    this.appendStmt.run(boardId, seq, update, now);
  }

  /** Takes one logged update out again (one the hub found it cannot apply after all). */
  remove(boardId: string, seq: number): void {
    this.removeStmt.run(boardId, seq);
  }

  load(boardId: string): StoredDocState {
    const snapshot = this.snapshotStmt.get(boardId);
    const rows = this.tailStmt.all(boardId, snapshot?.upto_seq ?? 0);
    let tailBytes = 0;
    for (const row of rows) tailBytes += row.data.byteLength;
    return {
      snapshot: snapshot ? snapshot.data : null,
      tail: rows.map((row) => row.data),
      lastSeq: rows.at(-1)?.seq ?? snapshot?.upto_seq ?? 0,
      tailBytes,
    };
  }

  /** Replaces everything up to uptoSeq by `state` in one transaction. */
  compact(boardId: string, state: Uint8Array, uptoSeq: number, now: number): void {
    this.db
      .transaction(() => {
        this.upsertSnapshotStmt.run(boardId, state, uptoSeq, now);
        this.deleteTailStmt.run(boardId, uptoSeq);
      })
      .immediate();
  }
}
