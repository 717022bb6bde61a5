import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import { DEFAULT_PORT } from '../../config.js';
import type { HubService } from '../../service/hub-service.js';
import { actorOf } from './guard.js';
import { IdParams, routeSchema } from './schema.js';

/**
 * LAN presence over HTTP. GET /api/hub is public (no guard): other hubs and guests' devices ask it
 * who this hub is, to verify a hub added by address; it holds no secrets. The rest is admin API.
 */
const Identity = z.object({
  id: z.string(),
  name: z.string(),
  version: z.string(),
  protocolVersion: z.string(),
  fingerprint: z.string(),
  fingerprintShort: z.string(),
  publicKey: z.string().optional(),
  proof: z.string().optional(),
});
const IdentityQuery = z.object({ challenge: z.string().max(128).optional() });
const Peer = z.object({
  hubId: z.string(),
  name: z.string(),
  host: z.string().nullable(),
  addresses: z.array(z.string()),
  port: z.number(),
  fingerprint: z.string(),
  fingerprintShort: z.string(),
  protocolVersion: z.string(),
  version: z.string().nullable(),
  source: z.enum(['mdns', 'manual']),
  lastSeen: z.number(),
  reachable: z.boolean(),
  identity: z.enum(['new', 'known', 'changed']),
  previousFingerprintShort: z.string().nullable(),
});
const AddPeerBody = z.object({ host: z.string().min(1).max(253), port: z.number().int().min(1).max(65535) });
const QrBody = z.object({ url: z.string().min(1).max(2000), format: z.enum(['svg', 'png']).default('svg') });
const DiagnosticsQuery = z.object({ port: z.coerce.number().int().min(1).max(65535).optional() });

export function registerPublicLanRoutes(app: FastifyInstance, service: HubService): void {
  app.get<{ Querystring: z.infer<typeof IdentityQuery> }>(
    '/api/hub',
    { schema: routeSchema({ querystring: IdentityQuery, response: { 200: Identity } }) },
    async (request) => service.hubIdentity(request.query.challenge),
  );
}

export function registerLanRoutes(app: FastifyInstance, service: HubService): void {
  app.get('/api/peers', { schema: routeSchema({ response: { 200: z.array(Peer) } }) }, async () =>
    service.peers(),
  );

  app.post<{ Body: z.infer<typeof AddPeerBody> }>(
    '/api/peers',
    { schema: routeSchema({ body: AddPeerBody, response: { 201: Peer } }) },
    async (request, reply) =>
      reply
        .code(201)
        .send(await service.addPeerByAddress(request.body.host, request.body.port, actorOf(request))),
  );

  app.delete<{ Params: IdParams }>(
    '/api/peers/:id',
    { schema: routeSchema({ params: IdParams }) },
    async (request, reply) => {
      service.removePeer(request.params.id, actorOf(request));
      return reply.code(204).send();
    },
  );

  app.post<{ Params: IdParams }>(
    '/api/peers/:id/trust',
    { schema: routeSchema({ params: IdParams, response: { 200: Peer } }) },
    async (request) => service.trustPeer(request.params.id, actorOf(request)),
  );

  app.get<{ Querystring: z.infer<typeof DiagnosticsQuery> }>(
    '/api/diagnostics',
    { schema: routeSchema({ querystring: DiagnosticsQuery }) },
    async (request) => service.diagnostics({ port: request.query.port ?? DEFAULT_PORT }),
  );

  // POST, not GET: the link carries a token, and query strings end up in logs and histories.
  app.post<{ Body: z.infer<typeof QrBody> }>(
    '/api/qr',
    { schema: routeSchema({ body: QrBody }) },
    async (request, reply) => {
      const format = request.body.format ?? 'svg';
      const image = await service.shareQr(request.body.url, format);
      return reply.header('Content-Type', format === 'png' ? 'image/png' : 'image/svg+xml').send(image);
    },
  );
}
