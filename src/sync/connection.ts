import type { Duplex } from 'node:stream';
import type { WebSocket } from 'ws';
import type { Role } from '../auth/roles.js';
import { describeError } from '../errors.js';
import type { Logger } from '../log.js';
import type { Room } from '../rooms/room.js';
import type { RoomMember, WriteRefusal } from '../rooms/types.js';
import type { AuditEntry } from '../storage/audit-store.js';
import { CloseCode } from './close-codes.js';
import {
  type ClientMessage,
  decodeClientMessage,
  encodePermissionDenied,
  ProtocolError,
} from './protocol.js';
import { type RateLimit, TokenBucket } from './rate-limit.js';
import type { QueuedReader, SendQueueBudget } from './send-queue-budget.js';
import { frameHeaderLength } from './ws-frame.js';

/**
 * One client's WebSocket, from accepted to closed: decodes each frame, hands it to its room, and
 * keeps what the audit log wants to know (who, from where, how long, how many refused writes).
 * Anything malformed closes this connection only, with a protocol-error code and an audit row.
 */
export interface ConnectionIdentity {
  boardId: string;
  shareId: string;
  label: string;
  /** Changes live when the share's role is changed. */
  role: Role;
  /** Signing key of the token it came in with. */
  keyId: string;
  ip: string | null;
  userAgent: string | null;
  /** Seconds since the epoch; the connection is closed with 4401 at that moment. */
  expiresAt: number | null;
}

export interface ConnectionHooks {
  audit(entry: AuditEntry): void;
  onOpened(connection: ClientConnection): void;
  onClosed(connection: ClientConnection): void;
  maxBufferedBytes: number;
  /** The hub-wide cap on bytes queued to slow readers, shared by every connection. */
  sendQueue: SendQueueBudget;
  awarenessRateLimit: RateLimit;
  documentRateLimit: RateLimit;
  log: Logger;
}

/** A reader closed as too far behind gets this long to take its close frame, then is dropped. */
const BEHIND_CLOSE_GRACE_MS = 1000;

/**
 * Refusing costs the hub work (a scope check per update), and refused clock ranges are kept per
 * connection: past either budget the connection is closed. A stock client on a read-only link
 * refuses a few small changes a minute at most; it reconnects and starts a fresh budget.
 */
const MAX_REFUSED_BYTES = 8 * 1024 * 1024;
const MAX_REFUSED_CLIENTS = 10_000;

/** setTimeout cannot wait longer than this; longer expiries re-arm. */
const MAX_TIMER_MS = 2 ** 31 - 1;

let nextConnectionId = 1;

/** Each open socket's connection, for the shared listeners (entries go with their sockets). */
const connectionOf = new WeakMap<WebSocket, ClientConnection>();

export class ClientConnection implements RoomMember, QueuedReader {
  readonly id = nextConnectionId++;
  awarenessIds: number[] | null = null;
  readonly connectedAt = Date.now();
  /** Set by a pong; cleared by each liveness check. */
  alive = true;
  private refusedWrites = 0;
  private firstRefusedAt: number | null = null;
  private refusedBytes = 0;
  private overRefusalBudget = false;
  /** Per client id, the lowest clock refused on this connection: later clocks cannot integrate. */
  private refusedClocks: Map<number, number> | null = null;
  private expiryTimer: NodeJS.Timeout | null = null;
  private closed = false;
  /** Set when a size or rate limit closed it: nothing it sends after that is handled. */
  private overLimit = false;
  /** Awareness and query-awareness messages; document (sync) messages. */
  private readonly awarenessBucket: TokenBucket;
  private readonly documentBucket: TokenBucket;
  /** Created only when someone waits for the close (shutdown): most connections never need it. */
  private closedCallbacks: Array<() => void> | null = null;
  /**
   * The upgraded socket under `ws`, for frames built once per broadcast. Only without extensions:
   * with permessage-deflate (which the hub does not offer) ws's sender would own the framing.
   */
  private readonly socket: Pick<Duplex, 'write'> | null;

  constructor(
    private readonly ws: WebSocket,
    socket: Pick<Duplex, 'write'>,
    private readonly room: Room,
    readonly identity: ConnectionIdentity,
    private readonly hooks: ConnectionHooks,
  ) {
    this.socket = ws.extensions === '' ? socket : null;
    const now = Date.now();
    this.awarenessBucket = new TokenBucket(hooks.awarenessRateLimit, now);
    this.documentBucket = new TokenBucket(hooks.documentRateLimit, now);
  }

