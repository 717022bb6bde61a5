import { WebSocketServer } from 'ws';
import type { KeyProtector } from './auth/key-protector.js';
import { Keyring } from './auth/keyring.js';
import {
  type ExplicitSettings,
  explicitSettings,
  type HubConfig,
  type HubConfigInput,
  mdnsEnabled,
  parseHubConfig,
} from './config.js';
import { describeError, HubError } from './errors.js';
import { newHubId } from './ids.js';
import { createLogger, type Logger } from './log.js';
import { EventStreams } from './net/api/event-routes.js';
import { AuthFailureLimiter } from './net/auth-failure-limiter.js';
import { createHttpServer } from './net/http-server.js';
import { advertisedAddress, httpBaseUrl, reachableHost } from './net/join-url.js';
import { storedDisplayName } from './net/lan/hub-name.js';
import { HubPresence } from './net/lan/hub-presence.js';
import { isLoopbackHost } from './net/lan/interfaces.js';
import { createLanPresence } from './net/lan/lan-presence.js';
import { HubListener } from './net/listener.js';
import { OriginPolicy } from './net/origin-policy.js';
import { defaultUiDir } from './net/ui-routes.js';
import { createUpgradeGate } from './net/upgrade-gate.js';
import { Visibility } from './net/visibility.js';
import { AccessEnforcer } from './rooms/access-enforcer.js';
import { GroupCommit } from './rooms/group-commit.js';
import type { RoomSettings } from './rooms/room.js';
import { RoomManager } from './rooms/room-manager.js';
import { readRuntimeInfo, removeRuntimeInfo, writeRuntimeInfo } from './runtime-file.js';
import { type HubChangesListener, HubEvents } from './service/hub-events.js';
import { HubService } from './service/hub-service.js';
import type { LiveConnection, LiveStatus } from './service/live-status.js';
import { readStoredSettings, resolveStartSettings, writeStoredSettings } from './service/settings.js';
import type { LiveSettingsControl } from './service/settings-service.js';
import type { AuditEntry } from './storage/audit-store.js';
import { type Checkpointer, startCheckpointer } from './storage/checkpointer.js';
import { STARTUP_CHECK_MAX_BYTES } from './storage/database-check.js';
import { openStores, type Stores } from './storage/stores.js';
import { CloseCode } from './sync/close-codes.js';
import type { ClientConnection } from './sync/connection.js';
import { SendQueueBudget } from './sync/send-queue-budget.js';
import { lowerHelperThreadPriority } from './thread-priority.js';
import { VERSION } from './version.js';

/**
 * The composition root: wires storage, auth, rooms, the WebSocket gate and HTTP together.
 * start() opens everything and listens; stop() closes in the order that loses nothing:
 * refuse new connections, commit what is queued, close clients, save and unload every board,
 * close the database.
 */
export interface HubStats {
  roomsLoaded: number;
  roomLoads: number;
  /** Rebuilds of a live room's doc from storage after a fault (a hub or Yjs bug, a failed commit). */
  roomReloads: number;
  connections: number;
  commits: number;
  /** Open GET /api/events streams. */
  eventStreams: number;
}

export interface Hub {
  /**
   * As given, with defaults. host, port, idleUnloadMs and name given explicitly win over the
   * stored settings for this run; what the running hub uses is in service.getSettings().
   */
  readonly config: HubConfig;
  start(): Promise<{ url: string; port: number }>;
  stop(): Promise<void>;
  /** Available after start(). */
  readonly service: HubService;
  /** What changed (coalesced batches), for the management UI; subscriptions outlive stop/start. */
  readonly events: { subscribe(listener: HubChangesListener): () => void };
  stats(): HubStats;
}

export interface CreateHubOptions {
  /** Default: pino on stderr at config.logLevel. */
  logger?: Logger;
  /** Seals the signing keys with the OS keychain (the desktop app); without: an owner-only file. */
  keyProtector?: KeyProtector;
  /**
   * The process is the hub's own (`boardhub serve`): V8's helper threads get the lowest CPU
   * priority, so they never hold the CPU the event loop needs (thread-priority.ts). The desktop
   * app leaves it off: its main process also runs Chromium's threads.
   */
  lowerHelperThreadPriority?: boolean;
}

const CLOSE_GRACE_MS = 2000;
const CHECKPOINT_INTERVAL_MS = 1000;
/** Revocations and role changes made by other processes apply within this (well under 2 s). */
const ACCESS_POLL_MS = 500;
const HOUSEKEEPING_INTERVAL_MS = 60 * 60 * 1000;
const AUDIT_PRUNE_INTERVAL_MS = 24 * 60 * 60 * 1000;

