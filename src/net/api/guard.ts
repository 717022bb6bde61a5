import type { FastifyReply, FastifyRequest } from 'fastify';
import type { Actor, HubService } from '../../service/hub-service.js';
import { isLoopback } from '../addresses.js';
import type { AuthFailureLimiter } from '../auth-failure-limiter.js';
import { ANOTHER_SITE_REFUSAL, isFromAnotherSite, type OriginPolicy } from '../origin-policy.js';

/*
 * Every /api/ request passes here first: loopback only (unless the hub was started with
 * --admin-on-lan), an allowed Origin, not made by another site's page, and a valid admin token
 * (`Authorization: Bearer bhadm_…`). A correct token passes even while its IP is blocked for
 * failures (auth-failure-limiter.ts); a missing one is refused without counting as a failure.
 * Failures are answered here with {error: {code, message}}.
 */

export interface ApiGuardOptions {
  service: HubService;
  originPolicy: OriginPolicy;
  limiter: AuthFailureLimiter;
  adminOnLan: boolean;
}

const refuse = (reply: FastifyReply, status: number, code: string, message: string): FastifyReply =>
  reply.code(status).send({ error: { code, message } });

const ADMIN_TOKEN_REQUIRED = 'A valid admin token is required (boardhub admin-token).';

export function actorOf(request: FastifyRequest): Actor {
  return { name: 'admin', ip: request.ip, userAgent: request.headers['user-agent']?.slice(0, 256) ?? null };
}

export function createApiGuard(options: ApiGuardOptions) {
  return async (request: FastifyRequest, reply: FastifyReply): Promise<FastifyReply | undefined> => {
    if (!options.adminOnLan && !isLoopback(request.socket.remoteAddress)) {
      return refuse(
        reply,
        403,
        'ADMIN_LOOPBACK_ONLY',
        'The admin API answers on this machine only (see --admin-on-lan).',
      );
    }
    if (!options.originPolicy.allows(request.headers.origin, request.headers.host)) {
      return refuse(reply, 403, 'ORIGIN_NOT_ALLOWED', 'Requests from this web origin are not allowed.');
    }
    if (request.headers.origin === undefined && isFromAnotherSite(request.headers['sec-fetch-site'])) {
      return refuse(reply, 403, 'CROSS_SITE_REFUSED', ANOTHER_SITE_REFUSAL);
    }
    const header = request.headers.authorization ?? '';
    const token = header.startsWith('Bearer ') ? header.slice('Bearer '.length).trim() : '';
    if (token !== '' && options.service.isValidAdminToken(token)) return undefined;
    if (token === '') {
      if (await options.limiter.auditsCredentiallessRefusal(request.ip)) {
        options.service.recordAdminAuthFailure(actorOf(request), 'missing admin token');
      }
      return refuse(reply, 401, 'ADMIN_TOKEN_INVALID', ADMIN_TOKEN_REQUIRED);
    }
    const retryAfter = await options.limiter.retryAfterSeconds(request.ip);
    if (retryAfter > 0) {
      reply.header('Retry-After', String(retryAfter));
      return refuse(
        reply,
        429,
        'TOO_MANY_FAILURES',
        `Too many failed attempts; try again in ${retryAfter} s.`,
      );
    }
    await options.limiter.recordFailure(request.ip);
    options.service.recordAdminAuthFailure(actorOf(request), 'invalid admin token');
    return refuse(reply, 401, 'ADMIN_TOKEN_INVALID', ADMIN_TOKEN_REQUIRED);
  };
}
