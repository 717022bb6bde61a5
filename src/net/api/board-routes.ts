import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import { exportFileName } from '../../service/board-transfer.js';
import type { HubService } from '../../service/hub-service.js';
import { actorOf } from './guard.js';
import { IdParams, routeSchema } from './schema.js';

const Board = z.object({
  id: z.string(),
  name: z.string(),
  createdAt: z.number(),
  updatedAt: z.number(),
  deletedAt: z.number().nullable(),
});
const BoardSummary = Board.extend({
  logLength: z.number(),
  sizeBytes: z.number(),
  lastEditAt: z.number(),
  connections: z.number(),
});
const NameBody = z.object({ name: z.string() });
const ListQuery = z.object({ trash: z.enum(['true', 'false']).optional() });
const ImportBody = z.object({
  /** The exported .yjs file (plain update or bundle), base64-encoded. */
  update: z.string().min(1),
  name: z.string().optional(),
  meta: z.record(z.string(), z.unknown()).optional(),
});
const Connection = z.object({
  id: z.number(),
  boardId: z.string(),
  shareId: z.string(),
  label: z.string(),
  role: z.string(),
  ip: z.string().nullable(),
  userAgent: z.string().nullable(),
  connectedAt: z.number(),
});

/** Imports arrive base64 in JSON; allow boards far larger than ordinary requests. */
const IMPORT_BODY_LIMIT = 96 * 1024 * 1024;

export function registerBoardRoutes(app: FastifyInstance, service: HubService): void {
  app.get<{ Querystring: z.infer<typeof ListQuery> }>(
    '/api/boards',
    { schema: routeSchema({ querystring: ListQuery, response: { 200: z.array(BoardSummary) } }) },
    async (request) => service.listBoards({ trash: request.query.trash === 'true' }),
  );

  app.post<{ Body: z.infer<typeof NameBody> }>(
    '/api/boards',
    { schema: routeSchema({ body: NameBody, response: { 201: Board } }) },
    async (request, reply) => reply.code(201).send(service.createBoard(request.body.name, actorOf(request))),
  );

  app.get<{ Params: IdParams }>(
    '/api/boards/:id',
    { schema: routeSchema({ params: IdParams, response: { 200: BoardSummary } }) },
    async (request) => service.getBoard(request.params.id),
  );

  app.patch<{ Params: IdParams; Body: z.infer<typeof NameBody> }>(
    '/api/boards/:id',
    { schema: routeSchema({ params: IdParams, body: NameBody, response: { 200: Board } }) },
    async (request) => service.renameBoard(request.params.id, request.body.name, actorOf(request)),
  );

  app.delete<{ Params: IdParams }>(
    '/api/boards/:id',
    { schema: routeSchema({ params: IdParams, response: { 200: Board } }) },
    async (request) => service.deleteBoard(request.params.id, actorOf(request)),
  );

  app.post<{ Params: IdParams }>(
    '/api/boards/:id/restore',
    { schema: routeSchema({ params: IdParams, response: { 200: Board } }) },
    async (request) => service.restoreBoard(request.params.id, actorOf(request)),
  );

  app.post<{ Params: IdParams }>(
    '/api/boards/:id/purge',
    { schema: routeSchema({ params: IdParams }) },
    async (request, reply) => {
      service.purgeBoard(request.params.id, actorOf(request));
      return reply.code(204).send();
    },
  );

  app.get<{ Params: IdParams }>(
    '/api/boards/:id/export',
    { schema: routeSchema({ params: IdParams }) },
    async (request, reply) => {
      const { file, meta } = service.exportBoard(request.params.id, actorOf(request));
      return reply
        .header('Content-Type', 'application/octet-stream')
        .header('Content-Disposition', `attachment; filename="${exportFileName(meta.name)}"`)
        .send(Buffer.from(file.buffer, file.byteOffset, file.byteLength));
    },
  );

  app.get<{ Params: IdParams }>(
    '/api/boards/:id/export/meta',
    { schema: routeSchema({ params: IdParams }) },
    async (request) => service.exportBoard(request.params.id, actorOf(request)).meta,
  );

  app.post<{ Body: z.infer<typeof ImportBody> }>(
    '/api/boards/import',
    { bodyLimit: IMPORT_BODY_LIMIT, schema: routeSchema({ body: ImportBody, response: { 201: Board } }) },
    async (request, reply) => {
      const { update, name, meta } = request.body;
      const board = service.importBoard(
        { file: Buffer.from(update, 'base64'), name, meta },
        actorOf(request),
      );
      return reply.code(201).send(board);
    },
  );

  app.post<{ Params: IdParams }>(
    '/api/boards/:id/open',
    { schema: routeSchema({ params: IdParams, response: { 200: z.object({ url: z.string() }) } }) },
    async (request) => ({ url: (await service.openBoard(request.params.id, actorOf(request))).url }),
  );

  app.get<{ Params: IdParams }>(
    '/api/boards/:id/connections',
    { schema: routeSchema({ params: IdParams, response: { 200: z.array(Connection) } }) },
    async (request) => service.liveConnections(request.params.id),
  );
}