function describeConnection(connection: ClientConnection): LiveConnection {
  const { boardId, shareId, label, role, ip, userAgent } = connection.identity;
  return {
    id: connection.id,
    boardId,
    shareId,
    label,
    role,
    ip,
    userAgent,
    connectedAt: connection.connectedAt,
  };
}

/**
 * Hourly: purge boards whose 30 days in the trash are over. Daily: prune audit rows past
 * retention (each prune that removes rows leaves a checkpoint row, so not more often).
 */
function startHousekeeping(service: HubService, auditRetentionMs: number, log: Logger): NodeJS.Timeout {
  let lastAuditPrune = 0;
  const run = (): void => {
    try {
      const purged = service.purgeExpiredTrash();
      if (purged.length > 0) log.info({ boards: purged.length }, 'purged boards from the trash');
      if (Date.now() - lastAuditPrune >= AUDIT_PRUNE_INTERVAL_MS) {
        lastAuditPrune = Date.now();
        service.audit.prune(auditRetentionMs, { name: 'hub:retention' });
      }
    } catch (error) {
      log.error({ err: describeError(error) }, 'housekeeping failed');
    }
  };
  run();
  const timer = setInterval(run, HOUSEKEEPING_INTERVAL_MS);
  timer.unref();
  return timer;
}

export function createHub(input: HubConfigInput, options: CreateHubOptions = {}): Hub {
  const config = parseHubConfig(input);
  const explicit = explicitSettings(input, config);
  const log = options.logger ?? createLogger(config.logLevel);
  const events = new HubEvents(log);
  let running: Running | null = null;
  let stopping: Promise<void> | null = null;

  return {
    config,
    get service(): HubService {
      if (!running) throw new HubError('INTERNAL', 'The hub is not started.');
      return running.service;
    },
    events,
    async start() {
      if (running) throw new HubError('INTERNAL', 'The hub is already started.');
      if (options.lowerHelperThreadPriority) {
        log.debug({ threads: lowerHelperThreadPriority() }, 'helper threads set to the lowest CPU priority');
      }
      running = await startRunning({ config, explicit, log, events, keyProtector: options.keyProtector });
      return { url: running.url, port: running.port };
    },
    async stop() {
      if (!running) return;
      const current = running;
      stopping ??= stopRunning(current, config, log).finally(() => {
        running = null;
        stopping = null;
        events.emit({ topic: 'status' });
        events.flush();
      });
      return stopping;
    },
    stats() {
      if (!running)
        return { roomsLoaded: 0, roomLoads: 0, roomReloads: 0, connections: 0, commits: 0, eventStreams: 0 };
      return {
        roomsLoaded: running.rooms.all().length,
        roomLoads: running.rooms.loads,
        roomReloads: running.rooms.reloads,
        connections: running.connections.size,
        commits: running.commits.committedTransactions,
        eventStreams: running.streams.size,
      };
    },
  };
}

interface Running {
  stores: Stores;
  checkpointer: Checkpointer;
  service: HubService;
  rooms: RoomManager;
  commits: GroupCommit;
  connections: Set<ClientConnection>;
  wss: WebSocketServer;
  app: ReturnType<typeof createHttpServer>;
  streams: EventStreams;
  pingTimer: NodeJS.Timeout;
  enforcer: AccessEnforcer;
  housekeeping: NodeJS.Timeout;
  accepting: { value: boolean };
  lan: HubPresence;
  stopAuditEvents: () => void;
  url: string;
  port: number;
}

interface StartInput {
  config: HubConfig;
  explicit: ExplicitSettings;
  log: Logger;
  events: HubEvents;
  keyProtector: KeyProtector | undefined;
}

/** What the running hub uses now; the settings change it while it runs. */
interface RunState {
  host: string;
  port: number;
  nameOverride: string | undefined;
}

