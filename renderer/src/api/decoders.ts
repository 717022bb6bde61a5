import {
  type AuditChainStatus,
  type AuditPageResult,
  type AuditRow,
  type BoardInfo,
  type BoardListItem,
  type ConnectionInfo,
  HUB_TOPICS,
  type HubChange,
  type HubOverview,
  type HubSettings,
  type IssuedShareLink,
  type PeerInfo,
  SHARE_ROLES,
  type ShareInfo,
} from '../../../src/client/hub-client.js';
import { fieldsOf, listOf } from './json-fields.js';

/** The admin API's JSON bodies, checked and narrowed to the HubClient contract's types. */

export function decodeBoard(value: unknown): BoardInfo {
  const f = fieldsOf(value, 'board');
  return {
    id: f.string('id'),
    name: f.string('name'),
    createdAt: f.number('createdAt'),
    updatedAt: f.number('updatedAt'),
    deletedAt: f.nullableNumber('deletedAt'),
  };
}

export function decodeBoardListItem(value: unknown): BoardListItem {
  const f = fieldsOf(value, 'board');
  return {
    ...decodeBoard(value),
    connections: f.number('connections'),
    lastEditAt: f.number('lastEditAt'),
    sizeBytes: f.number('sizeBytes'),
    logLength: f.number('logLength'),
  };
}

/** "Open board": the page URL with the owner token in its fragment. */
export function decodeOpenedBoard(value: unknown): { url: string } {
  return { url: fieldsOf(value, 'opened board').string('url') };
}

export const decodeBoardList = (value: unknown): BoardListItem[] =>
  listOf(value, 'boards', decodeBoardListItem);

export function decodeConnection(value: unknown): ConnectionInfo {
  const f = fieldsOf(value, 'connection');
  return {
    id: f.number('id'),
    boardId: f.string('boardId'),
    shareId: f.string('shareId'),
    label: f.string('label'),
    role: f.oneOf('role', SHARE_ROLES),
    ip: f.nullableString('ip'),
    userAgent: f.nullableString('userAgent'),
    connectedAt: f.number('connectedAt'),
  };
}

export const decodeConnectionList = (value: unknown): ConnectionInfo[] =>
  listOf(value, 'connections', decodeConnection);

export function decodeShare(value: unknown): ShareInfo {
  const f = fieldsOf(value, 'share');
  return {
    id: f.string('id'),
    boardId: f.string('boardId'),
    role: f.oneOf('role', SHARE_ROLES),
    label: f.string('label'),
    createdAt: f.number('createdAt'),
    expiresAt: f.nullableNumber('expiresAt'),
    revokedAt: f.nullableNumber('revokedAt'),
  };
}

export const decodeShareList = (value: unknown): ShareInfo[] => listOf(value, 'shares', decodeShare);

/** The API also returns the bare token; the contract leaves it out (the url carries it). */
export function decodeIssuedShareLink(value: unknown): IssuedShareLink {
  const f = fieldsOf(value, 'issued share');
  return {
    share: decodeShare(f.value('share')),
    url: f.string('url'),
    alternativeUrls: f.stringArray('alternativeUrls'),
    socketUrl: f.string('socketUrl'),
    alternativeSocketUrls: f.stringArray('alternativeSocketUrls'),
  };
}

export function decodePeer(value: unknown): PeerInfo {
  const f = fieldsOf(value, 'peer');
  return {
    hubId: f.string('hubId'),
    name: f.string('name'),
    host: f.nullableString('host'),
    addresses: f.stringArray('addresses'),
    port: f.number('port'),
    fingerprint: f.string('fingerprint'),
    fingerprintShort: f.string('fingerprintShort'),
    version: f.nullableString('version'),
    source: f.oneOf('source', ['mdns', 'manual'] as const),
    lastSeen: f.number('lastSeen'),
    reachable: f.boolean('reachable'),
    identity: f.oneOf('identity', ['new', 'known', 'changed'] as const),
    previousFingerprintShort: f.nullableString('previousFingerprintShort'),
  };
}

export const decodePeerList = (value: unknown): PeerInfo[] => listOf(value, 'peers', decodePeer);

export function decodeAuditRow(value: unknown): AuditRow {
  const f = fieldsOf(value, 'audit entry');
  return {
    id: f.number('id'),
    ts: f.number('ts'),
    action: f.string('action'),
    actor: f.string('actor'),
    boardId: f.nullableString('boardId'),
    shareId: f.nullableString('shareId'),
    label: f.nullableString('label'),
    ip: f.nullableString('ip'),
    userAgent: f.nullableString('userAgent'),
    detail: f.record('detail'),
    hash: f.string('hash'),
  };
}

export function decodeAuditPage(value: unknown): AuditPageResult {
  const f = fieldsOf(value, 'audit page');
  return {
    entries: listOf(f.value('entries'), 'audit entries', decodeAuditRow),
    nextCursor: f.nullableNumber('nextCursor'),
  };
}

export function decodeAuditChainStatus(value: unknown): AuditChainStatus {
  const f = fieldsOf(value, 'audit verification');
  if (f.boolean('ok')) return { ok: true, rows: f.number('rows'), headHash: f.string('headHash') };
  const broken = fieldsOf(f.value('brokenAt'), 'audit verification.brokenAt');
  return {
    ok: false,
    rows: f.number('rows'),
    brokenAt: { id: broken.number('id'), reason: broken.string('reason') },
  };
}

export function decodeOverview(value: unknown): HubOverview {
  const f = fieldsOf(value, 'overview');
  return {
    hubId: f.string('hubId'),
    name: f.string('name'),
    version: f.string('version'),
    fingerprintShort: f.string('fingerprintShort'),
    uptimeSeconds: f.number('uptimeSeconds'),
    connections: f.number('connections'),
    boards: f.number('boards'),
    boardsInTrash: f.number('boardsInTrash'),
    dataDir: f.string('dataDir'),
    listenHost: f.string('listenHost'),
    port: f.number('port'),
    lanVisible: f.boolean('lanVisible'),
    mdns: f.oneOf('mdns', ['announcing', 'browsing', 'off'] as const),
  };
}

export function decodeSettings(value: unknown): HubSettings {
  const f = fieldsOf(value, 'settings');
  return {
    name: f.string('name'),
    lanVisible: f.boolean('lanVisible'),
    port: f.number('port'),
    idleUnloadMs: f.number('idleUnloadMs'),
    restartRequired: f.boolean('restartRequired'),
    keyProtection: f.oneOf('keyProtection', ['os-keychain', 'file'] as const),
  };
}

export function decodeTokenReset(value: unknown): { token: string } {
  return { token: fieldsOf(value, 'admin token').string('token') };
}

/** The data of a `changes` event: {"changes": [{topic, boardId?}, …]}. */
export function decodeChanges(value: unknown): HubChange[] {
  const f = fieldsOf(value, 'changes event');
  return listOf(f.value('changes'), 'changes', (item) => {
    const change = fieldsOf(item, 'change');
    const topic = change.oneOf('topic', HUB_TOPICS);
    const boardId = change.optionalString('boardId');
    return boardId === undefined ? { topic } : { topic, boardId };
  });
}
