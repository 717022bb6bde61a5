import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import type { HubService } from '../../service/hub-service.js';
import { actorOf } from './guard.js';
import { routeSchema } from './schema.js';

/** The management UI's home and settings screens, and its "reset admin token" button. */
const Settings = z.object({
  name: z.string(),
  lanVisible: z.boolean(),
  port: z.number(),
  idleUnloadMs: z.number(),
  restartRequired: z.boolean(),
  keyProtection: z.enum(['os-keychain', 'file']),
});
const Overview = z.object({
  hubId: z.string(),
  name: z.string(),
  version: z.string(),
  fingerprintShort: z.string(),
  uptimeSeconds: z.number(),
  connections: z.number(),
  boards: z.number(),
  boardsInTrash: z.number(),
  dataDir: z.string(),
  listenHost: z.string(),
  port: z.number(),
  lanVisible: z.boolean(),
  mdns: z.enum(['announcing', 'browsing', 'off']),
});
const NewToken = z.object({ token: z.string() });

export function registerSettingsRoutes(app: FastifyInstance, service: HubService): void {
  app.get('/api/overview', { schema: routeSchema({ response: { 200: Overview } }) }, async () =>
    service.overview(),
  );

  app.get('/api/settings', { schema: routeSchema({ response: { 200: Settings } }) }, async () =>
    service.getSettings(),
  );

  // The body is checked by the use case's own strict schema (settings.ts), not here: one schema,
  // and its messages name the offending field ('Unrecognized key: "colour"').
  app.patch('/api/settings', { schema: routeSchema({ response: { 200: Settings } }) }, async (request) =>
    service.updateSettings(request.body ?? {}, actorOf(request)),
  );

  app.post(
    '/api/admin-token/reset',
    { schema: routeSchema({ response: { 200: NewToken } }) },
    async (request) => service.resetAdminToken(actorOf(request)),
  );
}
