import type { AuditEntry } from '../storage/audit-store.js';

/*
 * Audit rows the group commit could not write (a full disk, an I/O error): they are kept and go
 * into the next commit, ahead of that turn's own rows, behind one `audit_gap` row that says what
 * happened: since when commits failed, how many rows were written late, and how many were lost
 * because more piled up than the hub keeps (`MAX_UNWRITTEN_AUDITS`, the oldest go first, counted
 * per action). The gap row is chained like any other, so `audit verify` covers it and the log
 * never looks complete when it is not. Rows still unwritten when the process ends are lost with
 * it; the hub logs their count.
 */

/** About 3 MB of rows at most; a full disk during a reconnect storm must not grow the heap forever. */
export const MAX_UNWRITTEN_AUDITS = 10_000;

export class UnwrittenAudits {
  private rows: AuditEntry[] = [];
  private failedSince: number | null = null;
  private lastFailure = 0;
  private failures = 0;
  private lost = 0;
  private lostFirstTs = 0;
  private lostLastTs = 0;
  private readonly lostActions = new Map<string, number>();

  get count(): number {
    return this.rows.length;
  }

  get pending(): boolean {
    return this.failedSince !== null;
  }

  /** A commit failed: keep its new rows (those of this turn) for the next one. */
  keep(entries: readonly AuditEntry[], now: number): void {
    this.failedSince ??= now;
    this.lastFailure = now;
    this.failures++;
    this.rows.push(...entries);
    const overflow = this.rows.length - MAX_UNWRITTEN_AUDITS;
    if (overflow > 0) for (const dropped of this.rows.splice(0, overflow)) this.countLost(dropped);
  }

  /** What the next commit writes first: the gap row and the kept rows (none if nothing failed). */
  toWrite(now: number): AuditEntry[] {
    if (this.failedSince === null) return [];
    const gap: AuditEntry = {
      ts: now,
      action: 'audit_gap',
      actor: 'hub',
      detail: {
        failedFrom: this.failedSince,
        failedTo: this.lastFailure,
        failedCommits: this.failures,
        writtenLate: this.rows.length,
        lost: this.lost,
        ...(this.lost > 0
          ? {
              lostFrom: this.lostFirstTs,
              lostTo: this.lostLastTs,
              lostActions: Object.fromEntries(this.lostActions),
            }
          : {}),
      },
    };
    return [gap, ...this.rows];
  }

  /** The commit carrying toWrite()'s rows succeeded. */
  written(): void {
    this.rows = [];
    this.failedSince = null;
    this.failures = 0;
    this.lost = 0;
    this.lostActions.clear();
  }

  private countLost(entry: AuditEntry): void {
    if (this.lost === 0) this.lostFirstTs = entry.ts;
    this.lost++;
    this.lostLastTs = entry.ts;
    this.lostActions.set(entry.action, (this.lostActions.get(entry.action) ?? 0) + 1);
  }
}
