/**
 * The one API the management UI talks to, whatever carries it: IPC in the desktop app
 * (electron/preload.ts exposes it through contextBridge) or HTTP to the admin API in a browser
 * (renderer/src/api/http-hub-client.ts). Both implementations pass one contract test
 * (test/contract/), so the renderer cannot tell them apart.
 *
 * This module is plain data types and one error class: no Node, DOM or Electron imports, so the
 * renderer, the preload and the main process can all share it. Times are milliseconds since the
 * epoch. Bytes travel as Uint8Array (structured clone over IPC, base64 or a body over HTTP).
 */

export type ShareRole = 'view' | 'comment' | 'edit';
export const SHARE_ROLES: readonly ShareRole[] = ['view', 'comment', 'edit'];

export interface BoardInfo {
  id: string;
  name: string;
  createdAt: number;
  updatedAt: number;
  /** Set while the board is in the trash (restorable for 30 days). */
  deletedAt: number | null;
}

export interface BoardListItem extends BoardInfo {
  /** Live connections now. */
  connections: number;
  /** Newest stored change. */
  lastEditAt: number;
  sizeBytes: number;
  logLength: number;
}

export interface ConnectionInfo {
  /** Unique per connection for the hub's lifetime. */
  id: number;
  boardId: string;
  shareId: string;
  /** The share's label (the person's name as the owner typed it). */
  label: string;
  role: ShareRole;
  ip: string | null;
  userAgent: string | null;
  connectedAt: number;
}

export interface ShareInfo {
  id: string;
  boardId: string;
  role: ShareRole;
  label: string;
  createdAt: number;
  expiresAt: number | null;
  revokedAt: number | null;
}

export interface NewShare {
  boardId: string;
  role: ShareRole;
  label?: string;
  /** Lifetime in ms; omitted = does not expire. */
  ttlMs?: number;
}

export interface IssuedShareLink {
  share: ShareInfo;
  /**
   * The board's page with its token in the fragment, `http://HOST:PORT/b/{boardId}#t={token}`:
   * what people open (and the QR code encodes). Shown once, never stored by the hub.
   */
  url: string;
  /** The same page through the hub's `.local` name, when it announces itself. */
  alternativeUrls: string[];
  /** The y-websocket URL with its token (`ws://…/ws/canvas/{boardId}?token=…`), for programs. */
  socketUrl: string;
  /** The WebSocket URL through the `.local` name. */
  alternativeSocketUrls: string[];
}

export interface PeerInfo {
  hubId: string;
  name: string;
  host: string | null;
  addresses: string[];
  port: number;
  fingerprint: string;
  fingerprintShort: string;
  version: string | null;
  source: 'mdns' | 'manual';
  lastSeen: number;
  reachable: boolean;
  /** 'changed': this hub id (or name) was seen before with another key: warn the user. */
  identity: 'new' | 'known' | 'changed';
  previousFingerprintShort: string | null;
}

export interface AuditFilterInput {
  /** Inclusive. */
  from?: number;
  /** Exclusive. */
  to?: number;
  boardId?: string;
  action?: string;
  actor?: string;
  ip?: string;
}

export interface AuditQueryInput extends AuditFilterInput {
  /** The nextCursor of the previous page. */
  beforeId?: number;
  /** 1..1000, default 100. */
  limit?: number;
}

export interface AuditRow {
  id: number;
  ts: number;
  action: string;
  actor: string;
  boardId: string | null;
  shareId: string | null;
  label: string | null;
  ip: string | null;
  userAgent: string | null;
  detail: Record<string, unknown>;
  hash: string;
}

export interface AuditPageResult {
  /** Newest first. */
  entries: AuditRow[];
  nextCursor: number | null;
}

export type AuditChainStatus =
  | { ok: true; rows: number; headHash: string }
  | { ok: false; rows: number; brokenAt: { id: number; reason: string } };

export type AuditExportFormat = 'csv' | 'jsonl';

export interface HubOverview {
  hubId: string;
  name: string;
  version: string;
  fingerprintShort: string;
  uptimeSeconds: number;
  connections: number;
  boards: number;
  boardsInTrash: number;
  dataDir: string;
  /** Where guests connect, e.g. "192.168.1.20:7420" (loopback when hidden from the LAN). */
  listenHost: string;
  port: number;
  /** True when the hub accepts connections from other machines. */
  lanVisible: boolean;
  /** mDNS announcing state. */
  mdns: 'announcing' | 'browsing' | 'off';
}

export interface HubSettings {
  name: string;
  /** Listen on the LAN (and announce over mDNS) or on this machine only. Applies at once. */
  lanVisible: boolean;
  /** The port to listen on. Applies at the next start (see restartRequired). */
  port: number;
  /** Boards with no connections are saved and unloaded after this long. Applies at once. */
  idleUnloadMs: number;
  /** True when a saved setting (the port) differs from what the running hub uses. */
  restartRequired: boolean;
  /**
   * How the signing keys are kept: 'os-keychain' (Electron safeStorage with a real backend) or
   * 'file' (owner-only file in the data folder). The UI says so when it is 'file'.
   */
  keyProtection: 'os-keychain' | 'file';
}

