/**
 * What the orchestrator and a client worker process say to each other over the fork() IPC
 * channel. Plain JSON-serialisable types, no imports with side effects: the orchestrator
 * (type-checked by the root tsconfig) imports this file without needing bench/node_modules.
 *
 * A job runs in one worker process. The worker may pause at named checkpoints; the
 * orchestrator samples the server's /proc counters (or kills the server) at each one and then
 * answers "continue". This is how server CPU and RSS get attributed to exact phases.
 */

/** How a client reaches one board on one server: enough to build the server's stock client. */
export type ClientTarget =
  | { kind: 'y-websocket'; serverUrl: string; room: string; params: Record<string, string> }
  | { kind: 'hocuspocus'; url: string; name: string };

export interface LatencyJob {
  kind: 'latency';
  target: ClientTarget;
  readers: number;
  ratePerSecond: number;
  warmupUpdates: number;
  measuredUpdates: number;
  /**
   * Count each measured entry a reader never got as delayed by (end of the drain - its scheduled
   * send time), a lower bound, so a stalled server cannot look fast by delivering little.
   */
  countUndelivered?: boolean;
}

export interface BurstJob {
  kind: 'burst';
  target: ClientTarget;
  readers: number;
  updates: number;
  chunk: number;
  timeoutMs: number;
}

export interface ManyRoomsJob {
  kind: 'many-rooms';
  targets: ClientTarget[];
  clientsPerRoom: number;
  editsPerClient: number;
  connectBatch: number;
}

/** Writes `updates` single-item transactions and waits until a second client has them all. */
export interface FillJob {
  kind: 'fill';
  target: ClientTarget;
  updates: number;
  chunk: number;
  timeoutMs: number;
}

/** A fresh client connects and reports how long until it holds `expected` items (or gives up). */
export interface LoadJob {
  kind: 'load';
  target: ClientTarget;
  expected: number;
  timeoutMs: number;
}

/** Writer streams updates, reader records them; checkpoint "kill" is raised mid-stream. */
export interface StreamJob {
  kind: 'stream';
  target: ClientTarget;
  ratePerSecond: number;
  killAfterSeen: number;
  maxUpdates: number;
  timeoutMs: number;
}

/** The attacks of the abuse scenario (see scenarios/abuse.ts); "quiet" runs none. */
export type AttackId =
  | 'takeover'
  | 'amplification'
  | 'spoofing'
  | 'awareness-flood'
  | 'doc-flood'
  | 'missing-origin';

/** One attack on one room through raw sockets, stopped at `durationMs` whatever happens. */
export interface AttackJob {
  kind: 'attack';
  attack: AttackId;
  /** the attacked room through a view link and through an edit link */
  view: ClientTarget;
  edit: ClientTarget;
  durationMs: number;
}

/** Writes about `bytes` of text into a board through a stock client and confirms it is stored. */
export interface BigBoardJob {
  kind: 'big-board';
  target: ClientTarget;
  bytes: number;
  timeoutMs: number;
}

export type Job =
  | LatencyJob
  | BurstJob
  | ManyRoomsJob
  | FillJob
  | LoadJob
  | StreamJob
  | AttackJob
  | BigBoardJob;

export interface LatencyResult {
  /** recorded delays: the deliveries, plus the undelivered ones when the job counts them */
  samples: number;
  /** measured entries some reader never received by the end of the drain */
  undelivered: number;
  expectedSamples: number;
  p50: number;
  p90: number;
  p99: number;
  max: number;
  mean: number;
}

export interface BurstResult {
  updates: number;
  readers: number;
  complete: boolean;
  delivered: number;
  elapsedMs: number;
  writerDoneMs: number;
}

export interface ManyRoomsResult {
  connections: number;
  connectMs: number;
  convergeMs: number;
  missingItems: number;
}

export interface FillResult {
  written: number;
  confirmed: number;
  elapsedMs: number;
}

export interface LoadResult {
  expected: number;
  loaded: number;
  elapsedMs: number;
  items: number[];
}

export interface StreamResult {
  sent: number;
  seen: number[];
}

/** How the hub treated an attacker. */
export interface AttackResult {
  /** frames the attacker sent, and their bytes */
  frames: number;
  bytes: number;
  /** connections the attacker opened */
  connections: number;
  /** close code -> how many of its connections the hub closed with it ("none" while still open at the end) */
  closes: Record<string, number>;
  /** the first close reason the hub gave, if any */
  firstCloseReason: string;
  /** permission-denied (message 2) frames the attacker received */
  refusals: number;
  /** spoofing only: the victim's own client ended up holding the forged presence state */
  victimAdopted?: boolean;
}

export interface BigBoardResult {
  /** bytes of the board's encoded state as a fresh client loaded it back */
  storedBytes: number;
  elapsedMs: number;
}

export interface JobResults {
  latency: LatencyResult;
  burst: BurstResult;
  'many-rooms': ManyRoomsResult;
  fill: FillResult;
  load: LoadResult;
  stream: StreamResult;
  attack: AttackResult;
  'big-board': BigBoardResult;
}

export type ToWorker = { type: 'job'; job: Job } | { type: 'continue' };

export type FromWorker =
  | { type: 'checkpoint'; name: string }
  | { type: 'result'; result: unknown }
  | { type: 'error'; message: string };
