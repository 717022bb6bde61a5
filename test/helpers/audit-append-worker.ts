import { openStores } from '../../src/storage/stores.js';

/**
 * A separate process appending to the audit log of a data folder, for the test that two processes
 * sharing one SQLite file still build one unbroken hash chain.
 * Usage: audit-append-worker.ts <dataDir> <actor> <batches> <startAtMs>
 * Waits until startAtMs so that concurrently spawned workers really overlap.
 */
const [dataDir, actor, batchesText, startAtText] = process.argv.slice(2);
if (dataDir === undefined || actor === undefined)
  throw new Error('usage: <dataDir> <actor> <batches> <startAtMs>');
const batches = Number(batchesText);
const startAt = Number(startAtText);

const stores = openStores(dataDir);
while (Date.now() < startAt) {
  // Spin: a timer would let the first worker finish before the second begins.
}
const pause = new Int32Array(new SharedArrayBuffer(4));
for (let i = 0; i < batches; i++) {
  // A breath between appends lets the other worker's waiting writer in, so their rows interleave.
  if (i > 0) Atomics.wait(pause, 0, 0, 1);
  const size = (i % 3) + 1;
  stores.audit.append(
    Array.from({ length: size }, (_, j) => ({
      ts: Date.now(),
      action: 'connect' as const,
      actor,
      detail: { batch: i, entry: j, pid: process.pid },
    })),
  );
}
stores.close();
