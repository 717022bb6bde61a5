import WebSocket from 'ws';
import { WebsocketProvider } from 'y-websocket';
import * as Y from 'yjs';
import { waitFor } from './wait.js';

// Each y-websocket provider adds a process 'exit' listener; tests open dozens on purpose.
process.setMaxListeners(200);

/**
 * A stock y-websocket client in Node. disableBc is essential: Node has a global
 * BroadcastChannel, and without it two providers in one process sync directly, bypassing the hub.
 */
export interface TestClient {
  doc: Y.Doc;
  provider: WebsocketProvider;
  closeEvents: Array<{ code: number; reason: string }>;
  destroy(): void;
}

export function connectClient(wsBase: string, boardId: string, token: string, doc = new Y.Doc()): TestClient {
  const provider = new WebsocketProvider(wsBase, boardId, doc, {
    WebSocketPolyfill: WebSocket as unknown as typeof globalThis.WebSocket,
    disableBc: true,
    params: { token },
  });
  const closeEvents: TestClient['closeEvents'] = [];
  provider.on('connection-close', (event) => {
    if (event) closeEvents.push({ code: event.code, reason: event.reason });
  });
  return {
    doc,
    provider,
    closeEvents,
    destroy: () => {
      provider.destroy();
      doc.destroy();
    },
  };
}

export async function connectSynced(
  wsBase: string,
  boardId: string,
  token: string,
  doc?: Y.Doc,
): Promise<TestClient> {
  const client = connectClient(wsBase, boardId, token, doc);
  await waitFor('client to sync', () => client.provider.synced);
  return client;
}

export interface RawResult {
  status: number;
  body: string;
}

/** Attempts a WebSocket upgrade and reports the HTTP status of a refusal (or 101 on success). */
export function tryUpgrade(url: string, headers: Record<string, string> = {}): Promise<RawResult> {
  return new Promise((resolve, reject) => {
    const ws = new WebSocket(url, { headers });
    ws.on('open', () => {
      ws.terminate();
      resolve({ status: 101, body: '' });
    });
    ws.on('unexpected-response', (_request, response) => {
      let body = '';
      response.on('data', (chunk: Buffer) => {
        body += chunk.toString();
      });
      response.on('end', () => resolve({ status: response.statusCode ?? 0, body }));
    });
    ws.on('error', (error) => {
      if (!String(error.message).includes('Unexpected server response')) reject(error);
    });
  });
}

/** An open raw WebSocket (no Yjs), for sending hand-made or hostile frames. */
export function openRaw(url: string, options: WebSocket.ClientOptions = {}): Promise<WebSocket> {
  return new Promise((resolve, reject) => {
    const ws = new WebSocket(url, options);
    ws.once('open', () => resolve(ws));
    ws.once('error', reject);
  });
}

export function closeCodeOf(ws: WebSocket, timeoutMs = 10_000): Promise<number> {
  return new Promise((resolve, reject) => {
    if (ws.readyState === WebSocket.CLOSED) {
      reject(new Error('already closed'));
      return;
    }
    const timer = setTimeout(() => reject(new Error('socket was not closed')), timeoutMs);
    ws.once('close', (code) => {
      clearTimeout(timer);
      resolve(code);
    });
  });
}
