import envPaths from 'env-paths';
import { z } from 'zod';
import { HubError } from './errors.js';
import { isLoopbackHost } from './net/lan/interfaces.js';

/**
 * The one home of the hub's configuration: every knob, its default and why it has that default.
 * CLI flags, the Electron shell and tests all build a HubConfig through parseHubConfig.
 */
export const DEFAULT_PORT = 7420;
/** Audit rows older than this are pruned (serve's housekeeping and `audit prune` alike). */
export const DEFAULT_AUDIT_RETENTION_MS = 180 * 24 * 3600 * 1000;
/** setTimeout fires at once for anything longer (TimeoutOverflowWarning). */
export const MAX_TIMER_MS = 2 ** 31 - 1;
export const DEFAULT_IDLE_UNLOAD_MS = 30 * 60_000;
/** A photo from a phone fits; a board of a few dozen images stays a file you can email. */
export const DEFAULT_MAX_BOARD_FILE_BYTES = 8 * 1024 * 1024;

export const HubConfigSchema = z.object({
  /** Where the SQLite file, the signing keys and the runtime file live. */
  dataDir: z.string().min(1),
  /*
   * host, port, idleUnloadMs (and name) are also settings the management UI changes and the data
   * folder remembers. Given explicitly (see explicitSettings), a value wins for this run and is not
   * saved; otherwise the stored setting applies, and only then the default below.
   */
  /**
   * Loopback by default: a headless hub is visible on the LAN only when asked to be. Without an
   * explicit host the stored "visible on the LAN" setting (else lanVisibleByDefault) picks
   * 0.0.0.0 or 127.0.0.1.
   */
  host: z.string().min(1).default('127.0.0.1'),
  /** 0 picks a free port (tests); the chosen one is what start() returns. */
  port: z.number().int().min(0).max(65535).default(DEFAULT_PORT),
  /** A board with no connections is saved and unloaded after this long (at most ~24 days: a timer's limit). */
  idleUnloadMs: z.number().int().min(0).max(MAX_TIMER_MS, 'at most 24 days').default(DEFAULT_IDLE_UNLOAD_MS),
  /** Visible on the LAN when no host is given and nothing is stored (the desktop app: true). */
  lanVisibleByDefault: z.boolean().default(false),
  /** When the port is taken, listen on a free one and store it as the port setting (the desktop app: true). */
  portFallback: z.boolean().default(false),
  /** The built management UI (index.html + assets/); default: dist/renderer in the package. */
  uiDir: z.string().min(1).optional(),
  /** Larger frames close the connection (1009): bounds the memory one client can make us hold. */
  maxPayloadBytes: z
    .number()
    .int()
    .min(1024)
    .default(32 * 1024 * 1024),
  /** Largest image a board page may upload (PUT /b/{boardId}/files/{fileId}); larger is a 413. */
  maxBoardFileBytes: z
    .number()
    .int()
    .min(1024)
    .max(64 * 1024 * 1024)
    .default(DEFAULT_MAX_BOARD_FILE_BYTES),
  /** The update log of a board is folded into its snapshot past either threshold. */
  compactAfterUpdates: z.number().int().min(1).default(1000),
  compactAfterBytes: z
    .number()
    .int()
    .min(1)
    .default(8 * 1024 * 1024),
  /** Dead connections (no pong within one interval) are terminated. */
  pingIntervalMs: z.number().int().min(50).default(30_000),
  /** A reader this far behind is disconnected (it resyncs on reconnect) instead of growing our memory. */
  maxBufferedBytes: z
    .number()
    .int()
    .min(64 * 1024)
    .default(64 * 1024 * 1024),
  /**
   * The hub-wide cap on bytes queued to readers slower than the network (the sum of every
   * connection's unsent bytes). Past it the readers with the most queued are closed with 1013
   * (they resync on reconnect) until the rest fit: a few dozen readers that never read cannot
   * each fill maxBufferedBytes. 256 MiB is four slow readers at the per-connection cap.
   */
  maxQueuedBytesTotal: z
    .number()
    .int()
    .min(64 * 1024)
    .default(256 * 1024 * 1024),
  /**
   * The largest presence (awareness) state one client id may hold, in UTF-8 bytes of its JSON.
   * A cursor, a name and a viewport need a few hundred bytes; a whiteboard's state also lists
   * the selected element ids (Excalidraw: `{"id":true}`, ~30 bytes each), so 32 KiB allows a
   * selection of about a thousand elements. A larger state closes the connection with 4413.
   */
  maxAwarenessStateBytes: z
    .number()
    .int()
    .min(256)
    .default(32 * 1024),
  /**
   * Presence client ids one connection may introduce (a stock client uses one): with the state
   * limit, one connection holds at most 4 × 32 KiB of presence. More closes it with 4413.
   */
  maxAwarenessIdsPerConnection: z.number().int().min(1).default(4),
  /**
   * Presence changes are relayed to a room at most once per this interval: the first at once,
   * the rest coalesced (the latest state of each client id wins; the last one is always sent).
   */
  awarenessRelayIntervalMs: z.number().int().min(0).max(1000).default(50),
  /**
   * Awareness and query-awareness messages per connection: a stock client sends one per local
   * change (a pointer at 60–144 Hz) plus one echo per relay it receives (≤ 20/s), far below this.
   * Over the ceiling the connection is closed with 4429 and one audit row.
   */
  awarenessRateLimit: z
    .object({ perSecond: z.number().positive(), burst: z.number().int().min(1) })
    .default({ perSecond: 300, burst: 600 }),
  /**
   * Document (sync) messages per connection: a person drawing sends tens to ~150 a second, a
   * reconnect's step 2 is one message, and the burst allows a client catching up on thousands of
   * queued edits at once (bench/scenarios/burst.ts sends 10,000 as fast as it can).
   */
  documentRateLimit: z
    .object({ perSecond: z.number().positive(), burst: z.number().int().min(1) })
    .default({ perSecond: 1000, burst: 20_000 }),
  /**
   * 'normal' (WAL): a committed update survives a crash or kill of the hub process.
   * 'full': it also survives an OS crash or power loss, at the price of an fsync per commit.
   */
  durability: z.enum(['normal', 'full']).default('normal'),
  logLevel: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
  /** Audit rows older than this are pruned (a checkpoint row keeps the chain verifiable). */
  auditRetentionMs: z.number().int().positive().default(DEFAULT_AUDIT_RETENTION_MS),
  /** The admin API answers only on loopback unless this is set (even when boards are on the LAN). */
  adminOnLan: z.boolean().default(false),
  /**
   * Browser origins (e.g. "https://board.example") allowed to call the API and open WebSockets,
   * besides the hub's own pages. Requests without an Origin header (non-browser clients) pass.
   */
  allowedOrigins: z.array(z.string().url()).default([]),
  /** Failed authentications (bad token, bad admin token) allowed per client IP per minute… */
  authFailuresPerMinute: z.number().int().min(1).default(20),
  /** …after which that IP is refused with 429 for this long. */
  authBlockSeconds: z.number().int().min(1).default(300),
  /**
   * Announce the hub over mDNS and list other hubs. Unset = on exactly when the hub listens on a
   * LAN address (not loopback): see mdnsEnabled().
   */
  mdns: z.boolean().optional(),
  /** The hub's display name on the LAN for this run (not saved). Unset: the stored name setting, else the machine name. */
  name: z.string().trim().min(1).max(63).optional(),
  /** Interface names or IPv4 addresses to announce on; empty = every LAN interface (no loopback, docker, VPN). */
  mdnsInterfaces: z.array(z.string().min(1)).default([]),
  /** TTL of our mDNS records: peers drop a hub that vanished without a goodbye this long after its last answer. */
  mdnsTtlSeconds: z.number().int().min(1).max(4500).default(120),
});

