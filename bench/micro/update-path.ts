/**
 * Micro driver for the hub's per-update path, for instruction counting (callgrind): one room,
 * 1 writer + R readers, N updates pushed through the real code — ClientConnection.onFrame →
 * protocol decode → Room.receive (validation) → GroupCommit (apply, SQLite append, commit) →
 * broadcast to every reader. Only the socket is a stub (ws itself is the same for every server
 * and would only add noise), so the figure is Boardhub's own CPU per update.
 *
 *   node --import tsx bench/micro/update-path.ts [N=2000] [READERS=20]
 *   valgrind --tool=callgrind --callgrind-out-file=/tmp/cg.%p node --import tsx bench/micro/update-path.ts 2000
 *
 * Instructions per update = (Ir(N2) - Ir(N1)) / (N2 - N1): the difference cancels start-up.
 * Each update is what a y-websocket client sends for `array.push([{ s, t }])`: one ContentAny
 * item with an origin, encoded by hand here so this script needs no second copy of Yjs.
 */
import { EventEmitter } from 'node:events';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as encoding from 'lib0/encoding';
import type { WebSocket } from 'ws';
import { createLogger } from '../../src/log.js';
import { GroupCommit } from '../../src/rooms/group-commit.js';
import { RoomManager } from '../../src/rooms/room-manager.js';
import { openStores } from '../../src/storage/stores.js';
import { ClientConnection, type ConnectionHooks } from '../../src/sync/connection.js';
import { SendQueueBudget } from '../../src/sync/send-queue-budget.js';

const updates = Number(process.argv[2] ?? 2000);
const readers = Number(process.argv[3] ?? 20);

/** Just enough of a ws WebSocket for ClientConnection: counts what it is sent. */
class StubSocket extends EventEmitter {
  readonly OPEN = 1;
  readonly CLOSING = 2;
  readonly CLOSED = 3;
  readyState = 1;
  bufferedAmount = 0;
  sentFrames = 0;
  sentBytes = 0;
  readonly extensions = '';
  /** The raw socket's write, which broadcasts use (see src/sync/ws-frame.ts). */
  write(data: Uint8Array): boolean {
    this.send(data);
    return true;
  }
  send(data: Uint8Array): void {
    this.sentFrames++;
    this.sentBytes += data.byteLength;
  }
  close(): void {
    this.readyState = 3;
    this.emit('close', 1000);
  }
  terminate(): void {
    this.close();
  }
  ping(): void {}
}

const CLIENT = 424242;

/** y-websocket frame: sync update carrying one ContentAny item `{ s, t }` appended to root "entries". */
function updateFrame(seq: number): Buffer {
  const update = encoding.createEncoder();
  encoding.writeVarUint(update, 1); // one client
  encoding.writeVarUint(update, 1); // one struct
  encoding.writeVarUint(update, CLIENT);
  encoding.writeVarUint(update, seq); // clock
  if (seq === 0) {
    encoding.writeUint8(update, 8); // ContentAny, no origins: parent info follows
    encoding.writeVarUint(update, 1); // parent is a root type…
    encoding.writeVarString(update, 'entries');
  } else {
    encoding.writeUint8(update, 0x88); // ContentAny with an origin (the previous entry)
    encoding.writeVarUint(update, CLIENT);
    encoding.writeVarUint(update, seq - 1);
  }
  encoding.writeVarUint(update, 1); // one value
  encoding.writeAny(update, { s: seq, t: 1234.5678 + seq });
  encoding.writeVarUint(update, 0); // empty delete set
  const frame = encoding.createEncoder();
  encoding.writeVarUint(frame, 0); // sync
  encoding.writeVarUint(frame, 2); // update
  encoding.writeVarUint8Array(frame, encoding.toUint8Array(update));
  return Buffer.from(encoding.toUint8Array(frame));
}

async function main(): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), 'boardhub-micro-'));
  const stores = openStores(dir, { autoCheckpoint: false });
  const log = createLogger('silent');
  const commits = new GroupCommit(stores, log);
  const rooms = new RoomManager(
    stores.updates,
    stores.clientIds,
    commits,
    {
      idleUnloadMs: 60_000,
      compactAfterUpdates: 1000,
      compactAfterBytes: 4 * 1024 * 1024,
      maxAwarenessStateBytes: 32 * 1024,
      maxAwarenessIdsPerConnection: 4,
      awarenessRelayIntervalMs: 50,
    },
    log,
  );
  const boardId = 'microbenchboard0001';
  stores.boards.create(boardId, 'micro', Date.now());
  const room = rooms.acquire(boardId);
  const hooks: ConnectionHooks = {
    audit: (entry) => commits.audit(entry),
    onOpened: () => {},
    onClosed: () => {},
    maxBufferedBytes: 16 * 1024 * 1024,
    sendQueue: new SendQueueBudget(256 * 1024 * 1024),
    awarenessRateLimit: { perSecond: 300, burst: 600 },
    documentRateLimit: { perSecond: 1e9, burst: 1e9 },
    log,
  };
  const connect = (role: 'edit' | 'view'): StubSocket => {
    const socket = new StubSocket();
    const identity = {
      boardId,
      shareId: `share-${role}`,
      label: role,
      role,
      keyId: 'k1',
      ip: '127.0.0.1',
      userAgent: 'micro',
      expiresAt: null,
    };
    new ClientConnection(socket as unknown as WebSocket, socket, room, identity, hooks).start();
    return socket;
  };
  const writer = connect('edit');
  const readerSockets = Array.from({ length: readers }, () => connect('view'));
  const frames = Array.from({ length: updates }, (_, seq) => updateFrame(seq));
  await new Promise((resolve) => setImmediate(resolve));

  const started = process.hrtime.bigint();
  const cpuBefore = process.cpuUsage();
  for (const frame of frames) {
    writer.emit('message', frame, true);
    // One update per event-loop turn, like the 100/s latency stream: each is its own commit.
    await new Promise((resolve) => setImmediate(resolve));
  }
  const cpu = process.cpuUsage(cpuBefore);
  const elapsedMs = Number(process.hrtime.bigint() - started) / 1e6;
  const delivered = readerSockets.reduce((sum, s) => sum + s.sentFrames, 0);
  const expected = readers * (updates + 1); // + sync step 1 each
  if (delivered !== expected) throw new Error(`readers got ${delivered} frames, expected ${expected}`);
  console.log(
    JSON.stringify({
      updates,
      readers,
      elapsedMs: Math.round(elapsedMs),
      cpuUsPerUpdate: Math.round((cpu.user + cpu.system) / updates),
    }),
  );
  rooms.unloadAll();
  commits.close();
  stores.close();
  rmSync(dir, { recursive: true, force: true });
}

await main();
