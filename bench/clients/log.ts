/**
 * The document shape every scenario edits: one Y.Array "log" of small entries, each pushed in
 * its own transaction so that every entry is one Yjs update on the wire. `s` is a sequence
 * number (to count and match updates), `t` the writer's performance.now() at send time (to
 * measure delivery latency; only compared within one process, so clocks agree).
 */
import type * as Y from 'yjs';

export interface Entry {
  s: number;
  t: number;
}

export function logOf(doc: Y.Doc): Y.Array<Entry> {
  return doc.getArray<Entry>('log');
}

export function append(doc: Y.Doc, seq: number): void {
  logOf(doc).push([{ s: seq, t: performance.now() }]);
}

/** Calls `onInsert` with every batch of entries that arrives in `doc`, including the initial sync. */
export function onEntries(doc: Y.Doc, onInsert: (entries: Entry[], now: number) => void): void {
  logOf(doc).observe((event: Y.YArrayEvent<Entry>) => {
    const now = performance.now();
    for (const change of event.changes.delta) {
      if (Array.isArray(change.insert)) onInsert(change.insert as Entry[], now);
    }
  });
}

export function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/** Yields to the event loop so sockets can flush and incoming messages get processed. */
export function yieldToLoop(): Promise<void> {
  return new Promise((resolve) => setImmediate(resolve));
}

export async function within<T>(promise: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  try {
    return await Promise.race([
      promise,
      new Promise<never>((_, reject) => {
        timer = setTimeout(() => reject(new Error(`timed out after ${ms} ms: ${what}`)), ms);
      }),
    ]);
  } finally {
    clearTimeout(timer);
  }
}

/** A promise plus its resolver, for "resolve when the last reader caught up". */
export function signal(): { promise: Promise<void>; fire: () => void } {
  let fire = () => {};
  const promise = new Promise<void>((resolve) => {
    fire = resolve;
  });
  return { promise, fire };
}
