import Fastify, { type FastifyInstance, type FastifyReply } from 'fastify';
import { describeError, isHubError } from '../errors.js';
import { type Logger, redactUrl } from '../log.js';
import type { HubService } from '../service/hub-service.js';
import { registerAuditRoutes } from './api/audit-routes.js';
import { registerBoardRoutes } from './api/board-routes.js';
import { type EventStreams, registerEventRoutes } from './api/event-routes.js';
import { createApiGuard } from './api/guard.js';
import { registerHubRoutes } from './api/hub-routes.js';
import { registerLanRoutes, registerPublicLanRoutes } from './api/lan-routes.js';
import { zodSchemaController } from './api/schema.js';
import { registerSettingsRoutes } from './api/settings-routes.js';
import { registerShareRoutes } from './api/share-routes.js';
import type { AuthFailureLimiter } from './auth-failure-limiter.js';
import { boardFileRoutes } from './board-file-routes.js';
import type { OriginPolicy } from './origin-policy.js';
import { registerUiRoutes } from './ui-routes.js';

/**
 * The hub's HTTP side (fastify): /healthz for anyone, the built management UI at / (static files,
 * ui-routes.ts), board image files under a share token (board-file-routes.ts), and the admin API under /api/ behind the guard (loopback, origin, rate limit,
 * admin token), including the event stream. Errors always leave as {error: {code, message}} with a
 * 4xx/5xx status, never a stack trace.
 */
export interface HttpServerOptions {
  log: Logger;
  service: HubService;
  originPolicy: OriginPolicy;
  limiter: AuthFailureLimiter;
  adminOnLan: boolean;
  health(): Record<string, unknown>;
  events: EventStreams;
  /** The built UI's folder; undefined or without index.html: `/` says how to build it. */
  uiDir: string | undefined;
}

const FRAMEWORK_ERROR_MESSAGES: Record<string, string> = {
  FST_ERR_BAD_URL: 'Malformed request URL: the path is not valid percent-encoded UTF-8.',
  FST_ERR_MAX_PARAM_LENGTH: 'Malformed request URL: a path segment is too long.',
};

export function createHttpServer(options: HttpServerOptions): FastifyInstance {
  const { log, service } = options;
  // Requests and responses are checked with the routes' zod shapes (schema.ts); no type
  // coercion: {"name": 123} is a 400, not the string "123".
  const app = Fastify({
    logger: false,
    return503OnClosing: true,
    schemaController: zodSchemaController,
    // Errors fastify raises before routing (a path it cannot decode, e.g. overlong UTF-8 such as
    // /%C0%AF) bypass the error handler; they leave in the hub's shape too.
    frameworkErrors: (error, _request, reply: FastifyReply) => {
      const status = error.statusCode ?? 400;
      if (status >= 500) log.error({ err: describeError(error) }, 'request failed before routing');
      reply.code(status).send({
        error:
          status >= 500
            ? { code: 'INTERNAL', message: 'Internal error.' }
            : { code: 'BAD_REQUEST', message: FRAMEWORK_ERROR_MESSAGES[error.code] ?? 'Malformed request.' },
      });
    },
  });

  app.addHook('onResponse', async (request, reply) => {
    log.debug({ method: request.method, url: redactUrl(request.url), status: reply.statusCode }, 'http');
  });

  const ui = registerUiRoutes(app, options.uiDir);
  app.setNotFoundHandler(
    async (request, reply) =>
      ui.fallback(request, reply) ||
      reply.code(404).send({
        error: { code: 'NOT_FOUND', message: `No route ${request.method} ${redactUrl(request.url)}` },
      }),
  );

  app.setErrorHandler(
    async (error: Error & { statusCode?: number; validation?: unknown }, _request, reply) => {
      if (isHubError(error)) {
        return reply.code(error.httpStatus).send({ error: { code: error.code, message: error.message } });
      }
      const status = typeof error.statusCode === 'number' && error.statusCode < 500 ? error.statusCode : 500;
      if (status >= 500) log.error({ err: describeError(error) }, 'request failed');
      const code = error.validation ? 'BAD_REQUEST' : status === 413 ? 'PAYLOAD_TOO_LARGE' : 'BAD_REQUEST';
      return reply.code(status).send({
        error:
          status >= 500 ? { code: 'INTERNAL', message: 'Internal error.' } : { code, message: error.message },
      });
    },
  );

  app.get('/healthz', async () => options.health());

  // Public, outside the guarded plugin: other hubs verify who this hub is.
  registerPublicLanRoutes(app, service);

  // A board page's images, under the share token (not the admin token).
  app.register(boardFileRoutes, { service, originPolicy: options.originPolicy, limiter: options.limiter });

  app.register(async (api) => {
    api.addHook('onRequest', createApiGuard(options));
    registerHubRoutes(api, service);
    registerBoardRoutes(api, service);
    registerShareRoutes(api, service);
    registerAuditRoutes(api, service);
    registerLanRoutes(api, service);
    registerSettingsRoutes(api, service);
    registerEventRoutes(api, options.events);
  });

  return app;
}
