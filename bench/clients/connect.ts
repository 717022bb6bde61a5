/**
 * Builds each server's own stock client around a Y.Doc: y-websocket's WebsocketProvider for
 * Boardhub and @y/websocket-server, HocuspocusProvider for Hocuspocus. Each client gets its own
 * WebSocket connection (no multiplexing), so N clients mean N sockets on every server.
 */
import { HocuspocusProvider, HocuspocusProviderWebsocket } from '@hocuspocus/provider';
import { WebSocket } from 'ws';
import { WebsocketProvider } from 'y-websocket';
import type * as Y from 'yjs';
import type { ClientTarget } from '../lib/protocol.js';

export interface Client {
  doc: Y.Doc;
  /** resolves after the first full sync with the server (sync step 2 received) */
  synced: Promise<void>;
  destroy(): void;
}

export function connect(target: ClientTarget, doc: Y.Doc): Client {
  return target.kind === 'y-websocket' ? connectYWebsocket(target, doc) : connectHocuspocus(target, doc);
}

function connectYWebsocket(target: Extract<ClientTarget, { kind: 'y-websocket' }>, doc: Y.Doc): Client {
  const provider = new WebsocketProvider(target.serverUrl, target.room, doc, {
    params: target.params,
    // ws speaks the browser WebSocket API the provider uses; only its typings differ (no dispatchEvent).
    WebSocketPolyfill: WebSocket as unknown as typeof globalThis.WebSocket,
    // Without this, providers in one Node 20 process sync over BroadcastChannel, bypassing the server.
    disableBc: true,
  });
  const synced = new Promise<void>((resolve, reject) => {
    if (provider.synced) return resolve();
    provider.on('sync', (isSynced: boolean) => {
      if (isSynced) resolve();
    });
    // A 44xx close is permanent for stock clients (bad token, no such board): fail fast.
    provider.on('connection-close', (event: { code?: number; reason?: string } | null) => {
      const code = event?.code ?? 0;
      if (code >= 4400 && code <= 4499)
        reject(new Error(`server refused the connection: ${code} ${event?.reason ?? ''}`));
    });
  });
  synced.catch(() => {});
  return { doc, synced, destroy: () => provider.destroy() };
}

function connectHocuspocus(target: Extract<ClientTarget, { kind: 'hocuspocus' }>, doc: Y.Doc): Client {
  const socket = new HocuspocusProviderWebsocket({ url: target.url, WebSocketPolyfill: WebSocket });
  const provider = new HocuspocusProvider({ websocketProvider: socket, name: target.name, document: doc });
  // With an explicit websocketProvider, v3 providers must be attached by hand.
  provider.attach();
  const synced = new Promise<void>((resolve, reject) => {
    if (provider.isSynced) return resolve();
    provider.on('synced', () => resolve());
    provider.on('authenticationFailed', ({ reason }: { reason: string }) =>
      reject(new Error(`auth failed: ${reason}`)),
    );
  });
  synced.catch(() => {});
  return {
    doc,
    synced,
    destroy: () => {
      provider.destroy();
      socket.destroy();
    },
  };
}
