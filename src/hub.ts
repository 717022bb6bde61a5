import type { AddressInfo } from 'node:net';
import { WebSocketServer } from 'ws';
import { Keyring } from './auth/keyring.js';
import { type HubConfig, type HubConfigInput, mdnsEnabled, parseHubConfig } from './config.js';
import { describeError, HubError } from './errors.js';
import { newHubId } from './ids.js';
import { createLogger, type Logger } from './log.js';
import { AuthFailureLimiter } from './net/auth-failure-limiter.js';
import { createHttpServer } from './net/http-server.js';
import { advertisedAddress, httpBaseUrl, reachableHost } from './net/join-url.js';
import { createLanPresence, type LanPresence } from './net/lan/lan-presence.js';
import { OriginPolicy } from './net/origin-policy.js';
import { createUpgradeGate } from './net/upgrade-gate.js';
import { AccessEnforcer } from './rooms/access-enforcer.js';
import { GroupCommit } from './rooms/group-commit.js';
import { RoomManager } from './rooms/room-manager.js';
import { readRuntimeInfo, removeRuntimeInfo, writeRuntimeInfo } from './runtime-file.js';
import { HubService } from './service/hub-service.js';
import type { LiveConnection, LiveStatus } from './service/live-status.js';
import type { AuditEntry } from './storage/audit-store.js';
import { type Checkpointer, startCheckpointer } from './storage/checkpointer.js';
import { openStores, type Stores } from './storage/stores.js';
import { CloseCode } from './sync/close-codes.js';
import type { ClientConnection } from './sync/connection.js';
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
  connections: number;
  commits: number;
}

export interface Hub {
  readonly config: HubConfig;
  start(): Promise<{ url: string; port: number }>;
  stop(): Promise<void>;
  /** Available after start(). */
  readonly service: HubService;
  stats(): HubStats;
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

export function createHub(input: HubConfigInput, logger?: Logger): Hub {
  const config = parseHubConfig(input);
  const log = logger ?? createLogger(config.logLevel);
  let running: Running | null = null;
  let stopping: Promise<void> | null = null;

  return {
    config,
    get service(): HubService {
      if (!running) throw new HubError('INTERNAL', 'The hub is not started.');
      return running.service;
    },
    async start() {
      if (running) throw new HubError('INTERNAL', 'The hub is already started.');
      running = await startRunning(config, log);
      return { url: running.url, port: running.port };
    },
    async stop() {
      if (!running) return;
      const current = running;
      stopping ??= stopRunning(current, config, log).finally(() => {
        running = null;
        stopping = null;
      });
      return stopping;
    },
    stats() {
      if (!running) return { roomsLoaded: 0, roomLoads: 0, connections: 0, commits: 0 };
      return {
        roomsLoaded: running.rooms.all().length,
        roomLoads: running.rooms.loads,
        connections: running.connections.size,
        commits: running.commits.committedTransactions,
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
  pingTimer: NodeJS.Timeout;
  enforcer: AccessEnforcer;
  housekeeping: NodeJS.Timeout;
  accepting: { value: boolean };
  lan: LanPresence;
  url: string;
  port: number;
}

async function startRunning(config: HubConfig, log: Logger): Promise<Running> {
  const other = readRuntimeInfo(config.dataDir);
  if (other && other.pid !== process.pid) {
    throw new HubError(
      'DATA_DIR_IN_USE',
      `Another hub (process ${other.pid}) is already serving ${config.dataDir} on port ${other.port}.`,
    );
  }
  const stores = openStores(config.dataDir, { durability: config.durability, autoCheckpoint: false });
  const checkpointer = startCheckpointer(stores.file, CHECKPOINT_INTERVAL_MS, log);
  try {
    const keyring = Keyring.open(config.dataDir);
    const hubId = stores.meta.getOrInit('hub_id', newHubId);
    const address = { host: config.host, port: config.port };
    const commits = new GroupCommit(stores, log);
    const rooms = new RoomManager(stores.updates, commits, config, log);
    const connections = new Set<ClientConnection>();
    const accepting = { value: false };
    const audit = (entry: AuditEntry): void => commits.audit(entry);
    const startedAt = Date.now();
    const live: LiveStatus = {
      startedAt,
      roomsLoaded: () => rooms.all().length,
      connections: () => [...connections].map(describeConnection),
    };
    let enforcer: AccessEnforcer | null = null;
    const mdns = mdnsEnabled(config);
    const lan = createLanPresence({
      config,
      hubId,
      keyring,
      stores,
      log,
      port: () => address.port,
      announce: true,
    });
    const service = new HubService({
      stores,
      keyring,
      hubId,
      dataDir: config.dataDir,
      locate: () => ({ ...advertisedAddress(config.host, config.mdnsInterfaces, mdns), port: address.port }),
      live,
      lan,
      onAccessChanged: (change) => enforcer?.changed(change),
    });
    if (config.name !== undefined) service.setDisplayName(config.name, { name: 'hub' });
    enforcer = new AccessEnforcer(service, connections, stores.db, log, (boardId) =>
      rooms.get(boardId)?.retireWhenEmpty(),
    );

    const wss = new WebSocketServer({
      noServer: true,
      maxPayload: config.maxPayloadBytes,
      perMessageDeflate: false,
      clientTracking: false,
    });
    const originPolicy = new OriginPolicy(config.allowedOrigins);
    const limiter = new AuthFailureLimiter(config.authFailuresPerMinute, config.authBlockSeconds);
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
    });
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
          log,
          onOpened: (connection) => connections.add(connection),
          onClosed: (connection) => connections.delete(connection),
        },
      }),
    );

    try {
      await app.listen({ host: config.host, port: config.port });
    } catch (error) {
      const code = (error as NodeJS.ErrnoException).code;
      if (code === 'EADDRINUSE') {
        throw new HubError(
          'PORT_IN_USE',
          `Port ${config.port} on ${config.host} is already in use; choose another with --port.`,
        );
      }
      throw new HubError(
        'INTERNAL',
        `Cannot listen on ${config.host}:${config.port}: ${describeError(error)}`,
      );
    }
    const port = (app.server.address() as AddressInfo).port;
    address.port = port;
    accepting.value = true;

    const pingTimer = setInterval(() => {
      for (const connection of connections) connection.checkAlive();
    }, config.pingIntervalMs);
    pingTimer.unref();
    enforcer.start(ACCESS_POLL_MS);
    const housekeeping = startHousekeeping(service, config.auditRetentionMs, log);

    writeRuntimeInfo(config.dataDir, {
      pid: process.pid,
      host: config.host,
      port,
      startedAt,
      mdns,
      mdnsInterfaces: config.mdnsInterfaces,
    });
    audit({
      ts: Date.now(),
      action: 'hub_start',
      actor: 'hub',
      detail: { host: config.host, port, version: VERSION },
    });
    log.info({ host: config.host, port, dataDir: config.dataDir }, 'hub started');
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
      pingTimer,
      enforcer,
      housekeeping,
      accepting,
      lan,
      url: httpBaseUrl(reachableHost(config.host, config.mdnsInterfaces), port),
      port,
    };
  } catch (error) {
    await checkpointer.stop();
    stores.close();
    throw error;
  }
}

async function stopRunning(running: Running, config: HubConfig, log: Logger): Promise<void> {
  running.accepting.value = false;
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
  running.wss.close();
  await running.app.close();
  await running.checkpointer.stop();
  running.stores.close();
  removeRuntimeInfo(config.dataDir, process.pid);
  log.info('hub stopped');
}
