import { HubError, isHubError } from '../errors.js';
import type { Hub } from '../hub.js';
import type { PeerHub } from '../net/lan/types.js';
import { exportFileName } from '../service/board-transfer.js';
import type { Actor, BoardSummary } from '../service/hub-service.js';
import type { LiveConnection } from '../service/live-status.js';
import { AUDIT_ACTIONS, type AuditAction, type AuditRecord } from '../storage/audit-store.js';
import type { BoardRecord } from '../storage/board-store.js';
import type { ShareRecord } from '../storage/share-store.js';
import {
  type AuditFilterInput,
  type AuditRow,
  type BoardInfo,
  type BoardListItem,
  type ConnectionInfo,
  type HubClient,
  HubClientError,
  type PeerInfo,
  type ShareInfo,
} from './hub-client.js';

/**
 * The HubClient of the process the hub runs in: the Electron main process serves it to the
 * renderer over IPC. Each call goes to the running hub's HubService (the same use cases as the
 * HTTP API, so the UI cannot tell the two apart) and answers with the contract's plain types,
 * field by field: nothing internal (a token, a hash chain link) leaks to the renderer. Every
 * failure is a HubClientError: the hub's own code and message, or INTERNAL with a generic message
 * (an unexpected error's text is for logs, not for the UI).
 */
export function createServiceHubClient(hub: Hub, actor: Actor = { name: 'app' }): HubClient {
  const service = () => hub.service;
  return {
    transport: 'ipc',

    overview: () => call(() => ({ ...service().overview() })),

    listBoards: (options) => call(() => service().listBoards(options).map(toListItem)),
    getBoard: (boardId) => call(() => toListItem(service().getBoard(boardId))),
    createBoard: (name) => call(() => toBoard(service().createBoard(name, actor))),
    renameBoard: (boardId, name) => call(() => toBoard(service().renameBoard(boardId, name, actor))),
    deleteBoard: (boardId) => call(() => toBoard(service().deleteBoard(boardId, actor))),
    restoreBoard: (boardId) => call(() => toBoard(service().restoreBoard(boardId, actor))),
    purgeBoard: (boardId) => call(() => service().purgeBoard(boardId, actor)),
    exportBoard: (boardId) =>
      call(() => {
        const { file, meta } = service().exportBoard(boardId, actor);
        // A copy of exactly these bytes: structured clone would carry a view's whole buffer.
        return { fileName: exportFileName(meta.name), bytes: file.slice() };
      }),
    importBoard: ({ bytes, name }) =>
      call(() => toBoard(service().importBoard({ file: bytes, name }, actor))),

    listConnections: (boardId) => call(() => service().liveConnections(boardId).map(toConnection)),

    listShares: (boardId) => call(() => service().listShares(boardId).map(toShare)),
    createShare: (input) =>
      call(async () => {
        const issued = await service().createShare(
          { boardId: input.boardId, role: input.role, label: input.label, ttlMs: input.ttlMs },
          actor,
        );
        return {
          share: toShare(issued.share),
          url: issued.url,
          alternativeUrls: [...issued.alternativeUrls],
          socketUrl: issued.socketUrl,
          alternativeSocketUrls: [...issued.alternativeSocketUrls],
        };
      }),
    revokeShare: (shareId) => call(() => toShare(service().revokeShare(shareId, actor))),
    setShareRole: (shareId, role) => call(() => toShare(service().setShareRole(shareId, role, actor))),
    qrSvg: (url) => call(() => service().shareQr(url, 'svg')),
    openBoard: (boardId) => call(async () => ({ url: (await service().openBoard(boardId, actor)).url })),

    listPeers: () => call(() => service().peers().map(toPeer)),
    addPeer: (host, port) => call(async () => toPeer(await service().addPeerByAddress(host, port, actor))),
    trustPeer: (hubId) => call(() => toPeer(service().trustPeer(hubId, actor))),
    removePeer: (hubId) => call(() => service().removePeer(hubId, actor)),

    queryAudit: (query = {}) =>
      call(() => {
        const page = service().audit.query({ ...query, action: auditAction(query.action) });
        return { entries: page.entries.map(toAuditRow), nextCursor: page.nextCursor };
      }),
    verifyAudit: () => call(async () => ({ ...(await service().audit.verifyInSlices()) })),
    exportAudit: (filter, format) =>
      call(async () => {
        let text = '';
        for await (const chunk of service().audit.exportInSlices(auditFilter(filter), format)) text += chunk;
        return text;
      }),

    getSettings: () => call(() => ({ ...service().getSettings() })),
    updateSettings: (patch) => call(async () => ({ ...(await service().updateSettings(patch, actor)) })),
    resetAdminToken: () => call(() => service().resetAdminToken(actor)),

    subscribe(listener) {
      let subscribed = true;
      // In process, events never stop flowing: the stream is live from the start.
      queueMicrotask(() => {
        if (subscribed) listener({ type: 'connection', state: 'live' });
      });
      const unsubscribe = hub.events.subscribe((changes) =>
        listener({ type: 'changes', changes: changes.map((change) => ({ ...change })) }),
      );
      return () => {
        subscribed = false;
        unsubscribe();
      };
    },
  };
}

