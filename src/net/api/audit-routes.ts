import { Readable } from 'node:stream';
import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import type { HubService } from '../../service/hub-service.js';
import { AUDIT_ACTIONS } from '../../storage/audit-store.js';
import { routeSchema } from './schema.js';

/** A time in a query string: an ISO 8601 date or milliseconds since the epoch. */
const Time = z
  .string()
  .regex(/^(\d+|\d{4}-\d{2}-\d{2}([T ][\d:.]+)?(Z|[+-]\d{2}:?\d{2})?)$/, 'an ISO date or epoch ms');
const FilterQuery = z.object({
  from: Time.optional(),
  to: Time.optional(),
  board: z.string().optional(),
  action: z.enum(AUDIT_ACTIONS).optional(),
  actor: z.string().optional(),
  ip: z.string().optional(),
});
const Digits = z.string().regex(/^\d{1,15}$/, 'a whole number');
const PageQuery = FilterQuery.extend({ limit: Digits.optional(), before: Digits.optional() });
const numberOrUndefined = (value: string | undefined): number | undefined =>
  value === undefined ? undefined : Number(value);
const ExportQuery = FilterQuery.extend({ format: z.enum(['csv', 'jsonl']).default('csv') });

const toMs = (value: string | undefined): number | undefined =>
  value === undefined ? undefined : /^\d+$/.test(value) ? Number(value) : Date.parse(value);

function filterOf(query: z.infer<typeof FilterQuery>) {
  return {
    from: toMs(query.from),
    to: toMs(query.to),
    boardId: query.board,
    action: query.action,
    actor: query.actor,
    ip: query.ip,
  };
}

export function registerAuditRoutes(app: FastifyInstance, service: HubService): void {
  app.get<{ Querystring: z.infer<typeof PageQuery> }>(
    '/api/audit',
    { schema: routeSchema({ querystring: PageQuery }) },
    async (request) =>
      service.audit.query({
        ...filterOf(request.query),
        limit: numberOrUndefined(request.query.limit),
        beforeId: numberOrUndefined(request.query.before),
      }),
  );

  app.get('/api/audit/verify', () => service.audit.verifyInSlices());

  app.get<{ Querystring: z.infer<typeof ExportQuery> }>(
    '/api/audit/export',
    { schema: routeSchema({ querystring: ExportQuery }) },
    async (request, reply) => {
      const format = request.query.format ?? 'csv';
      // Streamed as it is read, a slice per event-loop turn: a long log never stalls live edits.
      const lines = Readable.from(service.audit.exportInSlices(filterOf(request.query), format));
      return reply
        .header(
          'Content-Type',
          format === 'csv' ? 'text/csv; charset=utf-8' : 'application/x-ndjson; charset=utf-8',
        )
        .header('Content-Disposition', `attachment; filename="boardhub-audit.${format}"`)
        .send(lines);
    },
  );
}
