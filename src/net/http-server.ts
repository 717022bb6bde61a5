import Fastify, { type FastifyInstance } from 'fastify';
import { describeError, isHubError } from '../errors.js';
import { type Logger, redactUrl } from '../log.js';

/**
 * The hub's HTTP side (fastify). Today: health. Errors always leave as
 * {error: {code, message}} with a 4xx/5xx status, never a stack trace.
 */
export interface HealthSource {
  version: string;
  uptimeSeconds(): number;
  roomsLoaded(): number;
  connections(): number;
}

export function createHttpServer(log: Logger, health: HealthSource): FastifyInstance {
  const app = Fastify({ logger: false, return503OnClosing: true });

  app.addHook('onResponse', async (request, reply) => {
    log.debug({ method: request.method, url: redactUrl(request.url), status: reply.statusCode }, 'http');
  });

  app.setNotFoundHandler(async (request, reply) =>
    reply.code(404).send({
      error: { code: 'NOT_FOUND', message: `No route ${request.method} ${redactUrl(request.url)}` },
    }),
  );

  app.setErrorHandler(async (error: Error & { statusCode?: number }, _request, reply) => {
    if (isHubError(error))
      return reply.code(error.httpStatus).send({ error: { code: error.code, message: error.message } });
    const status = typeof error.statusCode === 'number' && error.statusCode < 500 ? error.statusCode : 500;
    if (status >= 500) log.error({ err: describeError(error) }, 'request failed');
    return reply.code(status).send({
      error: {
        code: status >= 500 ? 'INTERNAL' : 'BAD_REQUEST',
        message: status >= 500 ? 'Internal error.' : error.message,
      },
    });
  });

  app.get('/healthz', async () => ({
    status: 'ok',
    version: health.version,
    uptimeSeconds: health.uptimeSeconds(),
    roomsLoaded: health.roomsLoaded(),
    connections: health.connections(),
  }));

  return app;
}
