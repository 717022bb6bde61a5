/**
 * Scenario 3: many rooms. R boards x K clients each; the server's RSS growth per connection
 * (VmRSS after connecting minus its idle baseline, both settled) and its CPU time to accept
 * the connections and to relay a few edits from every client.
 *
 * The idle baseline is taken once the server has been up for `idleAfterStartMs`, not right after
 * it starts listening. About 8 s after a Node process's start-up, V8's memory reducer runs a few
 * full GCs and shrinks the young generation that loading the program had grown (measured: a
 * 16 MiB young generation back to 1 MiB, RSS 103 -> 79 MiB for Boardhub, 60 -> 55 MiB for
 * @y/websocket-server). Sampled before that, "idle" is a start-up transient, and the growth per
 * connection mostly measures how much larger each server's young generation already was: V8
 * doubles it while clients connect, so whichever server loaded more code adds more. A hub in
 * use has been up longer than that, so the baseline is the settled one; the RSS sampled right
 * after the start is still reported, as its own figure.
 */
import type { BenchConfig } from '../config.js';
import { type ProcSample, sampleProc, sleep } from '../lib/proc.js';
import { runJob } from '../lib/worker-host.js';
import type { ServerAdapter } from '../servers/types.js';
import { type ScenarioOutcome, settledRssKiB, withServer } from './harness.js';

export function manyRooms(adapter: ServerAdapter, config: BenchConfig): Promise<ScenarioOutcome> {
  const c = config.manyRooms;
  return withServer(adapter, c.rooms, async ({ data, server, problems }) => {
    const startedAt = performance.now();
    const earlyIdleRssKiB = await settledRssKiB(server.pid, c.settleMs);
    await sleep(Math.max(0, startedAt + c.idleAfterStartMs - performance.now()));
    const idleRssKiB = await settledRssKiB(server.pid, 0);
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
      idleRssEarlyMiB: earlyIdleRssKiB / 1024,
      connectedRssMiB: connectedRssKiB / 1024,
      connectCpuMs: connected.cpuMs - idle.cpuMs,
      editCpuMs: samples.get('edited')!.cpuMs - samples.get('edit-start')!.cpuMs,
      connectMs: result.connectMs,
      missingEdits: result.missingItems,
    };
  });
}
