/**
 * `npm run bench`: runs every scenario against Boardhub and its two peers, interleaved
 * (A,B,C per scenario, repeated BENCH_RUNS times) so slow phases of a noisy shared machine hit
 * all servers alike; prints the median table with Boardhub's ratio to each peer and writes
 * the raw numbers to bench/results/. See docs/BENCHMARKS.md for the method.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { type BenchConfig, loadConfig } from './config.js';
import { describeMachine, oneMinuteLoad } from './lib/machine.js';
import { cleanup } from './lib/proc.js';
import { buildRows, computeMedians, markdownTable, type RunRecord } from './report.js';
import { applies, firstRoundOnly, scenarios } from './scenarios/index.js';
import { boardhub } from './servers/boardhub.js';
import { hocuspocus } from './servers/hocuspocus.js';
import type { ServerAdapter } from './servers/types.js';
import { yWebsocketServer } from './servers/y-websocket-server.js';

const resultsDir = fileURLToPath(new URL('./results/', import.meta.url));
const records: RunRecord[] = [];
const startedAt = new Date();
// Taken at the start so the recorded commit is the one whose build the Boardhub adapter snapshots.
const machine = describeMachine();

function summaryLine(record: RunRecord): string {
  if (record.status !== 'ok')
    return record.status === 'n/a' ? 'n/a' : `ERROR ${record.error?.split('\n')[0]}`;
  return Object.entries(record.metrics)
    .map(([k, v]) => `${k}=${Number.isInteger(v) ? v : v.toFixed(2)}`)
    .join(' ');
}

async function runAll(config: BenchConfig, adapters: ServerAdapter[]): Promise<void> {
  for (let run = 1; run <= config.runs; run++) {
    for (const scenario of config.scenarios) {
      if (run > 1 && firstRoundOnly.has(scenario)) continue;
      for (const adapter of adapters) {
        const started = performance.now();
        const record: RunRecord = {
          run,
          scenario,
          server: adapter.id,
          status: 'ok',
          metrics: {},
          problems: [],
          seconds: 0,
        };
        if (!applies(scenario, adapter)) {
          record.status = 'n/a';
        } else {
          try {
            const outcome = await scenarios[scenario](adapter, config);
            record.metrics = outcome.metrics;
            record.problems = outcome.problems;
            if (outcome.notes) record.notes = outcome.notes;
          } catch (error) {
            record.status = 'error';
            record.error = error instanceof Error ? error.message : String(error);
            record.problems = [`${scenario}: ${record.error}`];
          }
        }
        record.seconds = (performance.now() - started) / 1000;
        records.push(record);
        console.log(
          `[run ${run}/${config.runs}] ${scenario.padEnd(10)} ${adapter.id.padEnd(18)} ${summaryLine(record)} (${record.seconds.toFixed(1)} s)`,
        );
        for (const note of record.notes ?? []) console.log(`    - ${note}`);
        for (const problem of record.problems) console.log(`    ! ${problem.split('\n').join('\n      ')}`);
      }
    }
  }
}

function problemsByServer(adapters: ServerAdapter[]): Record<string, string[]> {
  const out: Record<string, string[]> = {};
  for (const adapter of adapters) {
    const counts = new Map<string, number>();
    for (const record of records.filter((r) => r.server === adapter.id)) {
      for (const problem of record.problems) counts.set(problem, (counts.get(problem) ?? 0) + 1);
    }
    out[adapter.id] = [
      ...adapter.warnings,
      ...[...counts].map(([problem, n]) => (n > 1 ? `${problem} (x${n})` : problem)),
    ];
  }
  return out;
}

function report(
  config: BenchConfig,
  adapters: ServerAdapter[],
  skipped: Record<string, string>,
  complete: boolean,
) {
  const medians = computeMedians(records);
  const rows = buildRows(medians, config.scenarios);
  const table = markdownTable(rows);
  const problems = problemsByServer(adapters);
  const stamp = startedAt.toISOString().replace(/[:.]/g, '-');
  mkdirSync(resultsDir, { recursive: true });
  const jsonPath = `${resultsDir}bench-${stamp}.json`;
  const mdPath = `${resultsDir}bench-${stamp}.md`;
  writeFileSync(
    jsonPath,
    `${JSON.stringify(
      {
        complete,
        startedAt: startedAt.toISOString(),
        finishedAt: new Date().toISOString(),
        machine: { ...machine, loadAverage1mAtEnd: oneMinuteLoad() },
        config,
        servers: Object.fromEntries(adapters.map((a) => [a.id, a.label])),
        skipped,
        medians,
        table: rows,
        problems,
        records,
      },
      null,
      2,
    )}\n`,
  );
  const notes = [
    `Medians of ${config.runs} run(s)${config.quick ? ' (BENCH_QUICK=1: reduced sizes)' : ''}${config.scenarios.some((id) => firstRoundOnly.has(id)) ? ` (${[...firstRoundOnly].join(', ')}: first round only)` : ''}; ratio = Boardhub / peer, verdict by the "Better" column.`,
    `Machine: ${machine.nproc} cores, ${machine.cpuModel}, Node ${machine.node}, load average ${machine.loadAverage1m} at the start, ${oneMinuteLoad()} at the end; Boardhub ${machine.boardhub}.`,
    ...Object.entries(skipped).map(([id, why]) => `Skipped ${id}: ${why}.`),
  ];
  const problemText = Object.entries(problems)
    .filter(([, list]) => list.length > 0)
    .map(
      ([id, list]) => `Problems seen with ${id}:\n${list.map((p) => `  - ${p.split('\n')[0]}`).join('\n')}`,
    )
    .join('\n');
  const phaseText = records
    .filter((r) => r.notes !== undefined)
    .map(
      (r) =>
        `${r.scenario} phases (${r.server}, run ${r.run}):\n${r.notes?.map((n) => `  - ${n}`).join('\n')}`,
    )
    .join('\n');
  writeFileSync(
    mdPath,
    `${table}\n\n${notes.join('\n')}\n${phaseText ? `\n${phaseText}\n` : ''}${problemText ? `\n${problemText}\n` : ''}`,
  );
  console.log(`\n${table}\n\n${notes.join('\n')}${phaseText ? `\n\n${phaseText}` : ''}`);
  if (problemText) console.log(`\n${problemText}`);
  console.log(`\nRaw results: ${jsonPath}\nTable: ${mdPath}`);
}

async function main(): Promise<void> {
  const config = loadConfig();
  const all = [boardhub, yWebsocketServer, hocuspocus].filter((a) => config.servers.includes(a.id));
  const skipped: Record<string, string> = {};
  const adapters = all.filter((adapter) => {
    const reason = adapter.unavailableReason();
    if (reason) skipped[adapter.id] = reason;
    return reason === null;
  });
  for (const [id, reason] of Object.entries(skipped)) console.log(`Skipping ${id}: ${reason}`);
  if (machine.loadAverage1m > machine.nproc) {
    console.log(
      `Note: load average ${machine.loadAverage1m} on ${machine.nproc} cores; other work will add noise.`,
    );
  }
  console.log(
    `Benchmark: ${config.runs} run(s) x [${config.scenarios.join(', ')}] x [${adapters.map((a) => a.id).join(', ')}]`,
  );

  const abort = (why: string, code: number) => {
    console.error(`\n${why}: killing all children, writing partial results.`);
    cleanup();
    report(config, adapters, skipped, false);
    process.exit(code);
  };
  process.once('SIGINT', () => abort('Interrupted', 130));
  process.once('SIGTERM', () => abort('Terminated', 143));
  const watchdog = setTimeout(
    () => abort(`Exceeded BENCH_MAX_MINUTES=${config.maxMinutes}`, 2),
    config.maxMinutes * 60_000,
  );
  watchdog.unref();

  try {
    const boardsNeeded = config.scenarios.includes('many-rooms') ? config.manyRooms.rooms : 1;
    for (const adapter of adapters) {
      if (!adapter.setup) continue;
      const started = performance.now();
      await adapter.setup(boardsNeeded);
      console.log(
        `Setup ${adapter.id}: ${boardsNeeded} board(s) in ${((performance.now() - started) / 1000).toFixed(1)} s`,
      );
    }
    await runAll(config, adapters);
  } finally {
    clearTimeout(watchdog);
    cleanup();
  }
  report(config, adapters, skipped, true);
}

main().catch((error: unknown) => {
  cleanup();
  console.error(error);
  process.exit(1);
});
