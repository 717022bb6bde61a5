import { createHash } from 'node:crypto';
import { setImmediate as nextTurn } from 'node:timers/promises';
import type { Statement } from 'better-sqlite3';
import { HubError } from '../errors.js';
import { type Db, openReadOnlyDatabase } from './database.js';

/**
 * The audit log is append-only and hash-chained: each row's hash covers the previous row's hash
 * and the row's own canonical content, so editing or removing a row breaks every hash after it.
 * Tokens never enter it: a connection is known by its share id and label.
 *
 * UPDATE and DELETE are refused by triggers (migrations.ts). The only removal is retention
 * pruning: it deletes the oldest rows and appends an 'audit_pruned' checkpoint row that names
 * the row the chain now starts at and the hash that row continues from.
 *
 * What the chain proves, and what it does not:
 * - A row edited, inserted or removed in the middle by someone who does not recompute the hashes
 *   after it is found by verify(), at that row (or at the row after a removed one).
 * - After pruning, the first row must be exactly the one the newest checkpoint names, so dropping
 *   more old rows (or forging the first one) is found too, unless the checkpoint is rewritten.
 * - It is not a signature: there is no secret, so someone with write access to the file can
 *   recompute every hash from the point they changed, or drop the newest rows (truncation), and
 *   the chain still verifies. Only a copy of the head hash kept elsewhere catches that: verify()
 *   returns it so an admin can note it, and a later verify must still contain that hash.
 */
export const AUDIT_ACTIONS = [
  'hub_start',
  'hub_stop',
  'connect',
  'disconnect',
  'denied',
  'write_refused',
  'protocol_error',
  'board_create',
  'board_rename',
  'board_delete',
  'board_restore',
  'board_purge',
  'board_export',
  'board_import',
  'board_open',
  'file_upload',
  'share_create',
  'share_revoke',
  'share_role_change',
  'role_applied',
  'key_rotate',
  'key_retire',
  'admin_token_issue',
  'admin_token_reset',
  'admin_auth_failed',
  'hub_rename',
  'setting_change',
  'peer_add',
  'peer_remove',
  'peer_trust',
  'audit_pruned',
  'audit_gap',
] as const;

export type AuditAction = (typeof AUDIT_ACTIONS)[number];

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

/** Which rows a query or export covers; every field narrows, absent ones do not. */
export interface AuditFilter {
  /** Inclusive lower bound of `ts`, ms since the epoch. */
  from?: number;
  /** Exclusive upper bound of `ts`, ms since the epoch (so consecutive ranges never overlap). */
  to?: number;
  boardId?: string;
  action?: AuditAction;
  actor?: string;
  ip?: string;
}

export interface AuditQuery extends AuditFilter {
  /** Keyset cursor: only rows with a smaller id (the nextCursor of the previous page). */
  beforeId?: number;
  /** Page size, default AUDIT_PAGE_DEFAULT, at most AUDIT_PAGE_MAX. */
  limit?: number;
}

export interface AuditPage {
  /** Newest first (descending id, which is the order rows were appended in). */
  entries: AuditRecord[];
  /** Pass as beforeId for the next page; null when this page is the last. */
  nextCursor: number | null;
}

export type AuditExportFormat = 'csv' | 'jsonl';

export type AuditVerification =
  | { ok: true; rows: number; headHash: string }
  | {
      ok: false;
      /** Rows that checked out before the broken one. */
      rows: number;
      brokenAt: { id: number; reason: string };
    };

/** Where the chain continues after pruning: the first kept row and the hash it links to. */
export interface PruneAnchor {
  firstKeptId: number;
  firstKeptPrevHash: string;
}

export interface PruneResult {
  removed: number;
  cutoff: number;
  /** Null when nothing was old enough to remove (and no checkpoint was written). */
  anchor: PruneAnchor | null;
}

export const GENESIS_HASH = '0'.repeat(64);
export const AUDIT_PAGE_DEFAULT = 100;
export const AUDIT_PAGE_MAX = 1000;
/** The columns of an export, in order (CSV header and JSONL keys). */
export const AUDIT_EXPORT_COLUMNS = [
  'id',
  'time',
  'action',
  'actor',
  'board_id',
  'share_id',
  'label',
  'ip',
  'user_agent',
  'detail',
  'hash',
] as const;

const DELETE_GUARD = 'audit_log_no_delete';

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

