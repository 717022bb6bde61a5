/**
 * Client side of scenarios 4 (cold load) and 5 (durability):
 * - fill: write many single-entry updates and wait until a second client holds them all, so the
 *   server has accepted every one before it is stopped;
 * - load: a fresh client connects and we time until it holds the expected content;
 * - stream: a writer streams at a steady rate while a reader records every sequence number it
 *   received from the server; mid-stream the orchestrator kill -9s the server (checkpoint
 *   "kill"), then both clients are destroyed at once so they cannot re-upload their state to
 *   the restarted server and mask a loss.
 */
import * as Y from 'yjs';
import type { FillJob, FillResult, LoadJob, LoadResult, StreamJob, StreamResult } from '../lib/protocol.js';
import { connect } from './connect.js';
import { append, logOf, onEntries, signal, sleep, within, yieldToLoop } from './log.js';
import type { Checkpoint } from './worker.js';

const syncTimeoutMs = 30_000;

export async function runFill(job: FillJob): Promise<FillResult> {
  const writer = connect(job.target, new Y.Doc());
  const watcher = connect(job.target, new Y.Doc());
  try {
    await within(Promise.all([writer.synced, watcher.synced]), syncTimeoutMs, 'fill clients sync');
    let confirmed = 0;
    const all = signal();
    onEntries(watcher.doc, (entries) => {
      confirmed += entries.length;
      if (confirmed >= job.updates) all.fire();
    });
    const start = performance.now();
    let written = 0;
    while (written < job.updates && performance.now() - start < job.timeoutMs) {
      append(writer.doc, written++);
      if (written % job.chunk === 0) await yieldToLoop();
    }
    await Promise.race([all.promise, sleep(Math.max(0, job.timeoutMs - (performance.now() - start)))]);
    return { written, confirmed, elapsedMs: performance.now() - start };
  } finally {
    writer.destroy();
    watcher.destroy();
  }
}

export async function runLoad(job: LoadJob): Promise<LoadResult> {
  const doc = new Y.Doc();
  const loaded = signal();
  onEntries(doc, () => {
    if (logOf(doc).length >= job.expected) loaded.fire();
  });
  const start = performance.now();
  const client = connect(job.target, doc);
  try {
    // Done when all expected content is there; if the server has less (a loss), the sync
    // completing is the end, plus a short grace period for anything still in flight.
    await Promise.race([loaded.promise, client.synced.then(() => sleep(500)), sleep(job.timeoutMs)]);
    const elapsedMs = performance.now() - start;
    const items = logOf(doc)
      .toArray()
      .map((entry) => entry.s);
    return { expected: job.expected, loaded: items.length, elapsedMs, items };
  } finally {
    client.destroy();
  }
}

export async function runStream(job: StreamJob, checkpoint: Checkpoint): Promise<StreamResult> {
  const writer = connect(job.target, new Y.Doc());
  const reader = connect(job.target, new Y.Doc());
  let destroyed = false;
  const destroyAll = () => {
    if (destroyed) return;
    destroyed = true;
    writer.destroy();
    reader.destroy();
  };
  try {
    await within(Promise.all([writer.synced, reader.synced]), syncTimeoutMs, 'stream clients sync');
    const seen: number[] = [];
    const killPoint = signal();
    onEntries(reader.doc, (entries) => {
      for (const entry of entries) seen.push(entry.s);
      if (seen.length >= job.killAfterSeen) killPoint.fire();
    });

    let sent = 0;
    let stop = false;
    const writing = (async () => {
      const intervalMs = 1000 / job.ratePerSecond;
      const start = performance.now();
      while (!stop && sent < job.maxUpdates && performance.now() - start < job.timeoutMs) {
        const wait = start + sent * intervalMs - performance.now();
        if (wait > 0) await sleep(wait);
        else await yieldToLoop();
        if (!stop) append(writer.doc, sent++);
      }
    })();

    await Promise.race([killPoint.promise, sleep(job.timeoutMs)]);
    // The writer keeps going while the orchestrator kills the server: that is "mid-stream".
    await checkpoint('kill');
    stop = true;
    destroyAll();
    await writing;
    return { sent, seen };
  } finally {
    destroyAll();
  }
}