async function call<T>(run: () => T | Promise<T>): Promise<T> {
  try {
    return await run();
  } catch (error) {
    if (isHubError(error)) throw new HubClientError(error.code, error.message);
    // The cause goes to the caller's log (the desktop app's IPC layer logs INTERNAL failures).
    throw new HubClientError(
      'INTERNAL',
      'The hub could not do this (internal error); see its log.',
      undefined,
      {
        cause: error,
      },
    );
  }
}

const isAuditAction = (value: string): value is AuditAction =>
  (AUDIT_ACTIONS as readonly string[]).includes(value);

/** An unknown action name matches no row: refused like any other invalid filter. */
function auditAction(action: string | undefined): AuditAction | undefined {
  if (action === undefined || isAuditAction(action)) return action;
  throw new HubError('INVALID_ARGUMENT', `Invalid audit filter: action: unknown action "${action}".`);
}

const auditFilter = (filter: AuditFilterInput) => ({ ...filter, action: auditAction(filter.action) });

const toBoard = (board: BoardRecord): BoardInfo => ({
  id: board.id,
  name: board.name,
  createdAt: board.createdAt,
  updatedAt: board.updatedAt,
  deletedAt: board.deletedAt,
});

const toListItem = (board: BoardSummary): BoardListItem => ({
  ...toBoard(board),
  connections: board.connections,
  lastEditAt: board.lastEditAt,
  sizeBytes: board.sizeBytes,
  logLength: board.logLength,
});

const toShare = (share: ShareRecord): ShareInfo => ({
  id: share.id,
  boardId: share.boardId,
  role: share.role,
  label: share.label,
  createdAt: share.createdAt,
  expiresAt: share.expiresAt,
  revokedAt: share.revokedAt,
});

const toConnection = (connection: LiveConnection): ConnectionInfo => ({
  id: connection.id,
  boardId: connection.boardId,
  shareId: connection.shareId,
  label: connection.label,
  role: connection.role,
  ip: connection.ip,
  userAgent: connection.userAgent,
  connectedAt: connection.connectedAt,
});

const toPeer = (peer: PeerHub): PeerInfo => ({
  hubId: peer.hubId,
  name: peer.name,
  host: peer.host,
  addresses: [...peer.addresses],
  port: peer.port,
  fingerprint: peer.fingerprint,
  fingerprintShort: peer.fingerprintShort,
  version: peer.version,
  source: peer.source,
  lastSeen: peer.lastSeen,
  reachable: peer.reachable,
  identity: peer.identity,
  previousFingerprintShort: peer.previousFingerprintShort,
});

const toAuditRow = (row: AuditRecord): AuditRow => ({
  id: row.id,
  ts: row.ts,
  action: row.action,
  actor: row.actor,
  boardId: row.boardId,
  shareId: row.shareId,
  label: row.label,
  ip: row.ip,
  userAgent: row.userAgent,
  detail: row.detail,
  hash: row.hash,
});
