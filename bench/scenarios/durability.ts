/**
 * Scenario 5: durability under kill -9. A writer streams, a reader records every update the
 * server relayed to it; mid-stream the server is SIGKILLed, restarted on the same data, and a
 * fresh client counts which of the updates the reader had seen are gone. An update a peer has
 * seen but the restarted server lacks is a lost update.
 */
import type { BenchConfig } from '../config.js';
import { runJob } from '../lib/worker-host.js';
import type { ServerAdapter } from '../servers/types.js';
import { type ScenarioOutcome, withServer } from './harness.js';

export function durability(adapter: ServerAdapter, config: BenchConfig): Promise<ScenarioOutcome> {
  const c = config.durability;
  return withServer(adapter, 1, async (ctx) => {
    const board = ctx.data.boards[0]!;
    const stream = await runJob(
      {
        kind: 'stream',
        target: ctx.server.target(board),
        ratePerSecond: c.ratePerSecond,
        killAfterSeen: c.killAfterSeen,
        maxUpdates: c.maxUpdates,
        timeoutMs: c.timeoutMs,
      },
      c.timeoutMs + 60_000,
      async (name) => {
        if (name === 'kill') await ctx.server.kill9();
      },
    );
    const restarted = await ctx.restart();
    const verify = await runJob(
      { kind: 'load', target: restarted.target(board), expected: stream.sent, timeoutMs: 30_000 },
      90_000,
    );
    const present = new Set(verify.items);
    const lost = stream.seen.filter((seq) => !present.has(seq)).length;
    if (lost > 0) {
      ctx.problems.push(
        `durability: ${lost} of ${stream.seen.length} updates a reader had received were gone after kill -9 + restart`,
      );
    }
    return {
      lost,
      lostPct: stream.seen.length > 0 ? (100 * lost) / stream.seen.length : 0,
      seen: stream.seen.length,
      sent: stream.sent,
      recovered: verify.loaded,
    };
  });
}