  get queuedBytes(): number {
    return this.ws.bufferedAmount;
  }

  get role(): Role {
    return this.identity.role;
  }

  get shareId(): string {
    return this.identity.shareId;
  }

  /** A role change applies to the very next message. */
  setRole(role: Role): void {
    if (this.identity.role === role) return;
    this.auditEvent('role_applied', { from: this.identity.role, to: role });
    this.identity.role = role;
  }

  start(): void {
    connectionOf.set(this.ws, this);
    this.ws.on('message', onMessage);
    this.ws.on('pong', onPong);
    this.ws.on('error', onError);
    this.ws.on('close', onCloseEvent);
    this.armExpiry();
    this.hooks.onOpened(this);
    this.auditEvent('connect', {});
    this.room.join(this);
  }

  send(frame: Uint8Array): void {
    if (!this.mayWrite()) return;
    this.ws.send(frame);
    this.hooks.sendQueue.noteQueued(this);
  }

  /**
   * Writes a ready WebSocket frame to the socket, past ws's sender. Safe beside ws's own writes:
   * without compression ws writes every frame whole and synchronously, so frames never
   * interleave, and its bufferedAmount counts these bytes too. Never after ws began closing.
   */
  sendFramed(frame: Buffer): void {
    if (!this.mayWrite()) return;
    if (this.socket === null) this.ws.send(frame.subarray(frameHeaderLength(frame)));
    else this.socket.write(frame);
    this.hooks.sendQueue.noteQueued(this);
  }

  private mayWrite(): boolean {
    if (this.ws.readyState !== this.ws.OPEN) return false;
    if (this.ws.bufferedAmount > this.hooks.maxBufferedBytes) {
      // A reader this far behind resyncs from scratch on reconnect; we must not buffer forever.
      this.closeBehind('too far behind; reconnect to resync');
      return false;
    }
    return true;
  }

  /**
   * Closes a reader that is too far behind with 1013. Its close frame waits behind everything
   * queued, which a reader that does not read never takes: it is dropped after a grace period,
   * so what it queued is freed then and not after ws's 30 s close timeout.
   */
  closeBehind(reason: string): void {
    this.close(CloseCode.tryAgainLater, reason);
    setTimeout(() => {
      if (!this.closed) this.ws.terminate();
    }, BEHIND_CLOSE_GRACE_MS).unref();
  }

  close(code: number, reason: string): void {
    if (this.ws.readyState === this.ws.CLOSING || this.ws.readyState === this.ws.CLOSED) return;
    this.ws.close(code, reason);
  }

  /** Drops the socket without a closing handshake (shutdown grace period over). */
  terminate(): void {
    this.ws.terminate();
  }

  onceClosed(callback: () => void): void {
    if (this.closed) callback();
    else if (this.closedCallbacks === null) this.closedCallbacks = [callback];
    else this.closedCallbacks.push(callback);
  }

  refuseWrite({ reason, bytes, ranges }: WriteRefusal): void {
    this.refusedWrites++;
    this.firstRefusedAt ??= Date.now();
    this.refusedBytes += bytes;
    this.refusedClocks ??= new Map();
    const clocks = this.refusedClocks;
    for (let i = 0; i < ranges.length; i += 2) {
      const client = ranges[i] as number;
      const from = ranges[i + 1] as number;
      const known = clocks.get(client);
      if (known === undefined || from < known) clocks.set(client, from);
    }
    if (this.refusedBytes > MAX_REFUSED_BYTES || clocks.size > MAX_REFUSED_CLIENTS) {
      // Updates already read in this turn are refused after the close: one audit row for all.
      if (this.overRefusalBudget) return;
      this.overRefusalBudget = true;
      const why = 'too many refused changes; reload the page';
      this.auditEvent('protocol_error', { reason: why, refusedBytes: this.refusedBytes });
      this.close(CloseCode.policyViolation, why);
      return;
    }
    this.send(encodePermissionDenied(reason));
  }

  refusedFrom(client: number): number | undefined {
    return this.refusedClocks?.get(client);
  }

  failProtocol(reason: string): void {
    this.auditEvent('protocol_error', { reason });
    this.close(CloseCode.protocolError, reason);
  }

  exceedLimit(code: number, reason: string): void {
    if (this.overLimit) return;
    this.overLimit = true;
    this.auditEvent('protocol_error', { reason, limit: true });
    this.close(code, reason);
  }

