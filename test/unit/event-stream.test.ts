import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  createEventStream,
  DEFAULT_EVENT_STREAM_TIMING,
  type EventStreamTiming,
  retryDelay,
} from '../../renderer/src/api/event-stream.js';
import type { HubEvent } from '../../src/client/hub-client.js';
import { sleep, waitFor } from '../helpers/wait.js';

/**
 * The event stream's state machine against a scripted fetch: each call to /api/events is one
 * "connection" whose body the test writes to, ends, or leaves silent. (The real hub's stream is
 * covered by test/contract/http.test.ts.)
 */
interface FakeConnection {
  headers: Headers;
  signal: AbortSignal;
  send(text: string): void;
  end(): void;
}

const FAST: EventStreamTiming = { firstRetryMs: 10, maxRetryMs: 40, silenceMs: 60_000 };
const READY = 'event: ready\ndata: {}\n\n';

function fakeHub(answer: (call: number) => 'stream' | 401 | 503 = () => 'stream') {
  const connections: FakeConnection[] = [];
  let calls = 0;
  const fetch = async (_input: string, init?: RequestInit): Promise<Response> => {
    const status = answer(calls++);
    if (status !== 'stream') {
      return new Response(JSON.stringify({ error: { code: 'X', message: 'refused' } }), { status });
    }
    const signal = init?.signal ?? new AbortController().signal;
    const encoder = new TextEncoder();
    let controller!: ReadableStreamDefaultController<Uint8Array>;
    const body = new ReadableStream<Uint8Array>({
      start: (c) => {
        controller = c;
      },
    });
    let open = true;
    signal.addEventListener('abort', () => {
      if (open) controller.error(new Error('aborted'));
      open = false;
    });
    connections.push({
      headers: new Headers(init?.headers),
      signal,
      send: (text) => {
        if (open) controller.enqueue(encoder.encode(text));
      },
      end: () => {
        if (open) controller.close();
        open = false;
      },
    });
    return new Response(body, { status: 200, headers: { 'Content-Type': 'text/event-stream' } });
  };
  return { fetch, connections, calls: () => calls };
}

/** A stream on the fake hub with the test's fast timing and a plain token. */
function streamFrom(hub: ReturnType<typeof fakeHub>) {
  return createEventStream({
    url: 'http://hub/api/events',
    token: () => 't',
    fetch: hub.fetch,
    timing: FAST,
  });
}

function recorder() {
  const events: HubEvent[] = [];
  return { events, listener: (event: HubEvent) => events.push(event) };
}

const live: HubEvent = { type: 'connection', state: 'live' };
const reconnecting: HubEvent = { type: 'connection', state: 'reconnecting' };

