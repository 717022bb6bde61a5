import { z } from 'zod';
import { DEFAULT_AUDIT_RETENTION_MS } from '../config.js';
import {
  AUDIT_ACTIONS,
  AUDIT_PAGE_DEFAULT,
  AUDIT_PAGE_MAX,
  type AuditExportFormat,
  type AuditPage,
  type AuditVerification,
  exportAuditInSlices,
  type PruneResult,
  verifyAuditChainInSlices,
} from '../storage/audit-store.js';
import type { Stores } from '../storage/stores.js';
import type { Actor } from './hub-service.js';
import { parseOrThrow } from './validation.js';

/**
 * The audit use cases: verify the hash chain, query and export it, prune it to the retention
 * period. Every input is validated here, so the CLI, the HTTP API and IPC pass through as they are.
 */

const timestamp = z.number().int('must be whole milliseconds').min(0, 'must not be before 1970');
const text = (what: string) =>
  z.string().min(1, `${what} must not be empty`).max(512, 'at most 512 characters');

const filterFields = {
  from: timestamp.optional(),
  to: timestamp.optional(),
  boardId: text('board id').optional(),
  action: z.enum(AUDIT_ACTIONS).optional(),
  actor: text('actor').optional(),
  ip: text('ip').optional(),
};
const rangeInOrder = (f: { from?: number; to?: number }): boolean =>
  f.from === undefined || f.to === undefined || f.from < f.to;
const RANGE_MESSAGE = { message: 'must be before to', path: ['from'] };

const AuditFilterSchema = z.strictObject(filterFields).refine(rangeInOrder, RANGE_MESSAGE);

const AuditQuerySchema = z
  .strictObject({
    ...filterFields,
    beforeId: z.number().int().positive('must be a row id from nextCursor').optional(),
    limit: z
      .number()
      .int()
      .min(1, 'at least 1')
      .max(AUDIT_PAGE_MAX, `at most ${AUDIT_PAGE_MAX}`)
      .default(AUDIT_PAGE_DEFAULT),
  })
  .refine(rangeInOrder, RANGE_MESSAGE);

const ExportFormatSchema = z.enum(['csv', 'jsonl']);
const RetentionSchema = z
  .number()
  .int('must be whole milliseconds')
  .positive('must be longer than zero')
  .max(100 * 365 * 24 * 60 * 60 * 1000, 'at most 100 years');

export type AuditFilterInput = z.input<typeof AuditFilterSchema>;
export type AuditQueryInput = z.input<typeof AuditQuerySchema>;

export class AuditService {
  private runningWalk: Promise<AuditVerification> | null = null;
  private nextWalk: Promise<AuditVerification> | null = null;

  constructor(private readonly stores: Stores) {}

  /**
   * Walks the whole chain; the head hash of an intact chain is worth noting outside the hub.
   * In one piece: for the CLI and tests. A running hub uses verifyInSlices.
   */
  verify(): AuditVerification {
    return this.stores.audit.verify();
  }

  /**
   * The same walk on a connection of its own, a few milliseconds per event-loop turn. Every open
   * audit screen (app windows, browser tabs) re-checks the chain, so callers share walks: while one
   * runs, every later caller gets the next one, which starts when the running one ends (so it
   * covers their rows). At most one walk runs and one waits, however many ask.
   */
  verifyInSlices(): Promise<AuditVerification> {
    if (this.runningWalk === null) return this.startWalk();
    this.nextWalk ??= this.runningWalk
      .catch(() => undefined)
      .then(() => {
        this.nextWalk = null;
        return this.startWalk();
      });
    return this.nextWalk;
  }

  private startWalk(): Promise<AuditVerification> {
    const walk: Promise<AuditVerification> = verifyAuditChainInSlices(this.stores.file).finally(() => {
      if (this.runningWalk === walk) this.runningWalk = null;
    });
    this.runningWalk = walk;
    return walk;
  }

  query(filter: AuditQueryInput = {}): AuditPage {
    return this.stores.audit.query(parseOrThrow(AuditQuerySchema, filter, 'audit query'));
  }

  /**
   * Streams the filtered rows (newest first) to `write`; returns how many rows were written.
   * In one piece: for the CLI and tests. A running hub uses exportInSlices.
   */
  export(filter: AuditFilterInput, format: AuditExportFormat, write: (chunk: string) => void): number {
    const validFilter = parseOrThrow(AuditFilterSchema, filter, 'audit filter');
    const validFormat = parseOrThrow(ExportFormatSchema, format, 'export format');
    return this.stores.audit.exportRows(validFilter, validFormat, write);
  }

  /**
   * The same export on a connection of its own, a chunk of lines per event-loop turn. The filter is
   * checked at once (a bad one throws here, before anything is sent).
   */
  exportInSlices(filter: AuditFilterInput, format: AuditExportFormat): AsyncGenerator<string> {
    const validFilter = parseOrThrow(AuditFilterSchema, filter, 'audit filter');
    const validFormat = parseOrThrow(ExportFormatSchema, format, 'export format');
    return exportAuditInSlices(this.stores.file, validFilter, validFormat);
  }

  /** Removes rows older than `retentionMs` and records the removal in the chain. */
  prune(retentionMs: number = DEFAULT_AUDIT_RETENTION_MS, actor: Actor = { name: 'hub' }): PruneResult {
    const retention = parseOrThrow(RetentionSchema, retentionMs, 'retention');
    const now = Date.now();
    return this.stores.audit.prune(now - retention, now, actor.name);
  }
}
