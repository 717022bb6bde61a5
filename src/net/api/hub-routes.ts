import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import type { HubService } from '../../service/hub-service.js';
import { actorOf } from './guard.js';
import { routeSchema } from './schema.js';

const Status = z.object({
  hubId: z.string(),
  version: z.string(),
  running: z.boolean(),
  uptimeSeconds: z.number(),
  roomsLoaded: z.number(),
  connections: z.number(),
  boards: z.number(),
  boardsInTrash: z.number(),
  dataDir: z.string(),
  dataDirBytes: z.number(),
});
const Key = z.object({
  kid: z.string(),
  createdAt: z.number(),
  retiredAt: z.number().nullable(),
  current: z.boolean(),
});
const RetireBody = z.object({ kid: z.string().optional() });

export function registerHubRoutes(app: FastifyInstance, service: HubService): void {
  app.get('/api/status', { schema: routeSchema({ response: { 200: Status } }) }, async () =>
    service.status(),
  );

  app.get('/api/keys', { schema: routeSchema({ response: { 200: z.array(Key) } }) }, async () =>
    service.listKeys(),
  );

  app.post('/api/keys/rotate', { schema: routeSchema({ response: { 201: Key } }) }, async (request, reply) =>
    reply.code(201).send(service.rotateKey(actorOf(request))),
  );

  app.post<{ Body: z.infer<typeof RetireBody> }>(
    '/api/keys/retire',
    {
      // Every field is optional, so no body at all means "retire all but the current key".
      preValidation: async (request) => {
        request.body ??= {};
      },
      schema: routeSchema({ body: RetireBody, response: { 200: z.array(Key) } }),
    },
    async (request) => service.retireKey(actorOf(request), request.body.kid),
  );
}
