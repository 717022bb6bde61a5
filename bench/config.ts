/**
 * Every knob of `npm run bench`, read once from the environment with documented defaults.
 * The default full run (5 runs x 3 servers x 5 scenarios, plus creating 200 Boardhub boards once)
 * takes about 10 minutes on 2 cores; BENCH_QUICK=1 is a smoke pass of about two minutes.
 */
import type { ServerId } from './servers/types.js';

export const scenarioIds = ['latency', 'burst', 'many-rooms', 'cold-load', 'durability', 'abuse'] as const;
export type ScenarioId = (typeof scenarioIds)[number];
/** Run when BENCH_SCENARIOS is unset: all but "abuse", which only Boardhub can run and which is asked for by name. */
const defaultScenarioIds: readonly ScenarioId[] = scenarioIds.filter((id) => id !== 'abuse');
export const serverIds: readonly ServerId[] = ['boardhub', 'y-websocket-server', 'hocuspocus'];

export interface BenchConfig {
  quick: boolean;
  runs: number;
  servers: ServerId[];
  scenarios: ScenarioId[];
  latency: { readers: number; ratePerSecond: number; measuredUpdates: number; warmupUpdates: number };
  burst: { readers: number; updates: number; chunk: number; timeoutMs: number };
  manyRooms: {
    rooms: number;
    clientsPerRoom: number;
    editsPerClient: number;
    connectBatch: number;
    settleMs: number;
    /** the idle baseline is taken once the server has been up this long (see many-rooms.ts) */
    idleAfterStartMs: number;
  };
  coldLoad: { updates: number; chunk: number; timeoutMs: number };
  durability: { ratePerSecond: number; killAfterSeen: number; maxUpdates: number; timeoutMs: number };
  abuse: {
    /** the normal room's latency stream during each attack (same shape as the latency scenario) */
    readers: number;
    ratePerSecond: number;
    warmupUpdates: number;
    measuredUpdates: number;
    /** each attack's time box; the attacker worker is killed a few seconds past it */
    attackMs: number;
    /** size of the board the missing-origin attack hits (written before any timing) */
    bigBoardBytes: number;
    /** after an attack, how long the hub may take to answer /healthz again before it is restarted */
    recoverMs: number;
  };
  /** whole-bench watchdog: past this, everything is killed and the partial results are written */
  maxMinutes: number;
}

function int(name: string, fallback: number, min = 1): number {
  const raw = process.env[name];
  if (raw === undefined || raw === '') return fallback;
  const value = Number(raw);
  if (!Number.isInteger(value) || value < min)
    throw new Error(`${name} must be an integer >= ${min}, got "${raw}"`);
  return value;
}

function list<T extends string>(name: string, allowed: readonly T[], defaults = allowed): T[] {
  const raw = process.env[name];
  if (raw === undefined || raw.trim() === '') return [...defaults];
  const picked = raw.split(',').map((s) => s.trim());
  for (const item of picked) {
    if (!allowed.includes(item as T))
      throw new Error(`${name}: unknown "${item}" (allowed: ${allowed.join(', ')})`);
  }
  return allowed.filter((a) => picked.includes(a));
}

export function loadConfig(): BenchConfig {
  const quick = process.env.BENCH_QUICK === '1';
  const rate = int('BENCH_LATENCY_RATE', 100);
  return {
    quick,
    runs: int('BENCH_RUNS', quick ? 1 : 5),
    servers: list('BENCH_SERVERS', serverIds),
    scenarios: list('BENCH_SCENARIOS', scenarioIds, defaultScenarioIds),
    latency: {
      readers: int('BENCH_LATENCY_READERS', 20),
      ratePerSecond: rate,
      measuredUpdates: rate * int('BENCH_LATENCY_SECONDS', quick ? 3 : 10),
      warmupUpdates: rate, // one second
    },
    burst: {
      readers: int('BENCH_BURST_READERS', 20),
      updates: int('BENCH_BURST_UPDATES', quick ? 2_000 : 10_000),
      chunk: 100,
      timeoutMs: int('BENCH_BURST_TIMEOUT_MS', 60_000),
    },
    manyRooms: {
      rooms: int('BENCH_ROOMS', quick ? 40 : 200),
      clientsPerRoom: int('BENCH_CLIENTS_PER_ROOM', 5),
      editsPerClient: int('BENCH_EDITS_PER_CLIENT', 3),
      connectBatch: 50,
      settleMs: 2_000,
      idleAfterStartMs: int('BENCH_IDLE_AFTER_START_MS', 12_000, 0),
    },
    coldLoad: {
      updates: int('BENCH_COLD_UPDATES', quick ? 2_000 : 20_000),
      chunk: 200,
      timeoutMs: 60_000,
    },
    durability: {
      ratePerSecond: int('BENCH_DURABILITY_RATE', 1_000),
      killAfterSeen: int('BENCH_DURABILITY_KILL_AFTER', quick ? 500 : 3_000),
      maxUpdates: 100_000,
      timeoutMs: 30_000,
    },
    abuse: {
      readers: int('BENCH_LATENCY_READERS', 20),
      ratePerSecond: rate,
      warmupUpdates: rate,
      measuredUpdates: rate * int('BENCH_ABUSE_SECONDS', 4),
      attackMs: (1 + int('BENCH_ABUSE_SECONDS', 4)) * 1000,
      bigBoardBytes: int('BENCH_ABUSE_BOARD_MB', 5) * 1024 * 1024,
      recoverMs: 20_000,
    },
    maxMinutes: int('BENCH_MAX_MINUTES', quick ? 15 : 45),
  };
}
