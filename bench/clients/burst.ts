/**
 * Scenario 2, client side: the writer appends `updates` entries as fast as it can (yielding
 * every `chunk` so its socket flushes), and we time until every reader holds all of them.
 */
import * as Y from 'yjs';
import type { BurstJob, BurstResult } from '../lib/protocol.js';
import { connect } from './connect.js';
import { append, onEntries, signal, sleep, within, yieldToLoop } from './log.js';
import type { Checkpoint } from './worker.js';

const syncTimeoutMs = 30_000;

export async function runBurst(job: BurstJob, checkpoint: Checkpoint): Promise<BurstResult> {
  const writer = connect(job.target, new Y.Doc());
  const readers = Array.from({ length: job.readers }, () => connect(job.target, new Y.Doc()));
  try {
    await within(
      Promise.all([writer.synced, ...readers.map((r) => r.synced)]),
      syncTimeoutMs,
      'burst clients sync',
    );

    const received = new Array<number>(readers.length).fill(0);
    const allDelivered = signal();
    let readersDone = 0;
    readers.forEach((reader, i) => {
      onEntries(reader.doc, (entries) => {
        const before = received[i] as number;
        received[i] = before + entries.length;
        if (
          before < job.updates &&
          before + entries.length >= job.updates &&
          ++readersDone === readers.length
        ) {
          allDelivered.fire();
        }
      });
    });

    await checkpoint('ready');
    const start = performance.now();
    for (let seq = 0; seq < job.updates && performance.now() - start < job.timeoutMs; seq++) {
      append(writer.doc, seq);
      if ((seq + 1) % job.chunk === 0) await yieldToLoop();
    }
    const writerDoneMs = performance.now() - start;
    const remaining = Math.max(0, job.timeoutMs - writerDoneMs);
    await Promise.race([allDelivered.promise, sleep(remaining)]);
    const elapsedMs = performance.now() - start;
    await checkpoint('done');

    return {
      updates: job.updates,
      readers: job.readers,
      complete: readersDone === readers.length,
      delivered: received.reduce((a, b) => a + b, 0),
      elapsedMs,
      writerDoneMs,
    };
  } finally {
    writer.destroy();
    for (const reader of readers) reader.destroy();
  }
}
