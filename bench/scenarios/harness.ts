/**
 * What every scenario does around its measurement: prepare a fresh data dir, start the server,
 * always stop it and remove the dir afterwards, and turn crashes and unclean stops into
 * reported problems rather than silent numbers.
 */
import type { BenchConfig } from '../config.js';
import { removeTempDir, type StopOutcome, sampleProc, sleep } from '../lib/proc.js';
import type { PreparedData, RunningServer, ServerAdapter } from '../servers/types.js';
import { median } from '../stats.js';

export type Metrics = Record<string, number>;

export interface ScenarioOutcome {
  metrics: Metrics;
  /** things a hub author should look at: crashes, losses, unclean stops, incomplete delivery */
  problems: string[];
  /** what a reader of the figures needs besides numbers (e.g. how the hub treated an attacker) */
  notes?: string[];
}

export type Scenario = (adapter: ServerAdapter, config: BenchConfig) => Promise<ScenarioOutcome>;

export interface ScenarioContext {
  data: PreparedData;
  server: RunningServer;
  problems: string[];
  notes: string[];
  /** start the server again on the same data dir (after a stop or a kill -9) */
  restart(): Promise<RunningServer>;
}

export async function withServer(
  adapter: ServerAdapter,
  boards: number,
  body: (ctx: ScenarioContext) => Promise<Metrics>,
): Promise<ScenarioOutcome> {
  const data = await adapter.prepare(boards);
  const problems: string[] = [];
  const notes: string[] = [];
  const servers: RunningServer[] = [];
  try {
    const first = await adapter.start(data.dir);
    servers.push(first);
    const ctx: ScenarioContext = {
      data,
      server: first,
      problems,
      notes,
      restart: async () => {
        const next = await adapter.start(data.dir);
        servers.push(next);
        ctx.server = next;
        return next;
      },
    };
    try {
      const metrics = await body(ctx);
      return notes.length > 0 ? { metrics, problems, notes } : { metrics, problems };
    } catch (error) {
      const crash = ctx.server.crash();
      throw new Error(
        `${error instanceof Error ? error.message : String(error)}${crash ? `\nserver ${crash}` : ''}`,
      );
    }
  } finally {
    for (const server of servers) {
      const crash = server.crash();
      if (crash) problems.push(`server ${crash}`);
      const stop = await server.stop();
      const problem = stopProblem(stop);
      if (problem) problems.push(problem);
    }
    removeTempDir(data.dir);
  }
}

/** null when the stop was clean (or the server was already gone because the scenario stopped or killed it) */
export function stopProblem(stop: StopOutcome): string | null {
  switch (stop.kind) {
    case 'clean':
    case 'already-exited':
      return null;
    case 'timeout':
      return 'server did not exit within 15 s of SIGTERM (SIGKILLed)';
    default:
      return `server did not stop cleanly on SIGTERM (${stop.detail})`;
  }
}

/** RSS is noisy (GC, allocator): take the median of a few samples a short interval apart. */
export async function settledRssKiB(pid: number, settleMs: number): Promise<number> {
  await sleep(settleMs);
  const samples: number[] = [];
  for (let i = 0; i < 5; i++) {
    samples.push(sampleProc(pid).rssKiB);
    await sleep(200);
  }
  return median(samples);
}