export type HubSettingsPatch = Partial<Pick<HubSettings, 'name' | 'lanVisible' | 'port' | 'idleUnloadMs'>>;

export interface BoardFile {
  /** Suggested file name, e.g. "Retro.yjs". */
  fileName: string;
  bytes: Uint8Array;
}

/** What changed; the UI refetches what it shows about that topic. */
export type HubTopic = 'boards' | 'connections' | 'shares' | 'audit' | 'peers' | 'settings' | 'status';
export const HUB_TOPICS: readonly HubTopic[] = [
  'boards',
  'connections',
  'shares',
  'audit',
  'peers',
  'settings',
  'status',
];

export interface HubChange {
  topic: HubTopic;
  /** Set when the change concerns one board. */
  boardId?: string;
}

/**
 * 'changes': a batch of changes (coalesced, at most a few per second).
 * 'resync': the event stream was interrupted and resumed: refetch everything.
 * 'connection': whether live updates are flowing ('live') or being re-established ('reconnecting').
 */
export type HubEvent =
  | { type: 'changes'; changes: HubChange[] }
  | { type: 'resync' }
  | { type: 'connection'; state: 'live' | 'reconnecting' };

/**
 * The hub's error codes (src/errors.ts: BOARD_NOT_FOUND, INVALID_ARGUMENT, …), the admin API's
 * (ADMIN_TOKEN_INVALID, ADMIN_LOOPBACK_ONLY, ORIGIN_NOT_ALLOWED, TOO_MANY_FAILURES, NOT_FOUND),
 * and the clients' own: UNREACHABLE (no answer from the hub), UNEXPECTED_RESPONSE.
 */
export type ErrorCodeName = string;

/** Every failure of a HubClient call: a code to branch on and a message fit to show a user. */
export class HubClientError extends Error {
  override readonly name = 'HubClientError';
  constructor(
    readonly code: ErrorCodeName,
    message: string,
    /** HTTP status where there was one. */
    readonly status?: number,
    /** The underlying failure, for logs in the process that caught it (never sent to the UI). */
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }
}

export interface HubClient {
  /** 'ipc' in the desktop app, 'http' in a browser (the UI hides the token screen over IPC). */
  readonly transport: 'ipc' | 'http';

  overview(): Promise<HubOverview>;

  listBoards(options?: { trash?: boolean }): Promise<BoardListItem[]>;
  getBoard(boardId: string): Promise<BoardListItem>;
  createBoard(name: string): Promise<BoardInfo>;
  renameBoard(boardId: string, name: string): Promise<BoardInfo>;
  /** Moves it to the trash: live clients are disconnected. */
  deleteBoard(boardId: string): Promise<BoardInfo>;
  restoreBoard(boardId: string): Promise<BoardInfo>;
  /** Deletes a board in the trash for good. */
  purgeBoard(boardId: string): Promise<void>;
  exportBoard(boardId: string): Promise<BoardFile>;
  importBoard(input: { bytes: Uint8Array; name?: string }): Promise<BoardInfo>;
  /**
   * "Open board": the board page on this machine with an owner token (edit, valid 12 hours) in
   * its fragment, `http://127.0.0.1:PORT/b/{boardId}#t={token}`; audited as the caller.
   */
  openBoard(boardId: string): Promise<{ url: string }>;

  listConnections(boardId: string): Promise<ConnectionInfo[]>;

  listShares(boardId: string): Promise<ShareInfo[]>;
  createShare(input: NewShare): Promise<IssuedShareLink>;
  revokeShare(shareId: string): Promise<ShareInfo>;
  setShareRole(shareId: string, role: ShareRole): Promise<ShareInfo>;
  /** The link as an SVG document (text). */
  qrSvg(url: string): Promise<string>;

  listPeers(): Promise<PeerInfo[]>;
  addPeer(host: string, port: number): Promise<PeerInfo>;
  trustPeer(hubId: string): Promise<PeerInfo>;
  removePeer(hubId: string): Promise<void>;

  queryAudit(query?: AuditQueryInput): Promise<AuditPageResult>;
  verifyAudit(): Promise<AuditChainStatus>;
  exportAudit(filter: AuditFilterInput, format: AuditExportFormat): Promise<string>;

  getSettings(): Promise<HubSettings>;
  updateSettings(patch: HubSettingsPatch): Promise<HubSettings>;
  /** Revokes every admin token and issues a new one, shown once. */
  resetAdminToken(): Promise<{ token: string }>;

  /** Live updates; returns the unsubscribe function. */
  subscribe(listener: (event: HubEvent) => void): () => void;
}
