import type {
  AuditFilterInput,
  AuditQueryInput,
  HubClient,
  HubSettingsPatch,
} from '../../../src/client/hub-client.js';
import { bytesToBase64 } from './base64.js';
import { fileNameFromContentDisposition } from './content-disposition.js';
import {
  decodeAuditChainStatus,
  decodeAuditPage,
  decodeBoard,
  decodeBoardList,
  decodeBoardListItem,
  decodeConnectionList,
  decodeIssuedShareLink,
  decodeOpenedBoard,
  decodeOverview,
  decodePeer,
  decodePeerList,
  decodeSettings,
  decodeShare,
  decodeShareList,
  decodeTokenReset,
} from './decoders.js';
import { createEventStream } from './event-stream.js';
import { createRequester, type FetchLike } from './http-request.js';

/**
 * The HubClient over the hub's admin HTTP API, for the management UI in a browser (and in tests
 * under Node, which has the same fetch). Each method is one API call; bodies are checked against
 * the contract's types (decoders.ts) and errors arrive as HubClientError (http-request.ts).
 */
export interface HttpHubClientOptions {
  /** Where the hub answers, e.g. "http://127.0.0.1:7420"; "" for the page's own origin. */
  baseUrl: string;
  /** An admin token, `bhadm_…`. */
  token: string;
  fetch?: typeof fetch;
}

export function createHttpHubClient(options: HttpHubClientOptions): HubClient {
  const baseUrl = options.baseUrl.replace(/\/+$/, '');
  let token = options.token;
  const given = options.fetch;
  // Called as a plain function: a browser's fetch throws "Illegal invocation" as a method of another object.
  const doFetch: FetchLike = given
    ? (input, init) => given(input, init)
    : (input, init) => globalThis.fetch(input, init);
  const api = createRequester({ baseUrl, token: () => token, fetch: doFetch });
  const events = createEventStream({ url: `${baseUrl}/api/events`, token: () => token, fetch: doFetch });
  const board = (boardId: string): string => `/api/boards/${encodeURIComponent(boardId)}`;
  const share = (shareId: string): string => `/api/shares/${encodeURIComponent(shareId)}`;
  const peer = (hubId: string): string => `/api/peers/${encodeURIComponent(hubId)}`;

  return {
    transport: 'http',

    overview: async () => decodeOverview(await api.json('GET', '/api/overview')),

    listBoards: async (listOptions = {}) =>
      decodeBoardList(
        await api.json('GET', '/api/boards', { query: { trash: String(listOptions.trash === true) } }),
      ),
    getBoard: async (boardId) => decodeBoardListItem(await api.json('GET', board(boardId))),
    createBoard: async (name) => decodeBoard(await api.json('POST', '/api/boards', { body: { name } })),
    renameBoard: async (boardId, name) =>
      decodeBoard(await api.json('PATCH', board(boardId), { body: { name } })),
    deleteBoard: async (boardId) => decodeBoard(await api.json('DELETE', board(boardId))),
    restoreBoard: async (boardId) => decodeBoard(await api.json('POST', `${board(boardId)}/restore`)),
    purgeBoard: (boardId) => api.empty('POST', `${board(boardId)}/purge`),
    async exportBoard(boardId) {
      const { bytes, headers } = await api.bytes('GET', `${board(boardId)}/export`);
      const fileName = fileNameFromContentDisposition(headers.get('Content-Disposition'));
      return { fileName: fileName ?? `${boardId}.yjs`, bytes };
    },
    importBoard: async (input) =>
      decodeBoard(
        await api.json('POST', '/api/boards/import', {
          body: { update: bytesToBase64(input.bytes), name: input.name },
        }),
      ),

    openBoard: async (boardId) => decodeOpenedBoard(await api.json('POST', `${board(boardId)}/open`)),

    listConnections: async (boardId) =>
      decodeConnectionList(await api.json('GET', `${board(boardId)}/connections`)),

    listShares: async (boardId) => decodeShareList(await api.json('GET', `${board(boardId)}/shares`)),
    createShare: async ({ boardId, role, label, ttlMs }) =>
      decodeIssuedShareLink(
        await api.json('POST', `${board(boardId)}/shares`, { body: { role, label, ttlMs } }),
      ),
    revokeShare: async (shareId) => decodeShare(await api.json('DELETE', share(shareId))),
    setShareRole: async (shareId, role) =>
      decodeShare(await api.json('PATCH', share(shareId), { body: { role } })),
    qrSvg: (url) => api.text('POST', '/api/qr', { body: { url, format: 'svg' } }),

    listPeers: async () => decodePeerList(await api.json('GET', '/api/peers')),
    addPeer: async (host, port) => decodePeer(await api.json('POST', '/api/peers', { body: { host, port } })),
    trustPeer: async (hubId) => decodePeer(await api.json('POST', `${peer(hubId)}/trust`)),
    removePeer: (hubId) => api.empty('DELETE', peer(hubId)),

    queryAudit: async (query = {}) =>
      decodeAuditPage(
        await api.json('GET', '/api/audit', {
          query: {
            ...auditFilterQuery(query),
            limit: numberParam(query.limit),
            before: numberParam(query.beforeId),
          },
        }),
      ),
    verifyAudit: async () => decodeAuditChainStatus(await api.json('GET', '/api/audit/verify')),
    exportAudit: (filter, format) =>
      api.text('GET', '/api/audit/export', { query: { ...auditFilterQuery(filter), format } }),

    getSettings: async () => decodeSettings(await api.json('GET', '/api/settings')),
    updateSettings: async (patch: HubSettingsPatch) =>
      decodeSettings(await api.json('PATCH', '/api/settings', { body: patch })),
    async resetAdminToken() {
      const issued = decodeTokenReset(await api.json('POST', '/api/admin-token/reset'));
      // The old token is revoked now; this client carries on with the new one.
      token = issued.token;
      return issued;
    },

    subscribe: (listener) => events.subscribe(listener),
  };
}

const numberParam = (value: number | undefined): string | undefined =>
  value === undefined ? undefined : String(value);

/** The API's query names for a filter; times as epoch milliseconds. */
function auditFilterQuery(filter: AuditFilterInput & AuditQueryInput): Record<string, string | undefined> {
  return {
    from: numberParam(filter.from),
    to: numberParam(filter.to),
    board: filter.boardId,
    action: filter.action,
    actor: filter.actor,
    ip: filter.ip,
  };
}
