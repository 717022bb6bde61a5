/**
 * Scenario 6 (Boardhub only, opt-in): abuse. A normal room runs the latency stream while a
 * second room is under one attack of issue 14 at a time, each from raw sockets through a view or
 * edit link, time-boxed (clients/attacks.ts). Per phase: the normal room's delivery p99 and max,
 * the hub's peak RSS, /healthz's worst response, and how the attacker was treated. Each attack
 * is judged against the quiet phase (no attack) of the same run: p99 <= 2x quiet, peak RSS <=
 * quiet + 100 MiB.
 *
 * Every phase gets a fresh hub process on the same data dir and its own attacked board, so what
 * one attack leaves behind (memory, a bloated board) cannot count against the next. A hub that
 * does not answer /healthz within `recoverMs` after its phase is recorded as unresponsive and
 * killed.
 */
import type { BenchConfig } from '../config.js';
import { type HubWatch, waitHealthy, watchHub } from '../lib/hub-watch.js';
import type { AttackId, AttackResult, LatencyResult } from '../lib/protocol.js';
import { runJob } from '../lib/worker-host.js';
import type { BoardHandle, ServerAdapter } from '../servers/types.js';
import {
  type Metrics,
  type ScenarioContext,
  type ScenarioOutcome,
  stopProblem,
  withServer,
} from './harness.js';

/** In the order they run, after the quiet phase; issue 14's defects 1+2, 3, 4, 5 (twice), 6. */
export const attackIds: readonly AttackId[] = [
  'takeover',
  'amplification',
  'spoofing',
  'awareness-flood',
  'doc-flood',
  'missing-origin',
];

export const abuseTargets = { p99xQuiet: 2, rssOverQuietMiB: 100 } as const;

interface AttackedRoom {
  attack: AttackId;
  view: BoardHandle;
  edit: BoardHandle;
}

interface PhaseOutcome {
  latency: LatencyResult | null;
  attacker: AttackResult | null;
  watch: Awaited<ReturnType<HubWatch['stop']>>;
  /** why there are no figures, or what went wrong around them */
  failure: string | null;
  recovered: boolean;
}

const MiB = 1024;

async function runPhase(
  ctx: ScenarioContext,
  c: BenchConfig['abuse'],
  normal: BoardHandle,
  room: AttackedRoom | null,
): Promise<PhaseOutcome> {
  const server = ctx.server;
  const watch = watchHub(server.pid, server.port);
  // A holder, not a `let`: it is set inside the checkpoint callback, which TypeScript does not follow.
  const attackRun: { done: Promise<AttackResult | Error> | null } = { done: null };
  let latency: LatencyResult | null = null;
  let failure: string | null = null;
  const totalUpdates = c.warmupUpdates + c.measuredUpdates;
  try {
    latency = await runJob(
      {
        kind: 'latency',
        target: server.target(normal),
        readers: c.readers,
        ratePerSecond: c.ratePerSecond,
        warmupUpdates: c.warmupUpdates,
        measuredUpdates: c.measuredUpdates,
        countUndelivered: true,
      },
      60_000 + ((totalUpdates * 1000) / c.ratePerSecond) * 2,
      (name) => {
        // The attack starts with the stream (its first second is the stream's unrecorded warm-up).
        if (name !== 'ready' || room === null) return;
        attackRun.done = runJob(
          {
            kind: 'attack',
            attack: room.attack,
            view: server.target(room.view),
            edit: server.target(room.edit),
            durationMs: c.attackMs,
          },
          // past its own deadline the attacker worker is killed, whatever it is waiting for
          c.attackMs + 10_000,
        ).catch((error: unknown) => (error instanceof Error ? error : new Error(String(error))));
      },
    );
  } catch (error) {
    failure = `normal room: ${error instanceof Error ? error.message.split('\n')[0] : String(error)}`;
  }
  const attackOutcome = attackRun.done === null ? null : await attackRun.done;
  const summary = await watch.stop();
  let attacker: AttackResult | null = null;
  if (attackOutcome instanceof Error) failure ??= `attacker: ${attackOutcome.message.split('\n')[0]}`;
  else attacker = attackOutcome;
  const recovered = server.crash() === null && (await waitHealthy(server.port, c.recoverMs));
  return { latency, attacker, watch: summary, failure, recovered };
}

/** "closed 1002 x3 ("malformed update"), open at the end x1" */
function treatment(attacker: AttackResult): string {
  const closes = Object.entries(attacker.closes)
    .map(([code, n]) => `${code === 'none' ? 'still open at the end' : code} x${n}`)
    .join(', ');
  return [
    `${attacker.frames.toLocaleString('en-US')} frames (${(attacker.bytes / 1024 / 1024).toFixed(1)} MiB) over ${attacker.connections} connection(s)`,
    `connections: ${closes || 'none'}${attacker.firstCloseReason ? ` (first reason: "${attacker.firstCloseReason}")` : ''}`,
    `${attacker.refusals.toLocaleString('en-US')} permission-denied replies`,
    ...(attacker.victimAdopted === undefined
      ? []
      : [`victim's own client ${attacker.victimAdopted ? 'ADOPTED' : 'did not adopt'} the forged presence`]),
  ].join('; ');
}