export type HubConfig = z.output<typeof HubConfigSchema>;
export type HubConfigInput = z.input<typeof HubConfigSchema>;

/** The settings a config gave explicitly: they win over the stored settings for one run. */
export interface ExplicitSettings {
  host?: string;
  port?: number;
  idleUnloadMs?: number;
  name?: string;
}

export function explicitSettings(input: HubConfigInput, config: HubConfig): ExplicitSettings {
  return {
    host: input.host === undefined ? undefined : config.host,
    port: input.port === undefined ? undefined : config.port,
    idleUnloadMs: input.idleUnloadMs === undefined ? undefined : config.idleUnloadMs,
    name: config.name,
  };
}

export function parseHubConfig(input: HubConfigInput): HubConfig {
  const result = HubConfigSchema.safeParse(input);
  if (!result.success) {
    const problems = result.error.issues.map(
      (issue) => `${issue.path.join('.') || 'config'}: ${issue.message}`,
    );
    throw new HubError('INVALID_ARGUMENT', `Invalid hub configuration: ${problems.join('; ')}`);
  }
  return result.data;
}

/** Whether the hub announces itself over mDNS: as configured, else when it is open to the LAN. */
export function mdnsEnabled(config: Pick<HubConfig, 'mdns' | 'host'>): boolean {
  return config.mdns ?? !isLoopbackHost(config.host);
}

/** BOARDHUB_DATA, else the per-user data folder of the platform (e.g. ~/.local/share/boardhub). */
export function defaultDataDir(env: NodeJS.ProcessEnv = process.env): string {
  const fromEnv = env.BOARDHUB_DATA;
  if (fromEnv !== undefined && fromEnv !== '') return fromEnv;
  return envPaths('boardhub', { suffix: '' }).data;
}
