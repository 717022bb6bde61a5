import type { Socket } from 'node:net';
import * as decoding from 'lib0/decoding';
import * as encoding from 'lib0/encoding';
import WebSocket from 'ws';
import * as authProtocol from 'y-protocols/auth';
import * as syncProtocol from 'y-protocols/sync';
import * as Y from 'yjs';

/**
 * A raw WebSocket peer speaking the y-websocket wire format by hand, for sending hostile or
 * hand-made frames and reading exactly what the hub answers. Frames are built with lib0 and the
 * y-protocols constants (the stock client's own encoders), never with the hub's code under test.
 */
export const MESSAGE_SYNC = 0;
export const MESSAGE_AWARENESS = 1;
export const MESSAGE_AUTH = 2;
export const MESSAGE_QUERY_AWARENESS = 3;

export interface ServerMessage {
  type: number;
  /** Sync sub-type (step 1, step 2, update) for sync messages, else null. */
  syncType: number | null;
  frame: Uint8Array;
}

function syncFrame(syncType: number, payload: Uint8Array): Uint8Array {
  const encoder = encoding.createEncoder();
  encoding.writeVarUint(encoder, MESSAGE_SYNC);
  encoding.writeVarUint(encoder, syncType);
  encoding.writeVarUint8Array(encoder, payload);
  return encoding.toUint8Array(encoder);
}

export const frames = {
  syncStep1: (stateVector: Uint8Array = Y.encodeStateVector(new Y.Doc())): Uint8Array =>
    syncFrame(syncProtocol.messageYjsSyncStep1, stateVector),
  syncStep2: (update: Uint8Array): Uint8Array => syncFrame(syncProtocol.messageYjsSyncStep2, update),
  update: (update: Uint8Array): Uint8Array => syncFrame(syncProtocol.messageYjsUpdate, update),
  awareness: (update: Uint8Array): Uint8Array => {
    const encoder = encoding.createEncoder();
    encoding.writeVarUint(encoder, MESSAGE_AWARENESS);
    encoding.writeVarUint8Array(encoder, update);
    return encoding.toUint8Array(encoder);
  },
  queryAwareness: (): Uint8Array => Uint8Array.of(MESSAGE_QUERY_AWARENESS),
};

/** The payload of a sync message (state vector or update). */
export function syncPayload(message: ServerMessage): Uint8Array {
  const decoder = decoding.createDecoder(message.frame);
  decoding.readVarUint(decoder);
  decoding.readVarUint(decoder);
  return decoding.readVarUint8Array(decoder);
}

/** The reason of an auth permission-denied message, read with the stock y-protocols decoder. */
export function permissionDeniedReason(message: ServerMessage): string | null {
  if (message.type !== MESSAGE_AUTH) return null;
  const decoder = decoding.createDecoder(message.frame);
  decoding.readVarUint(decoder);
  let reason: string | null = null;
  authProtocol.readAuthMessage(decoder, new Y.Doc(), (_doc, why) => {
    reason = why;
  });
  return reason;
}

function decodeServerMessage(frame: Uint8Array): ServerMessage {
  const decoder = decoding.createDecoder(frame);
  const type = decoding.readVarUint(decoder);
  const syncType = type === MESSAGE_SYNC ? decoding.readVarUint(decoder) : null;
  return { type, syncType, frame };
}

export class RawPeer {
  readonly messages: ServerMessage[] = [];
  closeCode: number | null = null;
  closeReason = '';
  private readonly listeners = new Set<() => boolean>();

  private constructor(readonly ws: WebSocket) {
    ws.on('message', (data) => {
      this.messages.push(decodeServerMessage(new Uint8Array(data as Buffer)));
      this.notify();
    });
    ws.on('close', (code, reason) => {
      this.closeCode = code;
      this.closeReason = reason.toString();
      this.notify();
    });
    // A reset connection also ends in 'close' (1006); without a listener it would be rethrown.
    ws.on('error', () => {});
  }

  /** Opens a connection; the listeners are attached before the hub's first frames can arrive. */
  static open(url: string, options: WebSocket.ClientOptions = {}): Promise<RawPeer> {
    return new Promise((resolve, reject) => {
      const ws = new WebSocket(url, options);
      const peer = new RawPeer(ws);
      const onEarlyClose = (): void => reject(new Error(`connection to the hub was refused or reset`));
      ws.once('unexpected-response', (request, response) => {
        reject(new Error(`upgrade refused with HTTP ${response.statusCode}`));
        // With this listener, ws leaves the refused request to us.
        request.destroy();
      });
      ws.once('close', onEarlyClose);
      ws.once('open', () => {
        ws.off('close', onEarlyClose);
        resolve(peer);
      });
    });
  }

  get isOpen(): boolean {
    return this.ws.readyState === WebSocket.OPEN;
  }

  get isClosed(): boolean {
    return this.closeCode !== null;
  }

  send(frame: Uint8Array | string): void {
    if (this.ws.readyState === WebSocket.OPEN) this.ws.send(frame);
  }

  /** Sends several frames in one TCP write, so the hub reads them in one event-loop turn. */
  sendTogether(frameList: Uint8Array[]): void {
    // ws keeps its net.Socket private; corking it is the only way to coalesce frames.
    const socket = (this.ws as unknown as { _socket: Socket })._socket;
    socket.cork();
    for (const frame of frameList) this.send(frame);
    socket.uncork();
  }

  /**
   * Resolves with check()'s value as soon as it is truthy, re-checked on every frame and on close;
   * rejects if check() throws.
   */
  until<T>(what: string, check: () => T | undefined | null | false, timeoutMs = 10_000): Promise<T> {
    return new Promise((resolve, reject) => {
      let timer: NodeJS.Timeout | undefined;
      const listener = (): boolean => {
        let value: T | undefined | null | false;
        try {
          value = check();
        } catch (error) {
          value = undefined;
          this.listeners.delete(listener);
          clearTimeout(timer);
          reject(error);
          return true;
        }
        if (!value) return false;
        this.listeners.delete(listener);
        clearTimeout(timer);
        resolve(value);
        return true;
      };
      if (listener()) return;
      timer = setTimeout(() => {
        this.listeners.delete(listener);
        reject(new Error(`timed out waiting for ${what}`));
      }, timeoutMs);
      this.listeners.add(listener);
    });
  }

  /** The first message at index >= from that matches, waiting for it if needed. */
  nextMessage(
    what: string,
    match: (message: ServerMessage) => boolean,
    from = 0,
    timeoutMs = 10_000,
  ): Promise<ServerMessage> {
    return this.until(
      what,
      () => {
        const found = this.messages.slice(from).find(match);
        if (found) return found;
        if (this.isClosed) throw new Error(`closed (${this.closeCode}) while waiting for ${what}`);
        return undefined;
      },
      timeoutMs,
    );
  }

  /** The close code the hub ends this connection with. */
  closed(timeoutMs = 10_000): Promise<number> {
    return this.until('the hub to close the connection', () => this.closeCode, timeoutMs);
  }

  /** Closes from our side (if still open) and waits until the socket is gone. */
  async close(): Promise<void> {
    if (this.isClosed) return;
    this.ws.close();
    try {
      await this.closed(5_000);
    } catch {
      this.ws.terminate();
    }
  }

  private notify(): void {
    for (const listener of [...this.listeners]) listener();
  }
}