const canonicalOf = (row: AuditRow): CanonicalFields => ({
  ts: row.ts,
  action: row.action,
  actor: row.actor,
  boardId: row.board_id,
  shareId: row.share_id,
  label: row.label,
  ip: row.ip,
  userAgent: row.user_agent,
  detailJson: row.detail,
});

/**
 * The optional WHERE clauses of a query, each with its named parameter. Statements are built
 * only from this fixed text; values are always bound, never spliced in.
 * `+ts` keeps SQLite off the ts index here: it would have to sort the whole time range for
 * every page, while walking ids down from the cursor (newest first) stops after one page.
 */
const FILTER_CLAUSES = {
  from: '+ts >= @from',
  to: '+ts < @to',
  boardId: 'board_id = @boardId',
  action: 'action = @action',
  actor: 'actor = @actor',
  ip: 'ip = @ip',
  beforeId: 'id < @beforeId',
} as const;

type ClauseName = keyof typeof FILTER_CLAUSES;
type BoundValues = Partial<Record<ClauseName | 'limit', string | number>>;

/** The chain check, one row at a time in id order: the first row whose link or hash is wrong. */
class ChainWalk {
  private rows = 0;
  private prevHash: string | null = null;
  private prevId = 0;

  constructor(private readonly start: (row: AuditRow) => string | null) {}

  /** The verdict at the first broken row; null while the chain holds. */
  check(row: AuditRow): AuditVerification | null {
    const broken = (reason: string): AuditVerification => ({
      ok: false,
      rows: this.rows,
      brokenAt: { id: row.id, reason },
    });
    if (this.prevHash === null) {
      const problem = this.start(row);
      if (problem !== null) return broken(problem);
    } else if (row.prev_hash !== this.prevHash) {
      return broken(`its prev_hash is not the hash of the row before it (row ${this.prevId})`);
    }
    if (row.hash !== auditRowHash(row.prev_hash, canonicalOf(row))) {
      return broken('its hash does not match its content (the row was altered)');
    }
    this.rows++;
    this.prevHash = row.hash;
    this.prevId = row.id;
    return null;
  }

  result(): AuditVerification {
    return { ok: true, rows: this.rows, headHash: this.prevHash ?? GENESIS_HASH };
  }
}

/** Working this long at a time keeps a hub's live edits flowing while its log is checked or exported. */
const SLICE_MS = 4;

/**
 * Verifies the chain of the database at `file` without stalling the event loop: on a read-only
 * connection of its own, a few milliseconds of rows per turn. The hub keeps relaying and
 * appending meanwhile (WAL), and the walk sees the log as it was when it began. Checking 100,000
 * rows takes ~0.5 s, which verify() would spend in one piece, stalling every board.
 */
export async function verifyAuditChainInSlices(file: string, sliceMs = SLICE_MS): Promise<AuditVerification> {
  const db = openReadOnlyDatabase(file);
  try {
    return await new AuditStore(db).verifyInSlices(sliceMs);
  } finally {
    db.close();
  }
}

/** One exported row: a CSV line, or a JSON object on its own line, with AUDIT_EXPORT_COLUMNS. */
function exportLine(row: AuditRow, format: AuditExportFormat): string {
  const values = [
    row.id,
    isoTime(row.ts),
    row.action,
    row.actor,
    row.board_id,
    row.share_id,
    row.label,
    row.ip,
    row.user_agent,
    row.detail,
    row.hash,
  ] as const;
  if (format === 'csv') return csvLine(values);
  const line = Object.fromEntries(AUDIT_EXPORT_COLUMNS.map((column, index) => [column, values[index]]));
  return `${JSON.stringify(line)}\n`;
}

/**
 * The export of the database at `file`, for a running hub: read on a read-only connection of its
 * own, a chunk of lines per event-loop turn, so exporting a long log never stalls live edits.
 * The connection closes when the last chunk is taken or the consumer stops early.
 */
export async function* exportAuditInSlices(
  file: string,
  filter: AuditFilter,
  format: AuditExportFormat,
  sliceMs = SLICE_MS,
): AsyncGenerator<string> {
  const db = openReadOnlyDatabase(file);
  try {
    yield* new AuditStore(db).exportInSlices(filter, format, sliceMs);
  } finally {
    db.close();
  }
}

