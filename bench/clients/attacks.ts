/**
 * Client side of the abuse scenario: each attack of issue 14 against one room, from raw `ws`
 * sockets speaking hand-built frames (attack-frames.ts), bounded in count and stopped at its
 * deadline whatever the hub does. What the hub did to the attacker (close codes, refusals) is
 * tallied and reported; the effect on other rooms is measured by the orchestrator.
 *
 * Also the big-board preparation: a stock client writes a few megabytes of small items into a
 * board so the missing-origin attack hits a board whose reload is expensive.
 */
import { WebSocket } from 'ws';
import { WebsocketProvider } from 'y-websocket';
import * as Y from 'yjs';
import type { AttackJob, AttackResult, BigBoardJob, BigBoardResult, ClientTarget } from '../lib/protocol.js';
import {
  awarenessFrame,
  forgedStructsUpdate,
  missingOriginUpdate,
  queryAwarenessFrame,
  syncUpdateFrame,
} from './attack-frames.js';
import { connect } from './connect.js';
import { sleep, within, yieldToLoop } from './log.js';

/** Made-up client ids in the one big takeover frame (issue 14 used 1M; this keeps the run short). */
const takeoverClients = 250_000;
/** The one awareness state the amplification attacker publishes, and its silent joiners. */
const amplificationStateBytes = 16 * 1024 * 1024;
const amplificationJoiners = 20;
const amplificationQueriesEach = 3;
/** Upper bounds on frames per flood, on top of the time box. */
const floodFrameCap = 3_000_000;
const spoofFrameCap = 200_000;
/** A sender yields when this much is queued in its own socket, so it floods as fast as the hub reads. */
const senderHighWaterBytes = 1024 * 1024;
const connectTimeoutMs = 5_000;

interface Tally extends AttackResult {
  open: Set<WebSocket>;
}

function newTally(): Tally {
  return {
    frames: 0,
    bytes: 0,
    connections: 0,
    closes: {},
    firstCloseReason: '',
    refusals: 0,
    open: new Set(),
  };
}

type YWebsocketTarget = Extract<ClientTarget, { kind: 'y-websocket' }>;

function yWebsocket(target: ClientTarget): YWebsocketTarget {
  if (target.kind !== 'y-websocket') throw new Error('the abuse scenario speaks y-websocket only');
  return target;
}

/** The URL y-websocket's provider would open for this target. */
function socketUrl(target: ClientTarget): string {
  const { serverUrl, room, params } = yWebsocket(target);
  const query = new URLSearchParams(params).toString();
  return `${serverUrl}/${room}${query ? `?${query}` : ''}`;
}

/** Opens a raw socket; null when the hub did not complete the handshake in time (or refused it). */
function openRaw(target: ClientTarget, tally: Tally): Promise<WebSocket | null> {
  return new Promise((resolve) => {
    const ws = new WebSocket(socketUrl(target), { handshakeTimeout: connectTimeoutMs });
    tally.connections++;
    let opened = false;
    ws.on('message', (data: Buffer) => {
      if (data[0] === 2) tally.refusals++;
    });
    ws.once('open', () => {
      opened = true;
      tally.open.add(ws);
      resolve(ws);
    });
    // A failed handshake (refused upgrade, timeout) emits 'error' and then 'close': counted once, here.
    ws.on('error', (error: Error) => {
      if (opened) return;
      tally.closes['connect-failed'] = (tally.closes['connect-failed'] ?? 0) + 1;
      if (tally.firstCloseReason === '') tally.firstCloseReason = error.message;
      ws.terminate();
      resolve(null);
    });
    ws.once('close', (code: number, reason: Buffer) => {
      if (!opened) return;
      tally.open.delete(ws);
      tally.closes[String(code)] = (tally.closes[String(code)] ?? 0) + 1;
      if (tally.firstCloseReason === '' && reason.length > 0) tally.firstCloseReason = reason.toString();
    });
  });
}

const isOpen = (ws: WebSocket): boolean => ws.readyState === WebSocket.OPEN;

