import type { HubEvent } from '../../../src/client/hub-client.js';
import { decodeChanges } from './decoders.js';
import type { FetchLike } from './http-request.js';
import { createSseParser, type SseEvent } from './sse-reader.js';

/**
 * The hub's live updates (GET /api/events, server-sent events) shared by every subscriber: one
 * stream while anyone listens, aborted when the last one leaves.
 *
 * States: connecting → live (on the hub's `ready` event) → reconnecting (stream ended, failed or
 * silent too long) → live again, preceded by a `resync` because changes may have been missed.
 * Retries back off from 0.5 s, doubling to 5 s, with jitter so many tabs do not return at once.
 * A 401 ends the retries: the token is no longer valid, and the UI learns so on its next call.
 */
export interface EventStreamTiming {
  firstRetryMs: number;
  maxRetryMs: number;
  /** The hub sends a heartbeat comment well within this; silence longer means a dead connection. */
  silenceMs: number;
}

export const DEFAULT_EVENT_STREAM_TIMING: EventStreamTiming = {
  firstRetryMs: 500,
  maxRetryMs: 5000,
  silenceMs: 45_000,
};

export interface EventStreamOptions {
  url: string;
  token: () => string;
  fetch: FetchLike;
  timing?: EventStreamTiming;
}

export type HubEventListener = (event: HubEvent) => void;

export interface EventStream {
  subscribe(listener: HubEventListener): () => void;
}

type Outcome = 'dropped' | 'unauthorized';

interface Session {
  closed: boolean;
  state: 'connecting' | 'live' | 'reconnecting';
  /** Set once the stream was interrupted: the next `ready` must be preceded by a resync. */
  missedChanges: boolean;
  failures: number;
  controller: AbortController | null;
  /** Ends the current wait between attempts early (when the session closes). */
  wake: (() => void) | null;
}

export function createEventStream(options: EventStreamOptions): EventStream {
  const timing = options.timing ?? DEFAULT_EVENT_STREAM_TIMING;
  const listeners = new Set<HubEventListener>();
  let session: Session | null = null;

  const emit = (event: HubEvent): void => {
    for (const listener of [...listeners]) deliver(listener, event);
  };

  const reconnecting = (current: Session): void => {
    current.missedChanges = true;
    if (current.state === 'reconnecting') return;
    current.state = 'reconnecting';
    emit({ type: 'connection', state: 'reconnecting' });
  };

  const onSseEvent = (current: Session, event: SseEvent): void => {
    if (event.type === 'ready') {
      current.failures = 0;
      if (current.missedChanges) emit({ type: 'resync' });
      current.missedChanges = false;
      current.state = 'live';
      emit({ type: 'connection', state: 'live' });
    } else if (event.type === 'changes') {
      try {
        emit({ type: 'changes', changes: decodeChanges(JSON.parse(event.data)) });
      } catch {
        // Something changed, but we cannot tell what: refetching everything is always correct.
        emit({ type: 'resync' });
      }
    }
  };

  /** One connection, read until it ends; resolves how it ended. */
  const connectOnce = async (current: Session): Promise<Outcome> => {
    const controller = new AbortController();
    current.controller = controller;
    let silence: ReturnType<typeof setTimeout> | undefined;
    const heardFromHub = (): void => {
      clearTimeout(silence);
      silence = setTimeout(() => controller.abort(), timing.silenceMs);
    };
    try {
      // Armed before the answer too: a hub that accepts and then says nothing is as dead.
      heardFromHub();
      const response = await options.fetch(options.url, {
        headers: { Authorization: `Bearer ${options.token()}`, Accept: 'text/event-stream' },
        signal: controller.signal,
      });
      if (response.status === 401) return 'unauthorized';
      if (!response.ok || response.body === null) return 'dropped';
      const parser = createSseParser((event) => {
        if (!current.closed) onSseEvent(current, event);
      });
      const reader = response.body.getReader();
      const decoder = new TextDecoder();
      for (;;) {
        const { done, value } = await reader.read();
        if (done || current.closed) return 'dropped';
        heardFromHub();
        parser.push(decoder.decode(value, { stream: true }));
      }
    } catch {
      return 'dropped';
    } finally {
      clearTimeout(silence);
      // Releases the socket whichever way we left (a refused answer's body, a finished stream).
      controller.abort();
      current.controller = null;
    }
  };

  const run = async (current: Session): Promise<void> => {
    while (!current.closed) {
      const outcome = await connectOnce(current);
      if (current.closed) return;
      reconnecting(current);
      if (outcome === 'unauthorized') return;
      await waitBeforeRetry(current, retryDelay(timing, current.failures));
      current.failures++;
    }
  };

  const open = (): Session => {
    const current: Session = {
      closed: false,
      state: 'connecting',
      missedChanges: false,
      failures: 0,
      controller: null,
      wake: null,
    };
    void run(current);
    return current;
  };

  const close = (current: Session): void => {
    current.closed = true;
    current.controller?.abort();
    current.wake?.();
  };

  return {
    subscribe(listener) {
      // A function subscribed twice still gets its own subscription (and unsubscribe).
      const entry: HubEventListener = (event) => listener(event);
      listeners.add(entry);
      if (session === null) {
        session = open();
      } else if (session.state !== 'connecting') {
        // A late subscriber learns the current state, as the first ones did when it changed.
        const state = session.state;
        queueMicrotask(() => {
          if (listeners.has(entry)) deliver(entry, { type: 'connection', state });
        });
      }
      return () => {
        if (!listeners.delete(entry)) return;
        if (listeners.size === 0 && session !== null) {
          close(session);
          session = null;
        }
      };
    },
  };
}

/** 0.5 s, 1 s, 2 s, 4 s, 5 s, 5 s, …, each between half and all of that at random. */
export function retryDelay(timing: EventStreamTiming, failures: number): number {
  const ceiling = Math.min(timing.maxRetryMs, timing.firstRetryMs * 2 ** Math.min(failures, 30));
  return ceiling / 2 + Math.random() * (ceiling / 2);
}

function waitBeforeRetry(current: Session, ms: number): Promise<void> {
  return new Promise((resolve) => {
    const timer = setTimeout(done, ms);
    function done(): void {
      clearTimeout(timer);
      current.wake = null;
      resolve();
    }
    current.wake = done;
  });
}

/** A listener that throws must not stop the others or the stream; its error still surfaces. */
function deliver(listener: HubEventListener, event: HubEvent): void {
  try {
    listener(event);
  } catch (error) {
    queueMicrotask(() => {
      throw error;
    });
  }
}