function phaseMetrics(id: string, phase: PhaseOutcome): Metrics {
  const metrics: Metrics = {
    [`${id}.peakRssMiB`]: phase.watch.peakRssKiB / MiB,
    [`${id}.healthzWorstMs`]: phase.watch.healthzWorstMs,
    [`${id}.healthzUnanswered`]: phase.watch.healthzUnanswered,
    [`${id}.hubUnresponsive`]: phase.recovered && phase.watch.healthzUnanswered === 0 ? 0 : 1,
  };
  if (phase.latency !== null) {
    metrics[`${id}.p99Ms`] = phase.latency.p99;
    metrics[`${id}.maxMs`] = phase.latency.max;
    metrics[`${id}.deliveredPct`] =
      (100 * (phase.latency.samples - phase.latency.undelivered)) / phase.latency.expectedSamples;
  }
  if (phase.attacker !== null) {
    metrics[`${id}.attackerFrames`] = phase.attacker.frames;
    metrics[`${id}.attackerRefusals`] = phase.attacker.refusals;
    metrics[`${id}.attackerClosedByHub`] = Object.entries(phase.attacker.closes)
      .filter(([code]) => code !== 'none' && code !== 'connect-failed')
      .reduce((sum, [, n]) => sum + n, 0);
  }
  return metrics;
}

function phaseNote(id: string, phase: PhaseOutcome, quiet: Metrics): string {
  const p99 = phase.latency?.p99;
  const quietP99 = quiet['quiet.p99Ms'];
  const parts = [
    p99 === undefined
      ? 'normal room: no figures'
      : `normal room p99 ${p99.toFixed(2)} ms${quietP99 ? ` (${(p99 / quietP99).toFixed(2)}x quiet)` : ''}, max ${phase.latency?.max.toFixed(1)} ms, ${phase.latency?.undelivered ?? 0} deliveries missing`,
    `peak RSS ${(phase.watch.peakRssKiB / MiB).toFixed(0)} MiB`,
    `/healthz worst ${phase.watch.healthzWorstMs.toFixed(0)} ms, ${phase.watch.healthzUnanswered} of ${phase.watch.healthzRequests} unanswered`,
  ];
  if (!phase.recovered) parts.push('HUB UNRESPONSIVE after the attack (killed, restarted)');
  if (phase.attacker !== null) parts.push(`attacker: ${treatment(phase.attacker)}`);
  if (phase.failure !== null) parts.push(phase.failure);
  return `${id}: ${parts.join('; ')}`;
}

/** A fresh hub process on the same data for the next phase; a hub that hangs is killed, not waited for. */
async function freshHub(ctx: ScenarioContext, recovered: boolean): Promise<void> {
  if (recovered) {
    const problem = stopProblem(await ctx.server.stop());
    if (problem) ctx.problems.push(`abuse: ${problem}`);
  } else {
    await ctx.server.kill9();
  }
  await ctx.restart();
}

export async function abuse(adapter: ServerAdapter, config: BenchConfig): Promise<ScenarioOutcome> {
  const { shareLink } = adapter;
  if (shareLink === undefined) throw new Error(`${adapter.id} has no roles: the abuse scenario is n/a`);
  const c = config.abuse;
  // Board 0 is the normal room, board i+1 the room of attack i. One at a time: each may grow the template.
  const rooms: AttackedRoom[] = [];
  for (const [i, attack] of attackIds.entries()) {
    rooms.push({ attack, view: await shareLink(i + 1, 'view'), edit: await shareLink(i + 1, 'edit') });
  }
  return withServer(adapter, 1 + attackIds.length, async (ctx) => {
    const normal = ctx.data.boards[0]!;
    const metrics: Metrics = {};
    const bigRoom = rooms.find((room) => room.attack === 'missing-origin');
    if (bigRoom) {
      const big = await runJob(
        {
          kind: 'big-board',
          target: ctx.server.target(bigRoom.edit),
          bytes: c.bigBoardBytes,
          timeoutMs: 60_000,
        },
        90_000,
      );
      metrics['missing-origin.boardMiB'] = big.storedBytes / 1024 / 1024;
    }
    await freshHub(ctx, true);

    const quietPhase = await runPhase(ctx, c, normal, null);
    Object.assign(metrics, phaseMetrics('quiet', quietPhase));
    ctx.notes.push(phaseNote('quiet', quietPhase, metrics));
    if (quietPhase.latency === null) throw new Error(`abuse: the quiet phase failed: ${quietPhase.failure}`);

    let previousRecovered = quietPhase.recovered;
    for (const room of rooms) {
      await freshHub(ctx, previousRecovered);
      const phase = await runPhase(ctx, c, normal, room);
      const figures = phaseMetrics(room.attack, phase);
      const p99 = figures[`${room.attack}.p99Ms`];
      if (p99 !== undefined) figures[`${room.attack}.p99xQuiet`] = p99 / quietPhase.latency.p99;
      figures[`${room.attack}.rssOverQuietMiB`] =
        (phase.watch.peakRssKiB - quietPhase.watch.peakRssKiB) / MiB;
      Object.assign(metrics, figures);
      ctx.notes.push(phaseNote(room.attack, phase, metrics));
      if (phase.failure !== null) ctx.problems.push(`abuse ${room.attack}: ${phase.failure}`);
      if (!phase.recovered)
        ctx.problems.push(`abuse ${room.attack}: hub unresponsive ${c.recoverMs / 1000} s after the attack`);
      previousRecovered = phase.recovered;
    }
    return metrics;
  });
}