export class AuditStore {
  private readonly db: Db;
  private readonly lastHashStmt;
  private readonly insertStmt;
  private readonly recentStmt;
  private readonly newestCheckpointStmt;
  private readonly chainStmt;
  private readonly firstRowStmt;
  private readonly lastRowStmt;
  private readonly firstAtOrAfterStmt;
  private readonly guardSqlStmt;
  private readonly deleteBeforeStmt;
  /** Prepared filter statements, keyed by which clauses they use (at most 2^7 per kind). */
  private readonly filtered = new Map<string, Statement<[BoundValues], AuditRow>>();
  private readonly appendListeners = new Set<() => void>();

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
    this.newestCheckpointStmt = db.prepare<[], { id: number; detail: string }>(
      "SELECT id, detail FROM audit_log WHERE action = 'audit_pruned' ORDER BY id DESC LIMIT 1",
    );
    this.chainStmt = db.prepare<[], AuditRow>('SELECT * FROM audit_log ORDER BY id');
    this.firstRowStmt = db.prepare<[], { id: number }>('SELECT id FROM audit_log ORDER BY id LIMIT 1');
    this.lastRowStmt = db.prepare<[], { id: number; prev_hash: string }>(
      'SELECT id, prev_hash FROM audit_log ORDER BY id DESC LIMIT 1',
    );
    this.firstAtOrAfterStmt = db.prepare<[number], { id: number; prev_hash: string }>(
      'SELECT id, prev_hash FROM audit_log WHERE ts >= ? ORDER BY id LIMIT 1',
    );
    this.guardSqlStmt = db.prepare<[string], { sql: string }>(
      "SELECT sql FROM sqlite_master WHERE type = 'trigger' AND name = ?",
    );
    this.deleteBeforeStmt = db.prepare<[number]>('DELETE FROM audit_log WHERE id < ?');
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
    if (entries.length > 0) for (const listener of this.appendListeners) listener();
  }

  /**
   * Calls `listener` after rows were appended through this store, whichever path appended them
   * (the group commit, a use case, pruning). It runs inside the writing transaction, so it must
   * only take note (the running hub schedules an 'audit' change event).
   */
  onAppend(listener: () => void): () => void {
    this.appendListeners.add(listener);
    return () => {
      this.appendListeners.delete(listener);
    };
  }

  /** Appends in a transaction of its own (for callers outside the hub's group commit, e.g. the CLI). */
  append(entries: readonly AuditEntry[]): void {
    this.db.transaction(() => this.appendInTransaction(entries)).immediate();
  }

  recent(limit: number): AuditRecord[] {
    return this.recentStmt.all(limit).map(toRecord);
  }

  /**
   * Walks the whole chain in id order (streamed, in one read transaction so concurrent appends
   * or a prune cannot mix two states) and reports the first row whose link or hash is wrong.
   * Synchronous: for a process that relays live edits, use verifyAuditChainInSlices.
   */
  verify(): AuditVerification {
    return this.db.transaction((): AuditVerification => {
      const walk = new ChainWalk(this.expectedStart());
      for (const row of this.chainStmt.iterate()) {
        const verdict = walk.check(row);
        if (verdict !== null) return verdict;
      }
      return walk.result();
    })();
  }

  /**
   * verify(), a slice of rows per event-loop turn (about `sliceMs` of hashing each). Only for a
   * connection of its own: the read transaction stays open across the turns, so that the whole
   * walk sees one snapshot.
   */
  async verifyInSlices(sliceMs: number): Promise<AuditVerification> {
    this.db.exec('BEGIN');
    const rows = this.chainStmt.iterate();
    try {
      const walk = new ChainWalk(this.expectedStart());
      for (;;) {
        const sliceEnd = performance.now() + sliceMs;
        do {
          const next = rows.next();
          if (next.done) return walk.result();
          const verdict = walk.check(next.value);
          if (verdict !== null) return verdict;
        } while (performance.now() < sliceEnd);
        await nextTurn();
      }
    } finally {
      rows.return?.();
      this.db.exec('COMMIT');
    }
  }

  /**
   * Removes the rows older than `beforeTs` and appends an 'audit_pruned' checkpoint row, all in one
   * IMMEDIATE transaction, so the delete guard is lifted only inside it.
   *
   * Only a prefix of the chain (by id) is removed: everything before the first row with
   * ts >= beforeTs. Timestamps are not strictly ordered by id (the hub's group commit and CLI
   * processes append concurrently, clocks get adjusted), and deleting by ts alone could punch a
   * hole in the middle of the chain. The newest row is always kept, so the chain and its head
   * survive even when every row is old. Nothing old enough: nothing removed, no checkpoint.
   */
  prune(beforeTs: number, now: number, actor = 'hub'): PruneResult {
    return this.db
      .transaction((): PruneResult => {
        const first = this.firstRowStmt.get();
        const kept = this.firstAtOrAfterStmt.get(beforeTs) ?? this.lastRowStmt.get();
        if (first === undefined || kept === undefined || kept.id === first.id) {
          return { removed: 0, cutoff: beforeTs, anchor: null };
        }
        const guardSql = this.guardSqlStmt.get(DELETE_GUARD)?.sql;
        if (guardSql === undefined) {
          throw new HubError(
            'INTERNAL',
            `The audit log's delete guard (trigger ${DELETE_GUARD}) is missing, so the database was changed outside Boardhub. Refusing to prune; check it with "boardhub audit verify".`,
          );
        }
        this.db.exec(`DROP TRIGGER ${DELETE_GUARD}`);
        const removed = this.deleteBeforeStmt.run(kept.id).changes;
        this.db.exec(guardSql);
        const anchor: PruneAnchor = { firstKeptId: kept.id, firstKeptPrevHash: kept.prev_hash };
        this.appendInTransaction([
          { ts: now, action: 'audit_pruned', actor, detail: { removed, cutoff: beforeTs, anchor } },
        ]);
        return { removed, cutoff: beforeTs, anchor };
      })
      .immediate();
  }

  /** One page of matching rows, newest first; keyset paging on id keeps pages stable under appends. */
  query(query: AuditQuery = {}): AuditPage {
    const limit = Math.min(Math.max(Math.trunc(query.limit ?? AUDIT_PAGE_DEFAULT), 1), AUDIT_PAGE_MAX);
    // One extra row tells whether another page follows.
    const rows = this.filteredStatement(query, true).all({ ...boundValues(query), limit: limit + 1 });
    const entries = rows.slice(0, limit).map(toRecord);
    const last = entries.at(-1);
    return { entries, nextCursor: rows.length > limit && last ? last.id : null };
  }

  /**
   * Streams every matching row, newest first, as CSV (header row, RFC 4180) or JSON lines to
   * `write`, one chunk per line. detail is the stored JSON text in both: it is what the hash covers.
   * Synchronous: for a process that relays live edits, use exportAuditInSlices.
   */
  exportRows(filter: AuditFilter, format: AuditExportFormat, write: (chunk: string) => void): number {
    const exported = this.exportedRows(filter);
    if (format === 'csv') write(csvLine(AUDIT_EXPORT_COLUMNS));
    let count = 0;
    for (const row of exported) {
      write(exportLine(row, format));
      count++;
    }
    return count;
  }

  /**
   * exportRows, as one chunk of lines per event-loop turn (about `sliceMs` of rows each). Only for
   * a connection of its own: the read transaction stays open until the last chunk is taken or the
   * reader stops early, so the whole export is one snapshot.
   */
  async *exportInSlices(
    filter: AuditFilter,
    format: AuditExportFormat,
    sliceMs: number,
  ): AsyncGenerator<string> {
    this.db.exec('BEGIN');
    const rows = this.exportedRows(filter);
    try {
      let chunk = format === 'csv' ? csvLine(AUDIT_EXPORT_COLUMNS) : '';
      for (;;) {
        const sliceEnd = performance.now() + sliceMs;
        let next = rows.next();
        while (!next.done) {
          chunk += exportLine(next.value, format);
          if (performance.now() >= sliceEnd) break;
          next = rows.next();
        }
        if (chunk !== '') yield chunk;
        if (next.done) return;
        chunk = '';
        await nextTurn();
      }
    } finally {
      rows.return?.();
      this.db.exec('COMMIT');
    }
  }

  private exportedRows(filter: AuditFilter): IterableIterator<AuditRow> {
    const filterOnly: AuditFilter = {
      from: filter.from,
      to: filter.to,
      boardId: filter.boardId,
      action: filter.action,
      actor: filter.actor,
      ip: filter.ip,
    };
    return this.filteredStatement(filterOnly, false).iterate(boundValues(filterOnly));
  }

  /**
   * How the first row must start: from GENESIS_HASH, or, once pruned, exactly where the newest
   * checkpoint says (the newest, because each prune removes what older checkpoints described).
   * Returns a check giving the reason the first row fails, or null.
   */
  private expectedStart(): (row: AuditRow) => string | null {
    const checkpoint = this.newestCheckpointStmt.get();
    if (checkpoint === undefined) {
      return (row) =>
        row.prev_hash === GENESIS_HASH
          ? null
          : 'it is the first row but does not start from the genesis hash, and no prune checkpoint says the chain continues there (older rows were removed)';
    }
    const anchor = anchorOf(checkpoint.detail);
    return (row) => {
      if (anchor === null) return `prune checkpoint row ${checkpoint.id} does not record a valid anchor`;
      if (row.id === anchor.firstKeptId && row.prev_hash === anchor.firstKeptPrevHash) return null;
      return (
        `it is the first row, but prune checkpoint row ${checkpoint.id} says the chain continues at row ` +
        `${anchor.firstKeptId} from hash ${anchor.firstKeptPrevHash.slice(0, 12)}… (rows were removed or the first row forged)`
      );
    };
  }

  private filteredStatement(query: AuditQuery, paged: boolean): Statement<[BoundValues], AuditRow> {
    const used = (Object.keys(FILTER_CLAUSES) as ClauseName[]).filter((name) => query[name] !== undefined);
    const key = `${paged ? 'page' : 'all'}:${used.join(',')}`;
    let statement = this.filtered.get(key);
    if (statement === undefined) {
      const where = used.length > 0 ? `WHERE ${used.map((name) => FILTER_CLAUSES[name]).join(' AND ')}` : '';
      statement = this.db.prepare<[BoundValues], AuditRow>(
        `SELECT * FROM audit_log ${where} ORDER BY id DESC${paged ? ' LIMIT @limit' : ''}`,
      );
      this.filtered.set(key, statement);
    }
    return statement;
  }
}

