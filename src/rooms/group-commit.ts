import { describeError } from '../errors.js';
import type { Logger } from '../log.js';
import type { AuditEntry } from '../storage/audit-store.js';
import type { Stores } from '../storage/stores.js';
import type { PreparedBatch, Room } from './room.js';
import { UnwrittenAudits } from './unwritten-audits.js';

/**
 * Group commit: everything the hub writes in one event-loop turn (every room's edits, audit rows)
 * goes into ONE SQLite transaction, scheduled with setImmediate so it runs after the turn's
 * I/O callbacks. Edits are broadcast only after that transaction commits: durable before
 * anyone else sees them. Audit rows of a failed commit are kept and retried (unwritten-audits.ts),
 * with the next turn's commit or, if nothing else happens, on a timer.
 */
const AUDIT_RETRY_MS = 1000;

export class GroupCommit {
  private readonly dirtyRooms = new Set<Room>();
  private audits: AuditEntry[] = [];
  private readonly unwritten = new UnwrittenAudits();
  private retryTimer: NodeJS.Timeout | null = null;
  private scheduled = false;
  private closed = false;
  private transactions = 0;

  /** Built once: this runs for every turn that wrote anything, the hub's hottest path. */
  private readonly commitTransaction;

  constructor(
    stores: Stores,
    private readonly log: Logger,
  ) {
    this.commitTransaction = stores.db.transaction(
      (batches: readonly PreparedBatch[], audits: readonly AuditEntry[], now: number): void => {
        for (const { room, update, seq, touchBoard, claims } of batches) {
          stores.updates.append(room.boardId, seq, update, now);
          for (const [clientId, shareId] of claims)
            stores.clientIds.claim(room.boardId, clientId, shareId, now);
          if (touchBoard) stores.boards.touch(room.boardId, now);
        }
        if (audits.length > 0) stores.audit.appendInTransaction(audits);
      },
    );
  }

  scheduleRoom(room: Room): void {
    this.dirtyRooms.add(room);
    this.schedule();
  }

  audit(entry: AuditEntry): void {
    if (this.closed) {
      this.log.warn({ action: entry.action }, 'audit entry after shutdown dropped');
      return;
    }
    this.audits.push(entry);
    this.schedule();
  }

  /** Number of transactions committed so far (observability, tests). */
  get committedTransactions(): number {
    return this.transactions;
  }

  flushNow(): void {
    this.scheduled = false;
    if (this.closed) return;
    const batches: PreparedBatch[] = [];
    for (const room of this.dirtyRooms) {
      try {
        const batch = room.takeBatch();
        if (batch) batches.push(batch);
      } catch (error) {
        // One room's fault costs that room's connections, never the hub or the other rooms.
        room.recoverFromFault(error);
      }
    }
    this.dirtyRooms.clear();
    const turnAudits = this.audits;
    this.audits = [];
    if (batches.length === 0 && turnAudits.length === 0 && !this.unwritten.pending) return;

    const now = Date.now();
    const audits = this.unwritten.pending ? [...this.unwritten.toWrite(now), ...turnAudits] : turnAudits;
    try {
      this.commitTransaction.immediate(batches, audits, now);
      this.transactions++;
      this.unwritten.written();
    } catch (error) {
      this.unwritten.keep(turnAudits, now);
      this.log.error(
        { err: describeError(error), rooms: batches.length, unwrittenAuditRows: this.unwritten.count },
        'group commit failed; nothing broadcast, audit rows kept for the next commit',
      );
      for (const batch of batches) batch.room.commitFailed(batch);
      this.scheduleRetry();
      return;
    }
    for (const batch of batches) batch.room.commitSucceeded(batch);
  }

  /** Writes what is queued and refuses further work (shutdown). */
  close(): void {
    this.flushNow();
    this.closed = true;
    if (this.retryTimer) clearTimeout(this.retryTimer);
    if (this.unwritten.pending) {
      this.log.error(
        { rows: this.unwritten.count },
        'audit rows lost at shutdown: the database refused them',
      );
    }
  }

  /** Kept audit rows must reach the disk even if the hub has nothing else to write. */
  private scheduleRetry(): void {
    if (this.retryTimer || this.closed) return;
    this.retryTimer = setTimeout(() => {
      this.retryTimer = null;
      this.schedule();
    }, AUDIT_RETRY_MS);
    this.retryTimer.unref();
  }

  private schedule(): void {
    if (this.scheduled || this.closed) return;
    this.scheduled = true;
    setImmediate(() => this.flushNow());
  }
}
