import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { HubError, isHubError } from '../errors.js';
import { ID_PATTERN } from '../ids.js';
import {
  assertFileId,
  assertFileType,
  baseMediaType,
  tooLargeMessage,
} from '../service/board-file-service.js';
import type { GrantedAccess, HubService } from '../service/hub-service.js';
import type { AuthFailureLimiter } from './auth-failure-limiter.js';
import type { OriginPolicy } from './origin-policy.js';

/**
 * A board page's images: `PUT /b/{boardId}/files/{fileId}` (raw bytes, an image Content-Type,
 * edit role) and `GET` of the same path (every role), both with `Authorization: Bearer <share
 * token>`. Checked like a WebSocket upgrade, before any body is read: the Origin policy, the
 * failed-authentication limiter, then HubService.authorizeBoardAccess (the share row's role
 * decides). Its own fastify plugin, beside the board page's `/b/{boardId}` routes.
 */
export interface BoardFileRoutesOptions {
  service: HubService;
  originPolicy: OriginPolicy;
  limiter: AuthFailureLimiter;
}

interface FileParams {
  boardId: string;
  fileId: string;
}

const FILE_PATH = '/b/:boardId/files/:fileId';

/** Served images are never run as a page: SVG may hold script, so it gets a sandbox of its own. */
const IMMUTABLE = 'private, max-age=31536000, immutable';

const accessOf = new WeakMap<FastifyRequest, GrantedAccess>();

function bearerToken(request: FastifyRequest): string | null {
  const header = request.headers.authorization ?? '';
  return header.startsWith('Bearer ') ? header.slice('Bearer '.length).trim() : null;
}

function send(reply: FastifyReply, error: HubError): FastifyReply {
  return reply.code(error.httpStatus).send({ error: { code: error.code, message: error.message } });
}

export async function boardFileRoutes(app: FastifyInstance, options: BoardFileRoutesOptions): Promise<void> {
  const { service, originPolicy, limiter } = options;
  const maxBytes = service.files.maxBytes;

  // Any body arrives as bytes (the type is checked by the use case, with a sentence, not by fastify).
  app.addContentTypeParser('*', { parseAs: 'buffer', bodyLimit: maxBytes }, (_request, body, done) =>
    done(null, body),
  );

  app.setErrorHandler(async (error: Error & { code?: string }, _request, reply) => {
    if (isHubError(error)) return send(reply, error);
    if (error.code === 'FST_ERR_CTP_BODY_TOO_LARGE')
      return send(reply, new HubError('FILE_TOO_LARGE', tooLargeMessage(maxBytes)));
    throw error;
  });

  app.addHook('onRequest', async (request: FastifyRequest<{ Params: FileParams }>, reply) => {
    try {
      if (!originPolicy.allows(request.headers.origin, request.headers.host))
        throw new HubError('ORIGIN_NOT_ALLOWED', 'Requests from this web origin are not allowed.');
      const retryAfter = await limiter.retryAfterSeconds(request.ip);
      if (retryAfter > 0) {
        reply.header('Retry-After', String(retryAfter));
        throw new HubError('TOO_MANY_FAILURES', `Too many failed attempts; try again in ${retryAfter} s.`);
      }
      const { boardId, fileId } = request.params;
      if (!ID_PATTERN.test(boardId)) throw new HubError('BAD_REQUEST', 'Malformed board id.');
      assertFileId(fileId);
      const declared = Number(request.headers['content-length'] ?? 0);
      let access: GrantedAccess;
      try {
        access = await service.authorizeBoardAccess(bearerToken(request), boardId);
      } catch (error) {
        if (isHubError(error) && error.httpStatus === 401) await limiter.recordFailure(request.ip);
        throw error;
      }
      if (request.method === 'PUT') {
        service.files.assertMayUpload(access);
        // Refused before a byte of the body is read; the parser's limit catches a lying length.
        if (declared > maxBytes) throw new HubError('FILE_TOO_LARGE', tooLargeMessage(maxBytes));
        assertFileType(baseMediaType(request.headers['content-type']));
      }
      accessOf.set(request, access);
    } catch (error) {
      if (!isHubError(error)) throw error;
      // The request is answered here: the body (if any) is not read, so the connection closes.
      reply.header('Connection', 'close');
      return send(reply, error);
    }
    return undefined;
  });

  app.put<{ Params: FileParams; Body: Buffer }>(FILE_PATH, async (request, reply) => {
    const access = accessOf.get(request);
    if (!access) throw new HubError('INTERNAL', 'Internal error.');
    const created = service.files.upload(access, {
      fileId: request.params.fileId,
      mimeType: baseMediaType(request.headers['content-type']),
      bytes: Buffer.isBuffer(request.body) ? request.body : new Uint8Array(0),
    });
    return reply.code(created ? 201 : 200).send({ fileId: request.params.fileId, created });
  });

  app.get<{ Params: FileParams }>(FILE_PATH, async (request, reply) => {
    const access = accessOf.get(request);
    if (!access) throw new HubError('INTERNAL', 'Internal error.');
    const file = service.files.read(access, request.params.fileId);
    reply
      .header('Content-Type', file.mimeType)
      .header('Cache-Control', IMMUTABLE)
      .header('X-Content-Type-Options', 'nosniff');
    if (file.mimeType === 'image/svg+xml') reply.header('Content-Security-Policy', 'sandbox');
    return reply.send(Buffer.from(file.bytes.buffer, file.bytes.byteOffset, file.bytes.byteLength));
  });
}
