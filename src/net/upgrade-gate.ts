import type { IncomingMessage } from 'node:http';
import { STATUS_CODES } from 'node:http';
import type { Duplex } from 'node:stream';
import type { WebSocketServer } from 'ws';
import { ROLES, type Role } from '../auth/roles.js';
import { describeError, HubError, isHubError } from '../errors.js';
import { ID_PATTERN } from '../ids.js';
import type { Logger } from '../log.js';
import type { RoomManager } from '../rooms/room-manager.js';
import type { GrantedAccess, HubService } from '../service/hub-service.js';
import type { AuditEntry } from '../storage/audit-store.js';
import { ClientConnection, type ConnectionHooks, type ConnectionIdentity } from '../sync/connection.js';
import type { AuthFailureLimiter } from './auth-failure-limiter.js';
import { BOARD_PATH_PREFIX } from './join-url.js';
import { ANOTHER_SITE_REFUSAL, isFromAnotherSite, type OriginPolicy } from './origin-policy.js';
import { StringPool } from './string-pool.js';

/**
 * The only way into a board: every check happens on the HTTP upgrade request, before a WebSocket
 * exists. A refused request gets a plain HTTP status and a JSON reason (401 bad/expired/revoked
 * token, 403 token for another board, 404 unknown board, 400 malformed path) and an audit row.
 */
export interface UpgradeGateDeps {
  service: HubService;
  rooms: RoomManager;
  wss: WebSocketServer;
  log: Logger;
  audit(entry: AuditEntry): void;
  originPolicy: OriginPolicy;
  limiter: AuthFailureLimiter;
  isAcceptingConnections(): boolean;
  /** Shared by every connection (one object, no per-connection closures). */
  connectionHooks: ConnectionHooks;
}

const MAX_USER_AGENT = 256;

function refuse(socket: Duplex, status: number, code: string, message: string): void {
  if (socket.destroyed) return;
  const body = JSON.stringify({ error: { code, message } });
  socket.end(
    `HTTP/1.1 ${status} ${STATUS_CODES[status] ?? ''}\r\n` +
      'Connection: close\r\nContent-Type: application/json; charset=utf-8\r\n' +
      `Content-Length: ${Buffer.byteLength(body)}\r\n\r\n${body}`,
  );
}

/** The board id of a /ws/canvas/{boardId} request path, and its token; HubError if malformed. */
export function parseBoardRequest(rawUrl: string | undefined): { boardId: string; token: string | null } {
  let url: URL;
  try {
    url = new URL(rawUrl ?? '', 'http://hub.invalid');
  } catch {
    throw new HubError('BAD_REQUEST', 'Malformed request URL.');
  }
  if (!url.pathname.startsWith(BOARD_PATH_PREFIX)) {
    throw new HubError('BAD_REQUEST', `WebSocket connections go to ${BOARD_PATH_PREFIX}{boardId}.`);
  }
  let boardId: string;
  try {
    boardId = decodeURIComponent(url.pathname.slice(BOARD_PATH_PREFIX.length));
  } catch {
    throw new HubError('BAD_REQUEST', 'Malformed board id.');
  }
  if (!ID_PATTERN.test(boardId)) throw new HubError('BAD_REQUEST', 'Malformed board id.');
  return { boardId, token: url.searchParams.get('token') };
}

/** The constant for a role, so connections share it instead of each keeping the row's copy. */
function internRole(role: Role): Role {
  return ROLES.find((each) => each === role) ?? role;
}

/**
 * Strings every connection keeps, one copy per value (string-pool.ts). Key ids are a handful;
 * shares, addresses and browsers are as many as the people in the room.
 */
const keyIds = new StringPool(64);
const shareStrings = new StringPool(4096);
const clientStrings = new StringPool(1024);

/** Shared, not a closure: a per-socket closure here would pin the request for the socket's life. */
function destroyOnError(this: Duplex): void {
  this.destroy();
}

export function createUpgradeGate(deps: UpgradeGateDeps) {
  return (request: IncomingMessage, socket: Duplex, head: Buffer): void => {
    // A client resetting mid-check must not become an unhandled error; ws takes over once upgraded.
    socket.on('error', destroyOnError);
    void admit(deps, request, socket, head);
  };
}

