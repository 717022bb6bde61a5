/**
 * The one interface every server under test implements, so each scenario is written once and
 * run against Boardhub and both peers alike.
 */
import type { StopOutcome } from '../lib/proc.js';
import type { ClientTarget } from '../lib/protocol.js';

export type ServerId = 'boardhub' | 'y-websocket-server' | 'hocuspocus';

/** A data directory prepared with `boards` boards; `handles[i]` is what a client needs for board i. */
export interface PreparedData {
  dir: string;
  boards: BoardHandle[];
}

export interface BoardHandle {
  /** room / document name on the wire */
  room: string;
  /** extra URL parameters the stock client must send (Boardhub's share token) */
  params: Record<string, string>;
}

export interface RunningServer {
  pid: number;
  port: number;
  target(board: BoardHandle): ClientTarget;
  /** SIGTERM, then wait (SIGKILL after a grace period). */
  stop(): Promise<StopOutcome>;
  kill9(): Promise<void>;
  output(): string;
  /** non-null if the server died on its own during the scenario */
  crash(): string | null;
}

export interface ServerAdapter {
  id: ServerId;
  label: string;
  /** false for an in-memory server: cold load and durability are reported as n/a */
  persistent: boolean;
  /** deviations from the expected contract noticed while driving it, reported once at the end */
  warnings: Set<string>;
  /** null when usable, otherwise the reason it is skipped (e.g. the hub is not built yet) */
  unavailableReason(): string | null;
  /** optional one-off work before any timing starts (e.g. creating boards), so runs stay interleaved tightly */
  setup?(boards: number): Promise<void>;
  /**
   * Only servers with roles (Boardhub): a handle for board `board` of every later prepare() whose
   * link carries `role`. Made once, before prepare(), so each fresh data dir carries it.
   */
  shareLink?(board: number, role: 'view' | 'edit'): Promise<BoardHandle>;
  prepare(boards: number): Promise<PreparedData>;
  start(dataDir: string): Promise<RunningServer>;
}
