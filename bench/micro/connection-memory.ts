/**
 * Memory per connection, measured inside the server process with forced GCs (repeatable, unlike
 * RSS sampled from outside): the server runs here, its clients (stock y-websocket providers, as in
 * the many-rooms scenario) run in a child process so they never count. Reported per connection:
 * V8 heap, external + array buffers, and RSS, each as (after all synced − before) / connections.
 * Rooms count too (their docs are loaded by the connections), as in the bench.
 *
 *   node --expose-gc --import tsx bench/micro/connection-memory.ts [boardhub|y-websocket-server] [ROOMS=200] [PER_ROOM=5]
 *
 * With HEAP_SNAPSHOT=prefix it also writes prefix.before.heapsnapshot and prefix.after.heapsnapshot
 * (compare them by constructor with bench/micro/heap-diff.ts).
 */
import { fork } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { writeHeapSnapshot } from 'node:v8';
import type { ClientTarget } from '../lib/protocol.js';

interface Targets {
  targets: ClientTarget[];
  perRoom: number;
}

const settle = async (): Promise<NodeJS.MemoryUsage> => {
  const gc = (globalThis as { gc?: () => void }).gc;
  if (!gc) throw new Error('run with node --expose-gc');
  for (let i = 0; i < 6; i++) {
    gc();
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  return process.memoryUsage();
};

async function startBoardhub(rooms: number): Promise<{ targets: ClientTarget[]; stop(): Promise<void> }> {
  const { createHub } = await import('../../src/hub.js');
  const dir = mkdtempSync(join(tmpdir(), 'boardhub-mem-'));
  // PING_MS: a short ping interval, so steady-state liveness checks are part of the figure.
  const pingIntervalMs = process.env.PING_MS === undefined ? undefined : Number(process.env.PING_MS);
  const hub = createHub({
    dataDir: dir,
    host: '127.0.0.1',
    port: 0,
    logLevel: 'silent',
    mdns: false,
    ...(pingIntervalMs === undefined ? {} : { pingIntervalMs }),
  });
  const { port } = await hub.start();
  const actor = { name: 'micro' };
  const targets: ClientTarget[] = [];
  for (let i = 0; i < rooms; i++) {
    const board = hub.service.createBoard(`b${i}`, actor).id;
    const { token } = await hub.service.createShare({ boardId: board, role: 'edit' }, actor);
    targets.push({
      kind: 'y-websocket',
      serverUrl: `ws://127.0.0.1:${port}/ws/canvas`,
      room: board,
      params: { token },
    });
  }
  return {
    targets,
    stop: async () => {
      await hub.stop();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

async function startYWebsocketServer(
  rooms: number,
): Promise<{ targets: ClientTarget[]; stop(): Promise<void> }> {
  const { setupWSConnection } = await import('@y/websocket-server/utils');
  const { WebSocketServer } = await import('ws');
  const wss = new WebSocketServer({ noServer: true });
  const server = createServer((_request, response) => response.end('okay'));
  wss.on('connection', (socket, request) => setupWSConnection(socket, request));
  server.on('upgrade', (request, socket, head) => {
    wss.handleUpgrade(request, socket, head, (ws) => wss.emit('connection', ws, request));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  const port = typeof address === 'object' && address !== null ? address.port : 0;
  const targets: ClientTarget[] = Array.from({ length: rooms }, (_, i) => ({
    kind: 'y-websocket',
    serverUrl: `ws://127.0.0.1:${port}`,
    room: `room-${i}`,
    params: {},
  }));
  return {
    targets,
    stop: async () => {
      for (const client of wss.clients) client.terminate();
      await new Promise((resolve) => server.close(resolve));
    },
  };
}

async function server(kind: string, rooms: number, perRoom: number): Promise<void> {
  const started = kind === 'boardhub' ? await startBoardhub(rooms) : await startYWebsocketServer(rooms);
  const before = await settle();
  if (process.env.HEAP_SNAPSHOT) writeHeapSnapshot(`${process.env.HEAP_SNAPSHOT}.before.heapsnapshot`);
  const child = fork(new URL(import.meta.url).pathname, ['--clients'], {
    execArgv: ['--import', 'tsx'],
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
  });
  const done = new Promise<void>((resolve, reject) => {
    child.on('message', (message) => {
      if (message === 'synced') resolve();
    });
    child.on('exit', (code) => reject(new Error(`clients exited with ${code}`)));
  });
  child.send({ targets: started.targets, perRoom } satisfies Targets);
  await done;
  await new Promise((resolve) => setTimeout(resolve, Number(process.env.SETTLE_MS ?? 500)));
  const after = await settle();
  if (process.env.HEAP_SNAPSHOT) writeHeapSnapshot(`${process.env.HEAP_SNAPSHOT}.after.heapsnapshot`);
  const connections = rooms * perRoom;
  const per = (key: keyof NodeJS.MemoryUsage): number => Math.round((after[key] - before[key]) / connections);
  console.log(
    JSON.stringify({
      server: kind,
      connections,
      heapUsedPerConnection: per('heapUsed'),
      externalPerConnection: per('external'),
      rssPerConnection: per('rss'),
      heapUsedBeforeMiB: +(before.heapUsed / 2 ** 20).toFixed(1),
      rssBeforeMiB: +(before.rss / 2 ** 20).toFixed(1),
    }),
  );
  child.kill();
  await started.stop();
}

async function clients(): Promise<void> {
  // Imported here only: the server side must not load this package's second copy of Yjs.
  const Y = await import('yjs');
  const { connect } = await import('../clients/connect.js');
  const job = await new Promise<Targets>((resolve) => process.once('message', (m) => resolve(m as Targets)));
  const all = [];
  for (const target of job.targets) {
    for (let i = 0; i < job.perRoom; i++) all.push(connect(target, new Y.Doc()));
    if (all.length % 50 === 0) await Promise.all(all.slice(-50).map((c) => c.synced));
  }
  await Promise.all(all.map((c) => c.synced));
  process.send?.('synced');
  await new Promise(() => {});
}

if (process.argv.includes('--clients')) await clients();
else
  await server(process.argv[2] ?? 'boardhub', Number(process.argv[3] ?? 200), Number(process.argv[4] ?? 5));
process.exit(0);