async function admit(
  deps: UpgradeGateDeps,
  request: IncomingMessage,
  socket: Duplex,
  head: Buffer,
): Promise<void> {
  const ip = request.socket.remoteAddress ?? null;
  const userAgent = request.headers['user-agent']?.slice(0, MAX_USER_AGENT) ?? null;
  let boardId: string | null = null;
  try {
    if (!deps.isAcceptingConnections()) throw new HubError('BOARD_UNAVAILABLE', 'The hub is shutting down.');
    if (!deps.originPolicy.allows(request.headers.origin, request.headers.host)) {
      throw new HubError('ORIGIN_NOT_ALLOWED', 'WebSocket connections from this web origin are not allowed.');
    }
    if (request.headers.origin === undefined && isFromAnotherSite(request.headers['sec-fetch-site'])) {
      throw new HubError('CROSS_SITE_REFUSED', ANOTHER_SITE_REFUSAL);
    }
    const parsed = parseBoardRequest(request.url);
    boardId = parsed.boardId;
    const access = await authorizeUnlessBlocked(deps, ip, parsed.token, parsed.boardId);
    if (socket.destroyed) return;
    if (!deps.isAcceptingConnections()) throw new HubError('BOARD_UNAVAILABLE', 'The hub is shutting down.');
    const room = deps.rooms.acquire(access.board.id);
    const identity: ConnectionIdentity = {
      // Strings read from SQLite or the token are new on every upgrade; the room's and the
      // constants' copies are shared by every connection, one string less each to keep.
      boardId: room.boardId,
      shareId: shareStrings.intern(access.share.id),
      label: shareStrings.intern(access.share.label),
      role: internRole(access.share.role),
      keyId: keyIds.intern(access.keyId),
      ip: clientStrings.intern(ip),
      userAgent: clientStrings.intern(userAgent),
      expiresAt: access.expiresAt,
    };
    const hooks = deps.connectionHooks;
    deps.wss.handleUpgrade(request, socket, head, (ws) => {
      socket.off('error', destroyOnError);
      new ClientConnection(ws, socket, room, identity, hooks).start();
    });
  } catch (error) {
    const hubError = isHubError(error) ? error : new HubError('INTERNAL', 'Internal error.');
    if (!isHubError(error)) deps.log.error({ err: describeError(error) }, 'upgrade failed');
    const counted = ip !== null && hubError.httpStatus === 401 && hubError.code !== 'TOKEN_MISSING';
    if (counted) await deps.limiter.recordFailure(ip);
    // A blocked IP's further attempts, and tokenless knocks past the per-minute count, are not
    // audited one by one: that would be the flood.
    const audited =
      hubError.code === 'TOKEN_MISSING'
        ? ip === null || (await deps.limiter.auditsCredentiallessRefusal(ip))
        : hubError.code !== 'TOO_MANY_FAILURES';
    if (audited)
      deps.audit({
        ts: Date.now(),
        action: 'denied',
        actor: 'anonymous',
        boardId,
        ip,
        userAgent,
        detail: { code: hubError.code, reason: hubError.message },
      });
    refuse(socket, hubError.httpStatus, hubError.code, hubError.message);
  }
}

/**
 * The token is checked first, whatever the IP's failures: a correct link is never locked out by
 * someone else's guesses. Only a wrong token from a blocked IP becomes 429 (and is not counted
 * again).
 */
async function authorizeUnlessBlocked(
  deps: UpgradeGateDeps,
  ip: string | null,
  token: string | null,
  boardId: string,
): Promise<GrantedAccess> {
  try {
    return await deps.service.authorizeBoardAccess(token, boardId);
  } catch (error) {
    if (ip === null || !isHubError(error) || error.httpStatus !== 401 || error.code === 'TOKEN_MISSING') {
      throw error;
    }
    const retryAfter = await deps.limiter.retryAfterSeconds(ip);
    if (retryAfter > 0) {
      throw new HubError('TOO_MANY_FAILURES', `Too many failed attempts; try again in ${retryAfter} s.`);
    }
    throw error;
  }
}