function boundValues(query: AuditQuery): BoundValues {
  const values: BoundValues = {};
  for (const name of Object.keys(FILTER_CLAUSES) as ClauseName[]) {
    const value = query[name];
    if (value !== undefined) values[name] = value;
  }
  return values;
}

function anchorOf(detailJson: string): PruneAnchor | null {
  let detail: unknown;
  try {
    detail = JSON.parse(detailJson);
  } catch {
    return null;
  }
  if (typeof detail !== 'object' || detail === null || !('anchor' in detail)) return null;
  const anchor: unknown = detail.anchor;
  if (typeof anchor !== 'object' || anchor === null) return null;
  if (!('firstKeptId' in anchor) || !('firstKeptPrevHash' in anchor)) return null;
  const { firstKeptId, firstKeptPrevHash } = anchor;
  if (typeof firstKeptId !== 'number' || typeof firstKeptPrevHash !== 'string') return null;
  return { firstKeptId, firstKeptPrevHash };
}

function toRecord(row: AuditRow): AuditRecord {
  return {
    id: row.id,
    ts: row.ts,
    action: row.action,
    actor: row.actor,
    boardId: row.board_id,
    shareId: row.share_id,
    label: row.label,
    ip: row.ip,
    userAgent: row.user_agent,
    detail: parseDetail(row.detail),
    prevHash: row.prev_hash,
    hash: row.hash,
  };
}

