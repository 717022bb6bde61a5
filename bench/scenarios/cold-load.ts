/**
 * Scenario 4: cold load. Write N small updates through the server's own client, stop the
 * server cleanly, start it again on the same data, and time a fresh client from connecting to
 * holding the full content. Restart time (spawn to "listening") is reported separately.
 */
import { readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import type { BenchConfig } from '../config.js';
import { runJob } from '../lib/worker-host.js';
import type { ServerAdapter } from '../servers/types.js';
import { type ScenarioOutcome, stopProblem, withServer } from './harness.js';

/** Bytes on disk of a flat data dir (plus one level of subfolders, e.g. Boardhub's keys/). */
function dirBytes(dir: string): number {
  let total = 0;
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    total += entry.isDirectory() ? dirBytes(path) : statSync(path).size;
  }
  return total;
}

export function coldLoad(adapter: ServerAdapter, config: BenchConfig): Promise<ScenarioOutcome> {
  const c = config.coldLoad;
  return withServer(adapter, 1, async (ctx) => {
    const board = ctx.data.boards[0]!;
    const fill = await runJob(
      {
        kind: 'fill',
        target: ctx.server.target(board),
        updates: c.updates,
        chunk: c.chunk,
        timeoutMs: c.timeoutMs,
      },
      c.timeoutMs + 60_000,
    );
    if (fill.confirmed < c.updates) {
      ctx.problems.push(
        `cold-load: only ${fill.confirmed} of ${c.updates} writes were relayed before the stop`,
      );
    }
    const stop = await ctx.server.stop();
    const stopIssue = stopProblem(stop);
    if (stopIssue) ctx.problems.push(`cold-load: ${stopIssue}`);
    const diskBytes = dirBytes(ctx.data.dir);

    const restartStart = performance.now();
    const restarted = await ctx.restart();
    const restartMs = performance.now() - restartStart;
    const load = await runJob(
      { kind: 'load', target: restarted.target(board), expected: fill.confirmed, timeoutMs: c.timeoutMs },
      c.timeoutMs + 60_000,
    );
    if (load.loaded < fill.confirmed) {
      ctx.problems.push(
        `cold-load: after a clean restart the board had ${load.loaded} of ${fill.confirmed} updates`,
      );
    }
    return {
      loadMs: load.elapsedMs,
      loadedPct: (100 * load.loaded) / fill.confirmed,
      restartMs,
      stopMs: stop.ms,
      fillMs: fill.elapsedMs,
      diskKiB: diskBytes / 1024,
    };
  });
}
