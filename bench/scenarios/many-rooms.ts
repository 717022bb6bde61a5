/**
 * Scenario 3: many rooms. R boards x K clients each; the server's RSS growth per connection
 * (VmRSS after connecting minus its idle baseline, both settled) and its CPU time to accept
 * the connections and to relay a few edits from every client.
 */
import type { BenchConfig } from '../config.js';
import { type ProcSample, sampleProc } from '../lib/proc.js';
import { runJob } from '../lib/worker-host.js';
import type { ServerAdapter } from '../servers/types.js';
import { type ScenarioOutcome, settledRssKiB, withServer } from './harness.js';

export function manyRooms(adapter: ServerAdapter, config: BenchConfig): Promise<ScenarioOutcome> {
  const c = config.manyRooms;
  return withServer(adapter, c.rooms, async ({ data, server, problems }) => {
    const idleRssKiB = await settledRssKiB(server.pid, c.settleMs);
    const idle = sampleProc(server.pid);
    const samples = new Map<string, ProcSample>();
    let connectedRssKiB = Number.NaN;
    const result = await runJob(
      {
        kind: 'many-rooms',
        targets: data.boards.map((board) => server.target(board)),
        clientsPerRoom: c.clientsPerRoom,
        editsPerClient: c.editsPerClient,
        connectBatch: c.connectBatch,
      },
      240_000,
      async (name) => {
        samples.set(name, sampleProc(server.pid));
        if (name === 'connected') {
          connectedRssKiB = await settledRssKiB(server.pid, c.settleMs);
          // The settle time is idle time; restart the CPU clock for the edit phase after it.
          samples.set('edit-start', sampleProc(server.pid));
        }
      },
    );
    if (result.missingItems > 0) {
      problems.push(`many-rooms: ${result.missingItems} edits never reached some clients of their room`);
    }
    const connected = samples.get('connected')!;
    return {
      rssPerConnKiB: (connectedRssKiB - idleRssKiB) / result.connections,
      idleRssMiB: idleRssKiB / 1024,
      connectedRssMiB: connectedRssKiB / 1024,
      connectCpuMs: connected.cpuMs - idle.cpuMs,
      editCpuMs: samples.get('edited')!.cpuMs - samples.get('edit-start')!.cpuMs,
      connectMs: result.connectMs,
      missingEdits: result.missingItems,
    };
  });
}