/** Sends one frame and waits while the socket's own queue is full; false once it is closed or the time is up. */
async function push(ws: WebSocket, frame: Uint8Array, tally: Tally, deadline: number): Promise<boolean> {
  if (!isOpen(ws) || performance.now() >= deadline) return false;
  ws.send(frame);
  tally.frames++;
  tally.bytes += frame.length;
  while (ws.bufferedAmount > senderHighWaterBytes && isOpen(ws) && performance.now() < deadline)
    await sleep(1);
  return isOpen(ws);
}

/** Keeps one attacker connected until the deadline: reconnects whenever the hub closes it. */
async function persist(
  target: ClientTarget,
  tally: Tally,
  deadline: number,
  body: (ws: WebSocket, attempt: number) => Promise<void>,
): Promise<void> {
  for (let attempt = 0; performance.now() < deadline; attempt++) {
    const ws = await openRaw(target, tally);
    if (ws === null) {
      await sleep(200);
      continue;
    }
    await body(ws, attempt);
    // What a stock client does too: wait a moment before reconnecting.
    await sleep(100);
  }
}

/** Resolves once `ws` is closed, or at the deadline. */
function closedOrDeadline(ws: WebSocket, deadline: number): Promise<void> {
  if (!isOpen(ws)) return Promise.resolve();
  return Promise.race([
    new Promise<void>((resolve) => ws.once('close', () => resolve())),
    sleep(Math.max(0, deadline - performance.now())),
  ]);
}

const randomClientId = (): number => 1 + Math.floor(Math.random() * 2 ** 30);

async function takeover(job: AttackJob, tally: Tally, deadline: number): Promise<void> {
  let nextClient = 1_000_000;
  await persist(job.view, tally, deadline, async (ws, attempt) => {
    if (attempt === 0) {
      await push(
        ws,
        syncUpdateFrame(forgedStructsUpdate(nextClient, takeoverClients, 0, 'x')),
        tally,
        deadline,
      );
      nextClient += takeoverClients;
    }
    const text = 'x'.repeat(1000);
    for (let i = 0; i < floodFrameCap; i++) {
      if (!(await push(ws, syncUpdateFrame(forgedStructsUpdate(nextClient++, 1, 0, text)), tally, deadline)))
        break;
      if (i % 20 === 0) await yieldToLoop();
    }
  });
}

async function amplification(job: AttackJob, tally: Tally, deadline: number): Promise<void> {
  const publisher = await openRaw(job.view, tally);
  if (publisher === null) return;
  const state = JSON.stringify({ user: { name: 'x'.repeat(amplificationStateBytes) } });
  await push(publisher, awarenessFrame([{ client: randomClientId(), clock: 1, state }]), tally, deadline);
  const joiners = await Promise.all(
    Array.from({ length: amplificationJoiners }, () => openRaw(job.view, tally)),
  );
  for (const joiner of joiners) {
    if (joiner === null) continue;
    // Never read: everything the hub sends this socket stays queued in the hub.
    joiner.pause();
    for (let i = 0; i < amplificationQueriesEach; i++)
      await push(joiner, queryAwarenessFrame(), tally, deadline);
  }
  await closedOrDeadline(publisher, deadline);
  await sleep(Math.max(0, deadline - performance.now()));
}

async function spoofing(job: AttackJob, tally: Tally, deadline: number): Promise<boolean> {
  const victimDoc = new Y.Doc();
  const { serverUrl, room, params } = yWebsocket(job.edit);
  // A stock client (with its awareness, which connect.ts does not expose) as the one impersonated.
  const victim = new WebsocketProvider(serverUrl, room, victimDoc, {
    params,
    WebSocketPolyfill: WebSocket as unknown as typeof globalThis.WebSocket,
    disableBc: true,
  });
  try {
    victim.awareness.setLocalStateField('user', { name: 'alice' });
    await Promise.race([
      new Promise<void>((resolve) => victim.on('sync', (synced: boolean) => synced && resolve())),
      sleep(connectTimeoutMs),
    ]);
    // The attacker would read this id from the awareness the hub sends on join; same process here.
    const victimId = victimDoc.clientID;
    let clock = (victim.awareness.meta.get(victimId)?.clock ?? 0) + 1;
    const forged = JSON.stringify({ user: { name: 'MALLORY posing as alice' } });
    let sent = 0;
    await persist(job.view, tally, deadline, async (ws) => {
      while (sent < spoofFrameCap) {
        sent++;
        if (
          !(await push(
            ws,
            awarenessFrame([{ client: victimId, clock: clock++, state: forged }]),
            tally,
            deadline,
          ))
        )
          break;
        if (sent % 100 === 0) await yieldToLoop();
      }
      await closedOrDeadline(ws, deadline);
    });
    const own = victim.awareness.getStates().get(victimId) as { user?: { name?: string } } | undefined;
    return own?.user?.name?.startsWith('MALLORY') === true;
  } finally {
    victim.destroy();
  }
}

