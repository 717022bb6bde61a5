/**
 * Scenario 2: burst throughput. The writer emits N updates as fast as it can; updates/s until
 * every reader holds all N, plus the server's CPU time for the whole burst (a figure that
 * stays meaningful even when the client process is the bottleneck).
 */
import type { BenchConfig } from '../config.js';
import { type ProcSample, sampleProc } from '../lib/proc.js';
import { runJob } from '../lib/worker-host.js';
import type { ServerAdapter } from '../servers/types.js';
import { type ScenarioOutcome, withServer } from './harness.js';

export function burst(adapter: ServerAdapter, config: BenchConfig): Promise<ScenarioOutcome> {
  const c = config.burst;
  return withServer(adapter, 1, async ({ data, server, problems }) => {
    const samples = new Map<string, ProcSample>();
    const result = await runJob(
      {
        kind: 'burst',
        target: server.target(data.boards[0]!),
        readers: c.readers,
        updates: c.updates,
        chunk: c.chunk,
        timeoutMs: c.timeoutMs,
      },
      c.timeoutMs + 60_000,
      (name) => void samples.set(name, sampleProc(server.pid)),
    );
    const expected = result.updates * result.readers;
    if (!result.complete) {
      problems.push(`burst: readers got ${result.delivered} of ${expected} updates within ${c.timeoutMs} ms`);
    }
    return {
      // An incomplete burst has no throughput; report what was delivered in the time allowed.
      updatesPerSec: result.complete
        ? (result.updates * 1000) / result.elapsedMs
        : (result.delivered / result.readers / result.elapsedMs) * 1000,
      elapsedMs: result.elapsedMs,
      serverCpuMs: samples.get('done')!.cpuMs - samples.get('ready')!.cpuMs,
    };
  });
}