async function startRunning({ config, explicit, log, events, keyProtector }: StartInput): Promise<Running> {
  const other = readRuntimeInfo(config.dataDir);
  if (other && other.pid !== process.pid) {
    throw new HubError(
      'DATA_DIR_IN_USE',
      `Another hub (process ${other.pid}) is already serving ${config.dataDir} on port ${other.port}.`,
    );
  }
  const stores = openStores(config.dataDir, {
    durability: config.durability,
    autoCheckpoint: false,
    quickCheck: {
      maxBytes: STARTUP_CHECK_MAX_BYTES,
      onUnchecked: (file) =>
        log.warn({ file }, 'database too big to check at start; `boardhub backup` checks its copy in full'),
    },
  });
  const checkpointer = startCheckpointer(stores.file, CHECKPOINT_INTERVAL_MS, log);
  const stopAuditEvents = stores.audit.onAppend(() => events.emit({ topic: 'audit' }));
  let closeServer: (() => Promise<void>) | null = null;
  try {
    const keyring = Keyring.open(config.dataDir, keyProtector);
    const hubId = stores.meta.getOrInit('hub_id', newHubId);
    const start = resolveStartSettings(config, explicit, readStoredSettings(stores.meta));
    const state: RunState = { host: start.host, port: start.port, nameOverride: explicit.name };
    const mdnsFor = (host: string): boolean => mdnsEnabled({ mdns: config.mdns, host });
    // Rooms read idleUnloadMs whenever they arm an idle timer: a changed setting applies from then on.
    const roomSettings: RoomSettings = {
      idleUnloadMs: start.idleUnloadMs,
      compactAfterUpdates: config.compactAfterUpdates,
      compactAfterBytes: config.compactAfterBytes,
      maxAwarenessStateBytes: config.maxAwarenessStateBytes,
      maxAwarenessIdsPerConnection: config.maxAwarenessIdsPerConnection,
      awarenessRelayIntervalMs: config.awarenessRelayIntervalMs,
    };
    const commits = new GroupCommit(stores, log);
    const rooms = new RoomManager(stores.updates, stores.clientIds, commits, roomSettings, log);
    const connections = new Set<ClientConnection>();
    const accepting = { value: false };
    const audit = (entry: AuditEntry): void => commits.audit(entry);
    const startedAt = Date.now();
    const live: LiveStatus = {
      startedAt,
      roomsLoaded: () => rooms.all().length,
      connections: () => [...connections].map(describeConnection),
    };
    const connectionsChanged = (boardId: string): void => {
      for (const topic of ['connections', 'boards', 'status'] as const) events.emit({ topic, boardId });
    };
    let enforcer: AccessEnforcer | null = null;
    const lan = new HubPresence(
      (host) =>
        createLanPresence({
          config: { ...config, host },
          hubId,
          keyring,
          stores,
          log,
          port: () => state.port,
          announce: true,
          baseName: () => state.nameOverride ?? storedDisplayName(stores.meta),
          onPeersChanged: () => events.emit({ topic: 'peers' }),
        }),
      start.host,
    );
    let visibility: Visibility | null = null;
    const liveSettings: LiveSettingsControl = {
      current: () => ({
        lanVisible: !isLoopbackHost(state.host),
        port: state.port,
        idleUnloadMs: roomSettings.idleUnloadMs,
        nameOverride: state.nameOverride,
      }),
      setLanVisible: async (visible) => {
        if (!visibility) throw new HubError('INTERNAL', 'The hub is not listening yet.');
        await visibility.set(visible);
      },
      setIdleUnloadMs: (ms) => {
        roomSettings.idleUnloadMs = ms;
      },
      nameChanged: () => {
        state.nameOverride = undefined;
        lan.rename().then(
          () => events.emit({ topic: 'status' }),
          (error: unknown) => log.error({ err: describeError(error) }, 'could not announce the new name'),
        );
      },
    };
    const service = new HubService({
      stores,
      keyring,
      hubId,
      dataDir: config.dataDir,
      locate: () => ({
        ...advertisedAddress(state.host, config.mdnsInterfaces, mdnsFor(state.host)),
        port: state.port,
      }),
      live,
      lan,
      events,
      liveSettings,
      maxBoardFileBytes: config.maxBoardFileBytes,
      onAccessChanged: (change) => enforcer?.changed(change),
    });
    enforcer = new AccessEnforcer(
      service,
      connections,
      stores.db,
      log,
      (boardId) => rooms.get(boardId)?.retireWhenEmpty(),
      () => events.emitAll(),
    );

    const wss = new WebSocketServer({
      noServer: true,
      maxPayload: config.maxPayloadBytes,
      perMessageDeflate: false,
      clientTracking: false,
    });
    const originPolicy = new OriginPolicy(config.allowedOrigins);
    const limiter = new AuthFailureLimiter(config.authFailuresPerMinute, config.authBlockSeconds);
    const streams = new EventStreams(events);
    const app = createHttpServer({
      log,
      service,
      originPolicy,
      limiter,
      adminOnLan: config.adminOnLan,
      health: () => ({
        status: 'ok',
        version: VERSION,
        uptimeSeconds: Math.round((Date.now() - startedAt) / 1000),
        roomsLoaded: rooms.all().length,
        connections: connections.size,
      }),
      events: streams,
      uiDir: config.uiDir ?? defaultUiDir(),
    });
    closeServer = () => app.close();
    app.server.on(
      'upgrade',
      createUpgradeGate({
        service,
        rooms,
        wss,
        log,
        audit,
        originPolicy,
        limiter,
        isAcceptingConnections: () => accepting.value,
        connectionHooks: {
          audit,
          maxBufferedBytes: config.maxBufferedBytes,
          sendQueue: new SendQueueBudget(config.maxQueuedBytesTotal),
          awarenessRateLimit: config.awarenessRateLimit,
          documentRateLimit: config.documentRateLimit,
          log,
          onOpened: (connection) => {
            connections.add(connection);
            connectionsChanged(connection.identity.boardId);
          },
          onClosed: (connection) => {
            connections.delete(connection);
            connectionsChanged(connection.identity.boardId);
          },
        },
      }),
    );

    // The hub binds its server itself (not app.listen): it moves it between loopback and the LAN.
    await app.ready();
    const listener = new HubListener(app.server);
    const bound = await listener.listen(start.host, start.port, config.portFallback);
    state.port = bound.port;
    if (bound.port !== start.port && start.port !== 0) {
      log.warn({ wanted: start.port, port: bound.port }, 'port in use; listening on another one');
      if (explicit.port === undefined) writeStoredSettings(stores.meta, { port: bound.port });
    }
    const writeRuntime = (): void =>
      writeRuntimeInfo(config.dataDir, {
        pid: process.pid,
        host: state.host,
        port: state.port,
        startedAt,
        mdns: mdnsFor(state.host),
        mdnsInterfaces: config.mdnsInterfaces,
      });
    visibility = new Visibility({
      listener,
      presence: lan,
      streams,
      connections,
      hosts: { lan: start.lanHost, loopback: start.loopbackHost },
      moved: (host) => {
        state.host = host;
        writeRuntime();
        events.emit({ topic: 'status' });
      },
      presenceChanged: () => {
        for (const topic of ['status', 'peers'] as const) events.emit({ topic });
      },
      log,
    });
    accepting.value = true;

    const pingTimer = setInterval(() => {
      for (const connection of connections) connection.checkAlive();
    }, config.pingIntervalMs);
    pingTimer.unref();
    enforcer.start(ACCESS_POLL_MS);
    const housekeeping = startHousekeeping(service, config.auditRetentionMs, log);

    writeRuntime();
    audit({
      ts: Date.now(),
      action: 'hub_start',
      actor: 'hub',
      detail: { host: state.host, port: state.port, version: VERSION },
    });
    log.info({ host: state.host, port: state.port, dataDir: config.dataDir }, 'hub started');
    events.emit({ topic: 'status' });
    // Last: nothing after it can fail, so a failed start never leaves an announcement behind.
    await lan.start();
    return {
      stores,
      checkpointer,
      service,
      rooms,
      commits,
      connections,
      wss,
      app,
      streams,
      pingTimer,
      enforcer,
      housekeeping,
      accepting,
      lan,
      stopAuditEvents,
      url: httpBaseUrl(reachableHost(state.host, config.mdnsInterfaces), state.port),
      port: state.port,
    };
  } catch (error) {
    stopAuditEvents();
    await closeServer?.();
    await checkpointer.stop();
    stores.close();
    throw error;
  }
}

