/**
 * Scenario 1: delivery latency. One room, 1 writer + N readers in one client process, writer
 * appends at a fixed rate; p50/p99 of writer-to-reader delay, plus the server's CPU time spent
 * during the measured stream.
 */
import type { BenchConfig } from '../config.js';
import { type ProcSample, sampleProc } from '../lib/proc.js';
import { runJob } from '../lib/worker-host.js';
import type { ServerAdapter } from '../servers/types.js';
import { type ScenarioOutcome, withServer } from './harness.js';

export function latency(adapter: ServerAdapter, config: BenchConfig): Promise<ScenarioOutcome> {
  const c = config.latency;
  return withServer(adapter, 1, async ({ data, server, problems }) => {
    const samples = new Map<string, ProcSample>();
    const totalUpdates = c.warmupUpdates + c.measuredUpdates;
    const result = await runJob(
      {
        kind: 'latency',
        target: server.target(data.boards[0]!),
        readers: c.readers,
        ratePerSecond: c.ratePerSecond,
        warmupUpdates: c.warmupUpdates,
        measuredUpdates: c.measuredUpdates,
      },
      // sync + twice the nominal send time + drain, with margin
      60_000 + ((totalUpdates * 1000) / c.ratePerSecond) * 2,
      (name) => void samples.set(name, sampleProc(server.pid)),
    );
    if (result.samples < result.expectedSamples) {
      problems.push(
        `latency: readers got ${result.samples} of ${result.expectedSamples} measured deliveries`,
      );
    }
    return {
      p50Ms: result.p50,
      p99Ms: result.p99,
      maxMs: result.max,
      deliveredPct: (100 * result.samples) / result.expectedSamples,
      serverCpuMs: samples.get('done')!.cpuMs - samples.get('ready')!.cpuMs,
    };
  });
}