describe('the shared event stream (event-stream.ts)', () => {
  it('goes live on the hub’s ready event and delivers each batch of changes, with the token as a Bearer header', async () => {
    const hub = fakeHub();
    const stream = createEventStream({
      url: 'http://hub/api/events',
      token: () => 'bhadm_x.y',
      fetch: hub.fetch,
      timing: FAST,
    });
    const { events, listener } = recorder();
    const unsubscribe = stream.subscribe(listener);
    const connection = await waitFor('a connection', () => hub.connections[0]);
    assert.equal(connection.headers.get('authorization'), 'Bearer bhadm_x.y');
    connection.send(READY);
    connection.send(': ping\n\nevent: changes\ndata: {"changes":[{"topic":"boards"},');
    connection.send('{"topic":"connections","boardId":"b1"}]}\n\n');
    await waitFor('two events', () => events.length === 2);
    assert.deepEqual(events, [
      live,
      { type: 'changes', changes: [{ topic: 'boards' }, { topic: 'connections', boardId: 'b1' }] },
    ]);
    unsubscribe();
  });

  it('shares one stream among all listeners and aborts it when the last one leaves', async () => {
    const hub = fakeHub();
    const stream = streamFrom(hub);
    const first = recorder();
    const second = recorder();
    const stopFirst = stream.subscribe(first.listener);
    const stopSecond = stream.subscribe(second.listener);
    const connection = await waitFor('a connection', () => hub.connections[0]);
    connection.send(READY);
    await waitFor('both live', () => first.events.length === 1 && second.events.length === 1);
    stopFirst();
    assert.equal(connection.signal.aborted, false);
    stopSecond();
    assert.equal(connection.signal.aborted, true);
    assert.equal(hub.calls(), 1);
  });

  it('after the stream ends: reconnecting, then on the next ready a resync before live', async () => {
    const hub = fakeHub();
    const stream = streamFrom(hub);
    const { events, listener } = recorder();
    const unsubscribe = stream.subscribe(listener);
    (await waitFor('first connection', () => hub.connections[0])).send(READY);
    await waitFor('live', () => events.length === 1);
    hub.connections[0]?.end();
    const second = await waitFor('a second connection', () => hub.connections[1]);
    second.send(READY);
    await waitFor('live again', () => events.length === 4);
    assert.deepEqual(events, [live, reconnecting, { type: 'resync' }, live]);
    unsubscribe();
  });

  it('keeps retrying while the hub refuses with other errors, reporting reconnecting once', async () => {
    const hub = fakeHub((call) => (call >= 1 && call <= 3 ? 503 : 'stream'));
    const stream = streamFrom(hub);
    const { events, listener } = recorder();
    const unsubscribe = stream.subscribe(listener);
    (await waitFor('first connection', () => hub.connections[0])).send(READY);
    await waitFor('live', () => events.length === 1);
    hub.connections[0]?.end();
    (await waitFor('a stream after three refusals', () => hub.connections[1])).send(READY);
    await waitFor('live again', () => events.length === 4);
    assert.deepEqual(events, [live, reconnecting, { type: 'resync' }, live]);
    assert.equal(hub.calls(), 5);
    unsubscribe();
  });

  it('a 401 stops the retries and reports reconnecting only once', async () => {
    const hub = fakeHub((call) => (call === 0 ? 'stream' : 401));
    const stream = streamFrom(hub);
    const { events, listener } = recorder();
    const unsubscribe = stream.subscribe(listener);
    (await waitFor('first connection', () => hub.connections[0])).send(READY);
    await waitFor('live', () => events.length === 1);
    hub.connections[0]?.end();
    await waitFor('the refused retry', () => hub.calls() === 2);
    // Many retry intervals (at most 40 ms each here): none may follow a 401.
    await sleep(400);
    assert.equal(hub.calls(), 2);
    assert.deepEqual(events, [live, reconnecting]);
    unsubscribe();
  });

  it('treats a stream silent for longer than the heartbeat allowance as dead', async () => {
    const hub = fakeHub();
    const stream = createEventStream({
      url: 'http://hub/api/events',
      token: () => 't',
      fetch: hub.fetch,
      timing: { ...FAST, silenceMs: 150 },
    });
    const { events, listener } = recorder();
    const unsubscribe = stream.subscribe(listener);
    const first = await waitFor('first connection', () => hub.connections[0]);
    first.send(READY);
    const second = await waitFor('a new connection after the silence', () => hub.connections[1]);
    assert.equal(first.signal.aborted, true);
    second.send(READY);
    await waitFor('live again', () => events.length === 4);
    assert.deepEqual(events, [live, reconnecting, { type: 'resync' }, live]);
    unsubscribe();
  });

  it('heartbeats keep a quiet stream alive', async () => {
    const hub = fakeHub();
    const stream = createEventStream({
      url: 'http://hub/api/events',
      token: () => 't',
      fetch: hub.fetch,
      timing: { ...FAST, silenceMs: 300 },
    });
    const unsubscribe = stream.subscribe(() => {});
    const connection = await waitFor('a connection', () => hub.connections[0]);
    connection.send(READY);
    for (let beat = 0; beat < 8; beat++) {
      await sleep(100);
      connection.send(': ping\n\n');
    }
    assert.equal(connection.signal.aborted, false);
    assert.equal(hub.calls(), 1);
    unsubscribe();
  });

  it('a batch it cannot read asks for a resync instead', async () => {
    const hub = fakeHub();
    const stream = streamFrom(hub);
    const { events, listener } = recorder();
    const unsubscribe = stream.subscribe(listener);
    const connection = await waitFor('a connection', () => hub.connections[0]);
    connection.send(
      `${READY}event: changes\ndata: {"changes":[{"topic":42}]}\n\nevent: changes\ndata: nope\n\n`,
    );
    await waitFor('three events', () => events.length === 3);
    assert.deepEqual(events, [live, { type: 'resync' }, { type: 'resync' }]);
    unsubscribe();
  });

  it('a listener subscribing late is told the current state', async () => {
    const hub = fakeHub();
    const stream = streamFrom(hub);
    const first = recorder();
    const late = recorder();
    const stopFirst = stream.subscribe(first.listener);
    (await waitFor('a connection', () => hub.connections[0])).send(READY);
    await waitFor('live', () => first.events.length === 1);
    const stopLate = stream.subscribe(late.listener);
    await waitFor('the late listener told', () => late.events.length === 1);
    assert.deepEqual(late.events, [live]);
    assert.equal(hub.calls(), 1);
    stopLate();
    stopFirst();
  });

  it('waits 0.5 s doubling to 5 s between attempts, jittered within each step', () => {
    const ceilings = [500, 1000, 2000, 4000, 5000, 5000, 5000];
    for (const [failures, ceiling] of ceilings.entries()) {
      for (let sample = 0; sample < 50; sample++) {
        const delay = retryDelay(DEFAULT_EVENT_STREAM_TIMING, failures);
        assert.ok(delay >= ceiling / 2 && delay <= ceiling, `attempt ${failures}: ${delay} ms`);
      }
    }
    assert.ok(retryDelay(DEFAULT_EVENT_STREAM_TIMING, 10_000) <= 5000);
  });
});