async function awarenessFlood(job: AttackJob, tally: Tally, deadline: number): Promise<void> {
  const client = randomClientId();
  let clock = 1;
  await persist(job.view, tally, deadline, async (ws) => {
    for (let i = 0; i < floodFrameCap; i++) {
      const state = `{"cursor":{"x":${i % 1000},"y":1}}`;
      if (!(await push(ws, awarenessFrame([{ client, clock: clock++, state }]), tally, deadline))) break;
      if (i % 200 === 0) await yieldToLoop();
    }
  });
}

async function docFlood(job: AttackJob, tally: Tally, deadline: number): Promise<void> {
  const client = randomClientId();
  let clock = 0;
  await persist(job.view, tally, deadline, async (ws) => {
    for (let i = 0; i < floodFrameCap; i++) {
      if (!(await push(ws, syncUpdateFrame(forgedStructsUpdate(client, 1, clock++, 'x')), tally, deadline)))
        break;
      if (i % 200 === 0) await yieldToLoop();
    }
  });
}

async function missingOrigin(job: AttackJob, tally: Tally, deadline: number): Promise<void> {
  await persist(job.edit, tally, deadline, async (ws) => {
    await push(ws, syncUpdateFrame(missingOriginUpdate(randomClientId())), tally, deadline);
    await closedOrDeadline(ws, deadline);
  });
}

export async function runAttack(job: AttackJob): Promise<AttackResult> {
  const tally = newTally();
  const deadline = performance.now() + job.durationMs;
  let victimAdopted: boolean | undefined;
  try {
    switch (job.attack) {
      case 'takeover':
        await takeover(job, tally, deadline);
        break;
      case 'amplification':
        await amplification(job, tally, deadline);
        break;
      case 'spoofing':
        victimAdopted = await spoofing(job, tally, deadline);
        break;
      case 'awareness-flood':
        await awarenessFlood(job, tally, deadline);
        break;
      case 'doc-flood':
        await docFlood(job, tally, deadline);
        break;
      case 'missing-origin':
        await missingOrigin(job, tally, deadline);
        break;
    }
  } finally {
    for (const ws of tally.open) {
      tally.closes.none = (tally.closes.none ?? 0) + 1;
      ws.terminate();
    }
  }
  const { open: _open, ...result } = tally;
  return victimAdopted === undefined ? result : { ...result, victimAdopted };
}

/**
 * Fills a Y.Map with ~64-byte entries, 1,000 per transaction: a board of many small items, as a
 * drawing is (one map entry per shape). Loading a doc costs per item, not per byte, so a few
 * huge strings would make a big board that is cheap to reload.
 */
export async function runBigBoard(job: BigBoardJob): Promise<BigBoardResult> {
  const start = performance.now();
  const entryBytes = 64;
  const perTransaction = 1_000;
  const writer = connect(job.target, new Y.Doc());
  try {
    await within(writer.synced, job.timeoutMs, 'big-board writer sync');
    const shapes = writer.doc.getMap<string>('shapes');
    const filler = 'x'.repeat(entryBytes - 16);
    for (let n = 0; n * entryBytes < job.bytes; ) {
      writer.doc.transact(() => {
        for (let i = 0; i < perTransaction; i++, n++) shapes.set(`shape-${n}`, filler);
      });
      await sleep(5);
    }
  } finally {
    // Let the last frames leave before the socket goes; the reader below confirms they were stored.
    await sleep(1_000);
    writer.destroy();
  }
  const reader = connect(job.target, new Y.Doc());
  try {
    await within(reader.synced, job.timeoutMs, 'big-board reader sync');
    return { storedBytes: Y.encodeStateAsUpdate(reader.doc).length, elapsedMs: performance.now() - start };
  } finally {
    reader.destroy();
  }
}