  /** Ping/pong liveness: false means no pong since the last check, so the peer is gone. */
  checkAlive(): boolean {
    if (!this.alive) {
      this.ws.terminate();
      return false;
    }
    this.alive = false;
    this.ws.ping();
    return true;
  }

  /** From the socket's shared listeners (below the class), as are the next three. */
  onFrame(data: unknown, isBinary: boolean): void {
    // Frames already read when a limit closed the connection (a flood's tail) are not handled.
    if (this.overLimit) return;
    if (!isBinary || !Buffer.isBuffer(data)) {
      this.auditEvent('protocol_error', { reason: 'text frame' });
      this.close(CloseCode.unsupportedData, 'binary frames only');
      return;
    }
    try {
      const message = decodeClientMessage(data);
      if (this.withinRateLimit(message)) this.room.receive(this, message);
    } catch (error) {
      if (error instanceof ProtocolError) {
        this.failProtocol(error.message);
        return;
      }
      // A bug of ours must cost this one connection, never the hub.
      this.hooks.log.error(
        { boardId: this.identity.boardId, err: describeError(error) },
        'message handling failed',
      );
      this.close(CloseCode.internalError, 'internal error');
    }
  }

  /** Over a ceiling, the connection is closed with 4429 and one audit row (no further frames are read). */
  private withinRateLimit(message: ClientMessage): boolean {
    const presence = message.kind === 'awareness' || message.kind === 'query-awareness';
    const bucket = presence ? this.awarenessBucket : this.documentBucket;
    if (bucket.take(Date.now())) return true;
    const { perSecond, burst } = presence ? this.hooks.awarenessRateLimit : this.hooks.documentRateLimit;
    this.exceedLimit(
      CloseCode.tooManyMessages,
      `too many ${presence ? 'presence' : 'document'} messages (over ${perSecond}/s, bursts of ${burst})`,
    );
    return false;
  }

  onSocketError(error: Error & { code?: string }): void {
    // ws has already closed the socket (e.g. 1009 for an oversized frame); record why.
    const reason = error.code === 'WS_ERR_UNSUPPORTED_MESSAGE_LENGTH' ? 'frame too large' : error.message;
    this.auditEvent('protocol_error', { reason });
  }

  onClose(code: number): void {
    if (this.expiryTimer) clearTimeout(this.expiryTimer);
    this.hooks.sendQueue.forget(this);
    this.room.leave(this);
    const durationMs = Date.now() - this.connectedAt;
    if (this.refusedWrites > 0) {
      this.auditEvent('write_refused', { count: this.refusedWrites, firstAt: this.firstRefusedAt });
    }
    this.auditEvent('disconnect', { durationMs, code, refusedWrites: this.refusedWrites });
    this.closed = true;
    this.hooks.onClosed(this);
    const callbacks = this.closedCallbacks;
    this.closedCallbacks = null;
    if (callbacks !== null) for (const callback of callbacks) callback();
  }

  private armExpiry(): void {
    if (this.identity.expiresAt === null) return;
    const remaining = this.identity.expiresAt * 1000 - Date.now();
    this.expiryTimer = setTimeout(
      () => {
        if (this.identity.expiresAt !== null && this.identity.expiresAt * 1000 > Date.now()) this.armExpiry();
        else this.close(CloseCode.tokenInvalid, 'token expired');
      },
      Math.max(0, Math.min(remaining, MAX_TIMER_MS)),
    );
    this.expiryTimer.unref();
  }

  private auditEvent(action: AuditEntry['action'], detail: Record<string, unknown>): void {
    const { boardId, shareId, label, ip, userAgent } = this.identity;
    this.hooks.audit({
      ts: Date.now(),
      action,
      actor: `share:${shareId}`,
      boardId,
      shareId,
      label,
      ip,
      userAgent,
      detail: { connection: this.id, role: this.role, ...detail },
    });
  }
}

/*
 * The socket's listeners are shared by every connection (`this` is the socket), not four
 * closures per connection: with a thousand guests that is a quarter of a megabyte.
 */
function onMessage(this: WebSocket, data: unknown, isBinary: boolean): void {
  connectionOf.get(this)?.onFrame(data, isBinary);
}

function onPong(this: WebSocket): void {
  const connection = connectionOf.get(this);
  if (connection) connection.alive = true;
}

function onError(this: WebSocket, error: Error & { code?: string }): void {
  connectionOf.get(this)?.onSocketError(error);
}

function onCloseEvent(this: WebSocket, code: number): void {
  connectionOf.get(this)?.onClose(code);
}