async function stopRunning(running: Running, config: HubConfig, log: Logger): Promise<void> {
  running.accepting.value = false;
  // Event streams would keep the HTTP server's close waiting: end them first.
  running.streams.closeAll();
  // Goodbye first: peers drop this hub at once instead of offering it while it shuts down.
  await running.lan.stop();
  clearInterval(running.pingTimer);
  clearInterval(running.housekeeping);
  running.enforcer.stop();
  running.commits.flushNow();

  const closed = Promise.all(
    [...running.connections].map(
      (connection) =>
        new Promise<void>((resolve) => {
          connection.onceClosed(resolve);
        }),
    ),
  );
  for (const room of running.rooms.all()) room.closeAll(CloseCode.goingAway, 'hub shutting down');
  const grace = new Promise<'timeout'>((resolve) =>
    setTimeout(() => resolve('timeout'), CLOSE_GRACE_MS).unref(),
  );
  if ((await Promise.race([closed, grace])) === 'timeout') {
    for (const connection of running.connections) connection.terminate();
    await closed;
  }

  running.rooms.unloadAll();
  running.commits.audit({ ts: Date.now(), action: 'hub_stop', actor: 'hub', detail: {} });
  running.commits.close();
  running.stopAuditEvents();
  running.wss.close();
  await running.app.close();
  await running.checkpointer.stop();
  running.stores.close();
  removeRuntimeInfo(config.dataDir, process.pid);
  log.info('hub stopped');
}
