import { createHash } from 'node:crypto';
import type { Db } from './database.js';

/**
 * The audit log is append-only and hash-chained: each row's hash covers the previous row's hash
 * and the row's own canonical content, so editing or removing a row breaks every hash after it.
 * Tokens never enter it: a connection is known by its share id and label.
 */
export type AuditAction =
  | 'hub_start'
  | 'hub_stop'
  | 'connect'
  | 'disconnect'
  | 'denied'
  | 'write_refused'
  | 'protocol_error'
  | 'board_create'
  | 'board_rename'
  | 'board_delete'
  | 'board_restore'
  | 'board_purge'
  | 'board_export'
  | 'board_import'
  | 'share_create'
  | 'share_revoke'
  | 'share_role_change'
  | 'key_rotate'
  | 'key_retire'
  | 'admin_token_issue'
  | 'admin_auth_failed';

export interface AuditEntry {
  ts: number;
  action: AuditAction;
  actor: string;
  boardId?: string | null;
  shareId?: string | null;
  label?: string | null;
  ip?: string | null;
  userAgent?: string | null;
  detail?: Record<string, unknown>;
}

export interface AuditRecord {
  id: number;
  ts: number;
  action: AuditAction;
  actor: string;
  boardId: string | null;
  shareId: string | null;
  label: string | null;
  ip: string | null;
  userAgent: string | null;
  detail: Record<string, unknown>;
  prevHash: string;
  hash: string;
}

interface AuditRow {
  id: number;
  ts: number;
  action: AuditAction;
  board_id: string | null;
  share_id: string | null;
  label: string | null;
  actor: string;
  ip: string | null;
  user_agent: string | null;
  detail: string;
  prev_hash: string;
  hash: string;
}

export const GENESIS_HASH = '0'.repeat(64);

interface CanonicalFields {
  ts: number;
  action: string;
  actor: string;
  boardId: string | null;
  shareId: string | null;
  label: string | null;
  ip: string | null;
  userAgent: string | null;
  detailJson: string;
}

/** The exact bytes a row's hash covers: a JSON array in fixed order, so field order never matters. */
export function auditRowHash(prevHash: string, row: CanonicalFields): string {
  const canonical = JSON.stringify([
    row.ts,
    row.action,
    row.actor,
    row.boardId,
    row.shareId,
    row.label,
    row.ip,
    row.userAgent,
    row.detailJson,
  ]);
  return createHash('sha256').update(prevHash).update(canonical).digest('hex');
}

export class AuditStore {
  private readonly db: Db;
  private readonly lastHashStmt;
  private readonly insertStmt;
  private readonly recentStmt;

  constructor(db: Db) {
    this.db = db;
    this.lastHashStmt = db.prepare<[], { hash: string }>(
      'SELECT hash FROM audit_log ORDER BY id DESC LIMIT 1',
    );
    this.insertStmt = db.prepare<
      [
        number,
        string,
        string | null,
        string | null,
        string | null,
        string,
        string | null,
        string | null,
        string,
        string,
        string,
      ]
    >(
      `INSERT INTO audit_log (ts, action, board_id, share_id, label, actor, ip, user_agent, detail, prev_hash, hash)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
    );
    this.recentStmt = db.prepare<[number], AuditRow>('SELECT * FROM audit_log ORDER BY id DESC LIMIT ?');
  }

  /**
   * Appends entries in order. Must run inside a write (IMMEDIATE) transaction: reading the last
   * hash and inserting after it must not interleave with another process's append.
   */
  appendInTransaction(entries: readonly AuditEntry[]): void {
    let prevHash = this.lastHashStmt.get()?.hash ?? GENESIS_HASH;
    for (const entry of entries) {
      const fields: CanonicalFields = {
        ts: entry.ts,
        action: entry.action,
        actor: entry.actor,
        boardId: entry.boardId ?? null,
        shareId: entry.shareId ?? null,
        label: entry.label ?? null,
        ip: entry.ip ?? null,
        userAgent: entry.userAgent ?? null,
        detailJson: JSON.stringify(entry.detail ?? {}),
      };
      const hash = auditRowHash(prevHash, fields);
      this.insertStmt.run(
        fields.ts,
        fields.action,
        fields.boardId,
        fields.shareId,
        fields.label,
        fields.actor,
        fields.ip,
        fields.userAgent,
        fields.detailJson,
        prevHash,
        hash,
      );
      prevHash = hash;
    }
  }

  /** Appends in a transaction of its own (for callers outside the hub's group commit, e.g. the CLI). */
  append(entries: readonly AuditEntry[]): void {
    this.db.transaction(() => this.appendInTransaction(entries)).immediate();
  }

  recent(limit: number): AuditRecord[] {
    return this.recentStmt.all(limit).map((row) => ({
      id: row.id,
      ts: row.ts,
      action: row.action,
      actor: row.actor,
      boardId: row.board_id,
      shareId: row.share_id,
      label: row.label,
      ip: row.ip,
      userAgent: row.user_agent,
      detail: JSON.parse(row.detail) as Record<string, unknown>,
      prevHash: row.prev_hash,
      hash: row.hash,
    }));
  }
}
