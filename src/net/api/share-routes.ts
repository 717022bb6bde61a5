import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import { ROLES } from '../../auth/roles.js';
import type { HubService } from '../../service/hub-service.js';
import { actorOf } from './guard.js';
import { IdParams, routeSchema } from './schema.js';

const Share = z.object({
  id: z.string(),
  boardId: z.string(),
  role: z.enum(ROLES),
  label: z.string(),
  createdAt: z.number(),
  expiresAt: z.number().nullable(),
  revokedAt: z.number().nullable(),
});
const CreateShareBody = z.object({
  role: z.enum(ROLES),
  label: z.string().optional(),
  /** Lifetime in milliseconds; omit for a link that does not expire. */
  ttlMs: z.number().int().positive().optional(),
});
const RoleBody = z.object({ role: z.enum(ROLES) });
const IssuedShare = z.object({
  share: Share,
  token: z.string(),
  url: z.string(),
  alternativeUrls: z.array(z.string()),
  socketUrl: z.string(),
  alternativeSocketUrls: z.array(z.string()),
});

export function registerShareRoutes(app: FastifyInstance, service: HubService): void {
  app.get<{ Params: IdParams }>(
    '/api/boards/:id/shares',
    { schema: routeSchema({ params: IdParams, response: { 200: z.array(Share) } }) },
    async (request) => service.listShares(request.params.id),
  );

  app.post<{ Params: IdParams; Body: z.infer<typeof CreateShareBody> }>(
    '/api/boards/:id/shares',
    { schema: routeSchema({ params: IdParams, body: CreateShareBody, response: { 201: IssuedShare } }) },
    async (request, reply) => {
      const issued = await service.createShare(
        { boardId: request.params.id, ...request.body },
        actorOf(request),
      );
      return reply.code(201).send(issued);
    },
  );

  app.get<{ Params: IdParams }>(
    '/api/shares/:id',
    { schema: routeSchema({ params: IdParams, response: { 200: Share } }) },
    async (request) => service.getShare(request.params.id),
  );

  app.patch<{ Params: IdParams; Body: z.infer<typeof RoleBody> }>(
    '/api/shares/:id',
    { schema: routeSchema({ params: IdParams, body: RoleBody, response: { 200: Share } }) },
    async (request) => service.setShareRole(request.params.id, request.body.role, actorOf(request)),
  );

  app.delete<{ Params: IdParams }>(
    '/api/shares/:id',
    { schema: routeSchema({ params: IdParams, response: { 200: Share } }) },
    async (request) => service.revokeShare(request.params.id, actorOf(request)),
  );
}