/** A row altered outside Boardhub may hold anything; listing it must still work so it can be seen. */
function parseDetail(detailJson: string): Record<string, unknown> {
  try {
    const detail: unknown = JSON.parse(detailJson);
    if (typeof detail === 'object' && detail !== null && !Array.isArray(detail)) {
      return detail as Record<string, unknown>;
    }
  } catch {
    // Falls through to the raw text below.
  }
  return { unparsed: detailJson };
}

function isoTime(ts: number): string {
  const date = new Date(ts);
  return Number.isNaN(date.getTime()) ? String(ts) : date.toISOString();
}

/**
 * One RFC 4180 record (CRLF-terminated). A field is quoted when it holds a comma, quote, CR or LF,
 * with quotes doubled. null is an empty unquoted field and '' a quoted empty one ("") so the two
 * stay distinct (as PostgreSQL's CSV does); the hash tells them apart too.
 * Written here rather than taken from a library (csv-stringify): these dozen lines are all of
 * RFC 4180 we need, and a dependency would add more surface than it saves.
 * Values are not rewritten against spreadsheet formula injection (a leading = + - @): an audit
 * export must stay byte-for-byte what was logged; open it in a spreadsheet as text.
 */
function csvLine(values: ReadonlyArray<string | number | null>): string {
  return `${values.map(csvField).join(',')}\r\n`;
}

function csvField(value: string | number | null): string {
  if (value === null) return '';
  const text = String(value);
  return text === '' || /[",\r\n]/.test(text) ? `"${text.replaceAll('"', '""')}"` : text;
}
