import assert from 'node:assert/strict';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, describe, it } from 'node:test';
import { WebSocket, WebSocketServer } from 'ws';
import { createLogger } from '../../src/log.js';
import type { Room } from '../../src/rooms/room.js';
import { ClientConnection } from '../../src/sync/connection.js';
import { SendQueueBudget } from '../../src/sync/send-queue-budget.js';
import { frameBinaryMessage } from '../../src/sync/ws-frame.js';

/**
 * Broadcasts are framed once and written to each socket past ws's sender (connection.ts,
 * sendFramed). That is only sound while ws writes every frame whole and in order, i.e. without
 * compression: with permessage-deflate ws compresses asynchronously, and a frame written past it
 * would overtake messages still being compressed. The hub offers no extensions, but should one
 * ever be negotiated, sendFramed must fall back to ws.send. Real ws server and client on
 * 127.0.0.1, with and without permessage-deflate; mixed sends must arrive intact and in order.
 */
const silent = createLogger('silent');
const hooks = {
  audit: () => {},
  onOpened: () => {},
  onClosed: () => {},
  maxBufferedBytes: 64 * 1024 * 1024,
  sendQueue: new SendQueueBudget(256 * 1024 * 1024),
  awarenessRateLimit: { perSecond: 300, burst: 600 },
  documentRateLimit: { perSecond: 1000, burst: 20_000 },
  log: silent,
};
const identity = {
  boardId: 'board',
  shareId: 'share',
  label: 'test',
  role: 'view' as const,
  keyId: 'key',
  ip: null,
  userAgent: null,
  expiresAt: null,
};

interface Harness {
  server: Server;
  url: string;
  connections: Promise<ClientConnection>;
}

function listen(perMessageDeflate: boolean): Promise<Harness> {
  const wss = new WebSocketServer({ noServer: true, perMessageDeflate, clientTracking: false });
  const server = createServer();
  const connections = new Promise<ClientConnection>((resolve) => {
    server.on('upgrade', (request, socket, head) => {
      wss.handleUpgrade(request, socket, head, (ws) => {
        // sendFramed never touches the room; the connection is not started (no room to join).
        resolve(new ClientConnection(ws, socket, {} as Room, { ...identity }, hooks));
      });
    });
  });
  return new Promise((resolve) => {
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as AddressInfo;
      resolve({ server, url: `ws://127.0.0.1:${port}`, connections });
    });
  });
}

/** Distinct, compressible payloads: each says which send it was. */
const payload = (index: number, size: number) => Buffer.alloc(size, index % 256);

describe('framed broadcast sends', () => {
  const servers: Server[] = [];
  after(() => {
    for (const server of servers) server.close();
  });

  for (const deflate of [false, true]) {
    it(`${deflate ? 'with' : 'without'} permessage-deflate, mixed sends arrive intact and in order`, async () => {
      const harness = await listen(deflate);
      servers.push(harness.server);
      const client = new WebSocket(harness.url, { perMessageDeflate: deflate });
      const received: Buffer[] = [];
      const expected: Buffer[] = [];
      const count = 40;
      const allReceived = new Promise<void>((resolve) => {
        client.on('message', (data: Buffer) => {
          received.push(data);
          if (received.length === count) resolve();
        });
      });
      await new Promise<void>((resolve, reject) => {
        client.once('open', () => resolve());
        client.once('error', reject);
      });
      const connection = await harness.connections;
      assert.equal(client.extensions !== '', deflate, 'the extension was negotiated as intended');

      for (let i = 0; i < count; i++) {
        // Large ones are compressed (asynchronously) when deflate is on; small ones go framed.
        const message = payload(i, i % 2 === 0 ? 64 * 1024 : 10 + i);
        expected.push(message);
        if (i % 2 === 0) connection.send(message);
        else connection.sendFramed(frameBinaryMessage(message));
      }
      await allReceived;
      client.close();
      assert.equal(received.length, count);
      received.forEach((message, index) => {
        assert.deepEqual(message, expected[index], `message ${index} arrived intact and in its place`);
      });
    });
  }
});
