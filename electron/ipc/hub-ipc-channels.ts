/**
 * The names and envelopes of the IPC between the renderer's HubClient and the main process. No
 * dependencies (not even zod), so the sandboxed preload bundle stays small; the argument schemas
 * live in hub-ipc-contract.ts, which only the main process loads.
 *
 * One invoke channel per HubClient method, `boardhub:<method>`. Results travel as envelopes
 * because Electron rewrites an error thrown by an ipcMain.handle listener into "Error invoking
 * remote method …" and drops its code; an envelope carries the hub's code to the renderer intact.
 * Events flow main → renderer on `boardhub:event` to the renderers that asked for them with
 * `boardhub:subscribe` (and stopped with `boardhub:unsubscribe`).
 */
import type { HubClient } from '../../src/client/hub-client.js';

/** Every HubClient method that is a plain request/response call (all but subscribe). */
export type HubCallMethod = Exclude<keyof HubClient, 'transport' | 'subscribe'>;

// A record, not a list, so that a method added to HubClient fails to compile until it is carried.
const CALL_METHODS: Record<HubCallMethod, true> = {
  overview: true,
  listBoards: true,
  getBoard: true,
  createBoard: true,
  renameBoard: true,
  deleteBoard: true,
  restoreBoard: true,
  purgeBoard: true,
  exportBoard: true,
  importBoard: true,
  openBoard: true,
  listConnections: true,
  listShares: true,
  createShare: true,
  revokeShare: true,
  setShareRole: true,
  qrSvg: true,
  listPeers: true,
  addPeer: true,
  trustPeer: true,
  removePeer: true,
  queryAudit: true,
  verifyAudit: true,
  exportAudit: true,
  getSettings: true,
  updateSettings: true,
  resetAdminToken: true,
};
export const HUB_CALL_METHODS = Object.keys(CALL_METHODS) as HubCallMethod[];

export const CHANNEL_PREFIX = 'boardhub:';
export const callChannel = (method: HubCallMethod): string => `${CHANNEL_PREFIX}${method}`;
export const EVENT_CHANNEL = `${CHANNEL_PREFIX}event`;
export const SUBSCRIBE_CHANNEL = `${CHANNEL_PREFIX}subscribe`;
export const UNSUBSCRIBE_CHANNEL = `${CHANNEL_PREFIX}unsubscribe`;

export interface IpcErrorPayload {
  code: string;
  message: string;
}

export type IpcResult<T> = { ok: true; value: T } | { ok: false; error: IpcErrorPayload };

/** Refusals made by the IPC layer itself (the hub's own codes pass through unchanged). */
export const IpcErrorCode = {
  /** The call came from a frame that is not our window's main frame showing our own pages. */
  untrustedSender: 'UNTRUSTED_SENDER',
  /** The hub's code for malformed input: the same a bad HTTP request gets. */
  invalidArgument: 'INVALID_ARGUMENT',
  /** No answer from the main process (no handler, or the call itself failed). */
  unreachable: 'UNREACHABLE',
  /** An answer that is not an envelope. */
  unexpectedResponse: 'UNEXPECTED_RESPONSE',
  internal: 'INTERNAL',
} as const;
