/**
 * Scenario 3, client side: `clientsPerRoom` clients on each of the target rooms, connected in
 * batches (a real office does not open 1,000 sockets in the same millisecond), then every
 * client makes a few spaced edits and we wait until every client has every edit of its room.
 * The orchestrator samples the server's RSS and CPU at the checkpoints.
 */
import * as Y from 'yjs';
import type { ManyRoomsJob, ManyRoomsResult } from '../lib/protocol.js';
import { type Client, connect } from './connect.js';
import { append, onEntries, signal, sleep, within } from './log.js';
import type { Checkpoint } from './worker.js';

const batchTimeoutMs = 30_000;
const convergeTimeoutMs = 60_000;
const editSpacingMs = 200;

export async function runManyRooms(job: ManyRoomsJob, checkpoint: Checkpoint): Promise<ManyRoomsResult> {
  const clients: Client[] = [];
  const expected = job.clientsPerRoom * job.editsPerClient;
  const converged = signal();
  let clientsDone = 0;
  const total = job.targets.length * job.clientsPerRoom;
  try {
    const connectStart = performance.now();
    const plan = job.targets.flatMap((target) => Array.from({ length: job.clientsPerRoom }, () => target));
    for (let i = 0; i < plan.length; i += job.connectBatch) {
      const batch = plan.slice(i, i + job.connectBatch).map((target) => {
        const client = connect(target, new Y.Doc());
        let count = 0;
        onEntries(client.doc, (entries) => {
          const before = count;
          count += entries.length;
          if (before < expected && count >= expected && ++clientsDone === total) converged.fire();
        });
        return client;
      });
      clients.push(...batch);
      await within(
        Promise.all(batch.map((c) => c.synced)),
        batchTimeoutMs,
        `many-rooms batch at client ${i}`,
      );
    }
    const connectMs = performance.now() - connectStart;

    await checkpoint('connected');
    const editStart = performance.now();
    // Spread the first edit of each client over one spacing interval instead of a thundering herd.
    await Promise.all(
      clients.map(async (client, i) => {
        await sleep((i * 37) % editSpacingMs);
        for (let e = 0; e < job.editsPerClient; e++) {
          append(client.doc, i * 1000 + e);
          await sleep(editSpacingMs);
        }
      }),
    );
    await Promise.race([converged.promise, sleep(convergeTimeoutMs)]);
    const convergeMs = performance.now() - editStart;
    await checkpoint('edited');

    const missingItems = clients.reduce(
      (sum, c) => sum + Math.max(0, expected - c.doc.getArray('log').length),
      0,
    );
    return { connections: clients.length, connectMs, convergeMs, missingItems };
  } finally {
    for (const client of clients) client.destroy();
  }
}
