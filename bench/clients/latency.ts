/**
 * Scenario 1, client side: 1 writer + N readers in this one process (one clock), writer appends
 * at a fixed rate, every reader records now - sendTime for every entry it receives.
 * The first `warmupUpdates` are delivered but not recorded (JIT, socket buffers).
 * With `countUndelivered`, a measured entry a reader never got counts as delayed until the end
 * of the drain (see LatencyJob).
 */
import * as Y from 'yjs';
import type { LatencyJob, LatencyResult } from '../lib/protocol.js';
import { summarize } from '../stats.js';
import { connect } from './connect.js';
import { append, onEntries, signal, sleep, within, yieldToLoop } from './log.js';
import type { Checkpoint } from './worker.js';

const syncTimeoutMs = 30_000;
const drainTimeoutMs = 10_000;

export async function runLatency(job: LatencyJob, checkpoint: Checkpoint): Promise<LatencyResult> {
  const total = job.warmupUpdates + job.measuredUpdates;
  const writer = connect(job.target, new Y.Doc());
  const readers = Array.from({ length: job.readers }, () => connect(job.target, new Y.Doc()));
  try {
    await within(
      Promise.all([writer.synced, ...readers.map((r) => r.synced)]),
      syncTimeoutMs,
      'latency clients sync',
    );

    const samples: number[] = [];
    const received = new Array<number>(readers.length).fill(0);
    const seen = readers.map(() => new Uint8Array(total));
    const allDelivered = signal();
    let readersDone = 0;
    readers.forEach((reader, i) => {
      onEntries(reader.doc, (entries, now) => {
        for (const entry of entries) {
          if (entry.s >= job.warmupUpdates) samples.push(now - entry.t);
          if (entry.s < total) (seen[i] as Uint8Array)[entry.s] = 1;
        }
        const before = received[i] as number;
        received[i] = before + entries.length;
        if (before < total && before + entries.length >= total && ++readersDone === readers.length)
          allDelivered.fire();
      });
    });

    await checkpoint('ready');
    const intervalMs = 1000 / job.ratePerSecond;
    const start = performance.now();
    // Hard stop at twice the nominal duration: a server that falls behind must not stretch the run.
    const deadline = start + total * intervalMs * 2 + 5_000;
    for (let seq = 0; seq < total && performance.now() < deadline; seq++) {
      const wait = start + seq * intervalMs - performance.now();
      if (wait > 0) await sleep(wait);
      else await yieldToLoop();
      append(writer.doc, seq);
    }
    await Promise.race([allDelivered.promise, sleep(drainTimeoutMs)]);
    const end = performance.now();
    let undelivered = 0;
    for (const got of seen) {
      for (let seq = job.warmupUpdates; seq < total; seq++) {
        if (got[seq] === 1) continue;
        undelivered++;
        if (job.countUndelivered) samples.push(end - (start + seq * intervalMs));
      }
    }
    await checkpoint('done');

    const summary = summarize(samples);
    return {
      samples: summary.count,
      undelivered,
      expectedSamples: job.measuredUpdates * job.readers,
      p50: summary.p50,
      p90: summary.p90,
      p99: summary.p99,
      max: summary.max,
      mean: summary.mean,
    };
  } finally {
    writer.destroy();
    for (const reader of readers) reader.destroy();
  }
}
