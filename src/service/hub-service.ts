import { readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import type { KeyInfo, Keyring } from '../auth/keyring.js';
import type { Role } from '../auth/roles.js';
import { ShareTokenVerifier, signShareToken } from '../auth/tokens.js';
import type { HubChange, HubOverview, HubSettings } from '../client/hub-client.js';
import { DEFAULT_MAX_BOARD_FILE_BYTES } from '../config.js';
import { HubError } from '../errors.js';
import { newBoardId, newShareId } from '../ids.js';
import { boardPageUrl, boardSocketUrl } from '../net/join-url.js';
import { shortFingerprint } from '../net/lan/fingerprint.js';
import type { QrFormat } from '../net/lan/qr.js';
import type { LanView, PeerHub, PublicHubIdentity } from '../net/lan/types.js';
import type { AuditAction } from '../storage/audit-store.js';
import type { BoardFigures, BoardRecord } from '../storage/board-store.js';
import type { ShareRecord } from '../storage/share-store.js';
import type { Stores } from '../storage/stores.js';
import { VERSION } from '../version.js';
import { newAdminToken, parseAdminToken, secretMatches } from './admin-tokens.js';
import { AuditService } from './audit-service.js';
import { BoardFileService } from './board-file-service.js';
import {
  type BoardExportMeta,
  decodeBoardExport,
  EXPORT_FORMAT,
  encodeBoardExport,
  stateAsSingleUpdate,
  validateImportedUpdate,
} from './board-transfer.js';
import type { HubChangeSink } from './hub-events.js';
import { type HubDiagnostics, LanService } from './lan-service.js';
import type { AccessChange, LiveConnection, LiveStatus } from './live-status.js';
import { type LiveSettingsControl, SettingsService } from './settings-service.js';
import {
  BoardNameSchema,
  IdSchema,
  parseOrThrow,
  RoleSchema,
  type ShareRequest,
  ShareRequestSchema,
} from './validation.js';

/**
 * The hub's use cases. The CLI, the HTTP API and the desktop app's IPC all call these, so they
 * behave the same; none of them holds logic of its own. Every change is audited with its actor.
 */
export interface HubAddress {
  host: string;
  port: number;
  /** Other names guests may use (the `.local` name while the hub announces itself). */
  alternatives?: string[];
}

export interface ServiceContext {
  stores: Stores;
  keyring: Keyring;
  hubId: string;
  dataDir: string;
  /** Where guests reach this hub (the running hub's address, or the configured default). */
  locate(): HubAddress;
  /** Present in a running hub: live connections and rooms. */
  live?: LiveStatus;
  /** Present in a running hub: applies a change of access to live connections at once. */
  onAccessChanged?(change: AccessChange): void;
  /** Present in a running hub (and in CLI commands that browse): mDNS presence and the peer list. */
  lan?: LanView;
  /** Present in a running hub: told what changed, for the management UI's live updates. */
  events?: HubChangeSink;
  /** Present in a running hub: its current settings, and how to apply changed ones at once. */
  liveSettings?: LiveSettingsControl;
  /** Largest image file a board accepts (config.maxBoardFileBytes). */
  maxBoardFileBytes?: number;
}

export interface Actor {
  /** e.g. "cli:alice", "admin", "share:s_…" */
  name: string;
  ip?: string | null;
  userAgent?: string | null;
}

export interface IssuedShare {
  share: ShareRecord;
  token: string;
  /** The board's page, `http://HOST:PORT/b/{boardId}#t={token}`: what people open. */
  url: string;
  /** The same page through the hub's `.local` name (when it announces itself over mDNS). */
  alternativeUrls: string[];
  /** The WebSocket, `ws://HOST:PORT/ws/canvas/{boardId}?token=…`: for programs. */
  socketUrl: string;
  /** The WebSocket through the `.local` name. */
  alternativeSocketUrls: string[];
}

export interface BoardSummary extends BoardFigures {
  /** Live connections now (0 when no hub runs on this data folder). */
  connections: number;
}

export interface GrantedAccess {
  board: BoardRecord;
  share: ShareRecord;
  /** Seconds since the epoch, or null. */
  expiresAt: number | null;
  keyId: string;
}

export interface HubStatus {
  hubId: string;
  version: string;
  running: boolean;
  uptimeSeconds: number;
  roomsLoaded: number;
  connections: number;
  boards: number;
  boardsInTrash: number;
  dataDir: string;
  dataDirBytes: number;
}

export interface BoardExport {
  /** What goes into the .yjs file: the plain update, or a bundle when the board has images. */
  file: Uint8Array;
  meta: BoardExportMeta;
}

/** What "Open board" gives the owner: the board page on this machine, with an owner token. */
export interface OwnerSession {
  url: string;
  /** The token in the url's fragment (for programs and tests: the WebSocket's `?token=`). */
  token: string;
  /** Milliseconds since the epoch. */
  expiresAt: number;
}

/** Owner tokens are short-lived: "Open board" issues a fresh one each time. */
export const OWNER_TOKEN_TTL_MS = 12 * 3600 * 1000;
export const OWNER_SHARE_LABEL = 'Owner';

/** How long a deleted board stays restorable. */
export const TRASH_RETENTION_MS = 30 * 24 * 3600 * 1000;

function folderBytes(dir: string): number {
  let total = 0;
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    total += entry.isDirectory() ? folderBytes(path) : statSync(path).size;
  }
  return total;
}

export class HubService {
  /** Audit queries, export, verification and pruning. */
  readonly audit: AuditService;
  /** A board page's image files (authorize with authorizeBoardAccess first). */
  readonly files: BoardFileService;

  private readonly lanUseCases: LanService;
  private readonly settings: SettingsService;
  /** Share tokens of every connection attempt; remembers signatures it already checked. */
  private readonly tokens: ShareTokenVerifier;

  constructor(private readonly context: ServiceContext) {
    this.audit = new AuditService(context.stores);
    this.files = new BoardFileService({
      files: context.stores.files,
      maxBytes: context.maxBoardFileBytes ?? DEFAULT_MAX_BOARD_FILE_BYTES,
      uploaded: (access, file) =>
        this.record({ name: `share:${access.share.id}` }, 'file_upload', {
          share: access.share,
          detail: { fileId: file.fileId, mimeType: file.mimeType, size: file.size },
        }),
    });
    this.tokens = new ShareTokenVerifier(context.keyring, context.hubId);
    this.lanUseCases = new LanService({
      ...context,
      running: context.live !== undefined,
      displayName: () => this.displayName(),
      record: (actor, action, detail) => this.record(actor, action, { detail }),
      peersChanged: () => this.changed({ topic: 'peers' }),
    });
    this.settings = new SettingsService({
      meta: context.stores.meta,
      keyProtection: () => context.keyring.protection,
      live: context.liveSettings,
      record: (actor, action, detail) => this.record(actor, action, { detail }),
      changed: (change) => this.changed(change),
    });
  }

  get hubId(): string {
    return this.context.hubId;
  }

  // ----- boards -----

  createBoard(name: string, actor: Actor): BoardRecord {
    const validName = parseOrThrow(BoardNameSchema, name, 'board name');
    const board = this.context.stores.boards.create(newBoardId(), validName, Date.now());
    this.record(actor, 'board_create', { boardId: board.id, detail: { name: board.name } });
    this.boardsChanged(board.id);
    return board;
  }

  /** Active boards (or the trash) with stored figures and live connection counts. */
  listBoards(options: { trash?: boolean } = {}): BoardSummary[] {
    const live = this.liveConnectionCounts();
    return this.context.stores.boards
      .listWithFigures(options.trash === true)
      .map((board) => ({ ...board, connections: live.get(board.id) ?? 0 }));
  }

  getBoard(boardId: string): BoardSummary {
    const figures = this.context.stores.boards.figures(parseOrThrow(IdSchema, boardId, 'board id'));
    if (!figures) throw new HubError('BOARD_NOT_FOUND', `No board with id ${boardId}.`);
    return { ...figures, connections: this.liveConnectionCounts().get(figures.id) ?? 0 };
  }

  getActiveBoard(boardId: string): BoardRecord {
    const board = this.context.stores.boards.get(boardId);
    if (!board || board.deletedAt !== null)
      throw new HubError('BOARD_NOT_FOUND', `No board with id ${boardId}.`);
    return board;
  }

  renameBoard(boardId: string, name: string, actor: Actor): BoardRecord {
    const board = this.getActiveBoard(boardId);
    const validName = parseOrThrow(BoardNameSchema, name, 'board name');
    this.context.stores.boards.rename(board.id, validName, Date.now());
    this.record(actor, 'board_rename', { boardId: board.id, detail: { from: board.name, to: validName } });
    this.boardsChanged(board.id);
    return this.getActiveBoard(board.id);
  }

  /** Moves a board to the trash: its live connections are closed (4404), it stays restorable. */
  deleteBoard(boardId: string, actor: Actor): BoardRecord {
    const board = this.getActiveBoard(boardId);
    this.context.stores.boards.moveToTrash(board.id, Date.now());
    this.record(actor, 'board_delete', { boardId: board.id, detail: { name: board.name } });
    this.context.onAccessChanged?.({ kind: 'board', boardId: board.id });
    this.boardsChanged(board.id);
    return this.requireBoard(board.id);
  }

  restoreBoard(boardId: string, actor: Actor): BoardRecord {
    const board = this.requireBoard(boardId);
    if (board.deletedAt === null)
      throw new HubError('INVALID_ARGUMENT', `Board ${board.id} is not in the trash.`);
    this.context.stores.boards.restore(board.id);
    this.record(actor, 'board_restore', { boardId: board.id, detail: { name: board.name } });
    this.boardsChanged(board.id);
    return this.getActiveBoard(board.id);
  }

  /** Removes a trashed board, its content and its shares for good. */
  purgeBoard(boardId: string, actor: Actor): void {
    const board = this.requireBoard(boardId);
    if (board.deletedAt === null) {
      throw new HubError(
        'INVALID_ARGUMENT',
        `Board ${board.id} must be deleted (moved to the trash) before purging.`,
      );
    }
    this.context.stores.boards.purge(board.id);
    this.record(actor, 'board_purge', { boardId: board.id, detail: { name: board.name } });
    this.boardsChanged(board.id);
    this.changed({ topic: 'shares', boardId: board.id });
  }

  /** Purges boards that have been in the trash longer than the retention period. */
  purgeExpiredTrash(now = Date.now()): string[] {
    const expired = this.context.stores.boards.trashedBefore(now - TRASH_RETENTION_MS);
    for (const board of expired) this.purgeBoard(board.id, { name: 'hub:retention' });
    return expired.map((board) => board.id);
  }

  exportBoard(boardId: string, actor: Actor): BoardExport {
    const board = this.getActiveBoard(boardId);
    const stored = this.context.stores.updates.load(board.id);
    const update = stateAsSingleUpdate(stored.snapshot, stored.tail);
    const files = this.context.stores.files.list(board.id);
    const file = encodeBoardExport(update, files);
    const meta: BoardExportMeta = {
      format: EXPORT_FORMAT,
      id: board.id,
      name: board.name,
      createdAt: board.createdAt,
      exportedAt: Date.now(),
      hubId: this.context.hubId,
      updateBytes: update.byteLength,
      files: files.length,
    };
    this.record(actor, 'board_export', {
      boardId: board.id,
      detail: { bytes: file.byteLength, files: files.length },
    });
    return { file, meta };
  }

  /**
   * Creates a new board holding the imported state (and the bundle's image files); the name
   * comes from `name` or the sidecar.
   */
  importBoard(input: { file: Uint8Array; name?: string; meta?: unknown }, actor: Actor): BoardRecord {
    const sidecarName =
      typeof input.meta === 'object' && input.meta !== null && 'name' in input.meta
        ? input.meta.name
        : undefined;
    const name = parseOrThrow(BoardNameSchema, input.name ?? sidecarName ?? 'Imported board', 'board name');
    const { update, files } = decodeBoardExport(input.file, this.files.maxBytes);
    const state = validateImportedUpdate(update);
    const { stores } = this.context;
    const now = Date.now();
    const board = stores.db
      .transaction(() => {
        const created = stores.boards.create(newBoardId(), name, now);
        stores.updates.compact(created.id, state, 0, now);
        for (const file of files) {
          stores.files.put({
            boardId: created.id,
            fileId: file.fileId,
            mimeType: file.mimeType,
            bytes: file.bytes,
            size: file.bytes.byteLength,
            createdAt: file.createdAt,
            createdByShare: null,
          });
        }
        return created;
      })
      .immediate();
    this.record(actor, 'board_import', {
      boardId: board.id,
      detail: { name, bytes: state.byteLength, files: files.length },
    });
    this.boardsChanged(board.id);
    return board;
  }

  /** Who is connected to a board right now (empty without a running hub). */
  liveConnections(boardId: string): LiveConnection[] {
    const board = this.requireBoard(boardId);
    return (this.context.live?.connections() ?? []).filter((c) => c.boardId === board.id);
  }

  // ----- shares -----

  async createShare(request: ShareRequest, actor: Actor): Promise<IssuedShare> {
    const valid = parseOrThrow(ShareRequestSchema, request, 'share');
    const board = this.getActiveBoard(valid.boardId);
    // Keys sealed by the desktop app cannot sign here: refuse before a share row exists.
    this.context.keyring.assertCanSign();
    const now = Date.now();
    const expiresAtMs = valid.ttlMs === undefined ? null : now + valid.ttlMs;
    const share = this.context.stores.shares.create({
      id: newShareId(),
      boardId: board.id,
      role: valid.role,
      label: valid.label,
      createdAt: now,
      expiresAt: expiresAtMs,
    });
    const token = await signShareToken(this.context.keyring, this.context.hubId, {
      boardId: board.id,
      shareId: share.id,
      role: share.role,
      expiresAt: expiresAtMs === null ? null : Math.floor(expiresAtMs / 1000),
    });
    this.record(actor, 'share_create', { share, detail: { role: share.role, expiresAt: expiresAtMs } });
    this.changed({ topic: 'shares', boardId: board.id });
    const { host, port, alternatives = [] } = this.context.locate();
    return {
      share,
      token,
      url: boardPageUrl(host, port, board.id, token),
      alternativeUrls: alternatives.map((name) => boardPageUrl(name, port, board.id, token)),
      socketUrl: boardSocketUrl(host, port, board.id, token),
      alternativeSocketUrls: alternatives.map((name) => boardSocketUrl(name, port, board.id, token)),
    };
  }

  /**
   * "Open board" for the owner: the board page on this machine (loopback), with an edit token of
   * the board's owner share (created on first use, label "Owner", never listed), valid 12 hours.
   */
  async openBoard(boardId: string, actor: Actor): Promise<OwnerSession> {
    const board = this.getActiveBoard(parseOrThrow(IdSchema, boardId, 'board id'));
    this.context.keyring.assertCanSign();
    const { shares } = this.context.stores;
    const now = Date.now();
    const share =
      shares.ownerShare(board.id) ??
      shares.create({
        id: newShareId(),
        boardId: board.id,
        role: 'edit',
        label: OWNER_SHARE_LABEL,
        createdAt: now,
        expiresAt: null,
        kind: 'owner',
      });
    const expiresAt = now + OWNER_TOKEN_TTL_MS;
    const token = await signShareToken(this.context.keyring, this.context.hubId, {
      boardId: board.id,
      shareId: share.id,
      role: share.role,
      expiresAt: Math.floor(expiresAt / 1000),
    });
    this.record(actor, 'board_open', { share, detail: { expiresAt } });
    const { port } = this.context.locate();
    return { url: boardPageUrl('127.0.0.1', port, board.id, token), token, expiresAt };
  }

  listShares(boardId: string): ShareRecord[] {
    return this.context.stores.shares.listByBoard(this.requireBoard(boardId).id);
  }

  getShare(shareId: string): ShareRecord {
    const share = this.context.stores.shares.get(parseOrThrow(IdSchema, shareId, 'share id'));
    if (!share) throw new HubError('SHARE_NOT_FOUND', `No share with id ${shareId}.`);
    return share;
  }

  /** Revokes a share: its token is refused from now on and its live connections are closed (4401). */
  revokeShare(shareId: string, actor: Actor): ShareRecord {
    const share = this.getShare(shareId);
    if (share.revokedAt === null) {
      this.context.stores.shares.revoke(share.id, Date.now());
      this.record(actor, 'share_revoke', { share, detail: { role: share.role } });
      this.context.onAccessChanged?.({ kind: 'share', shareId: share.id });
      this.changed({ topic: 'shares', boardId: share.boardId });
    }
    return this.getShare(share.id);
  }

  /** Changes a share's role; live connections using it switch at once. */
  setShareRole(shareId: string, role: Role, actor: Actor): ShareRecord {
    const share = this.getShare(shareId);
    const validRole = parseOrThrow(RoleSchema, role, 'role');
    if (share.revokedAt !== null) throw new HubError('INVALID_ARGUMENT', `Share ${share.id} is revoked.`);
    if (share.role !== validRole) {
      this.context.stores.shares.setRole(share.id, validRole);
      this.record(actor, 'share_role_change', { share, detail: { from: share.role, to: validRole } });
      this.context.onAccessChanged?.({ kind: 'share', shareId: share.id });
      this.changed({ topic: 'shares', boardId: share.boardId });
    }
    return this.getShare(share.id);
  }

  /**
   * Decides whether `token` opens `boardId`: a valid signature of this hub, a live share row for
   * that board, and a board that exists. The share row, not the token, says the role.
   */
  async authorizeBoardAccess(token: string | null, boardId: string): Promise<GrantedAccess> {
    if (token === null || token === '')
      throw new HubError('TOKEN_MISSING', 'A token is required to open a board.');
    const verified = this.tokens.verify(token);
    const share = this.currentShare(verified.shareId);
    if (verified.boardId !== boardId || share.boardId !== boardId) {
      throw new HubError('WRONG_BOARD', 'This token is for another board.');
    }
    const board = this.getActiveBoard(boardId);
    return { board, share, expiresAt: verified.expiresAt, keyId: verified.keyId };
  }

  /** The share as it stands now; throws if it was revoked, expired or removed. */
  currentShare(shareId: string): ShareRecord {
    const share = this.context.stores.shares.get(shareId);
    if (!share || share.revokedAt !== null)
      throw new HubError('TOKEN_REVOKED', 'This share link was revoked.');
    if (share.expiresAt !== null && share.expiresAt <= Date.now()) {
      throw new HubError('TOKEN_EXPIRED', 'This share link has expired.');
    }
    return share;
  }

  // ----- keys and admin tokens -----

  /** Whether tokens signed by this key are still accepted. */
  isActiveKey(keyId: string): boolean {
    return this.context.keyring.verificationKey(keyId) !== undefined;
  }

  listKeys(): KeyInfo[] {
    return this.context.keyring.list();
  }

  rotateKey(actor: Actor): KeyInfo {
    const key = this.context.keyring.rotate(Date.now());
    this.record(actor, 'key_rotate', { detail: { kid: key.kid } });
    this.changed({ topic: 'status' });
    return key;
  }

  /** Retires a key (default: all but the current one); tokens it signed stop working at once. */
  retireKey(actor: Actor, kid?: string): KeyInfo[] {
    const retired = this.context.keyring.retire(Date.now(), kid);
    if (retired.length > 0) {
      this.record(actor, 'key_retire', { detail: { kids: retired.map((k) => k.kid) } });
      this.context.onAccessChanged?.({ kind: 'keys' });
      this.changed({ topic: 'status' });
    }
    return retired;
  }

  /** Issues a new admin token, revoking every earlier one; only its hash is stored. */
  issueAdminToken(actor: Actor): string {
    return this.replaceAdminTokens(actor, 'admin_token_issue');
  }

  /** The management UI's "reset": every admin token (the caller's too) stops working; a new one is shown once. */
  resetAdminToken(actor: Actor): { token: string } {
    return { token: this.replaceAdminTokens(actor, 'admin_token_reset') };
  }

  isValidAdminToken(token: string): boolean {
    const parsed = parseAdminToken(token);
    const stored = parsed ? this.context.stores.adminTokens.get(parsed.id) : undefined;
    return (
      parsed !== undefined &&
      stored !== undefined &&
      stored.revokedAt === null &&
      secretMatches(parsed.secret, stored.secretHash)
    );
  }

  recordAdminAuthFailure(actor: Actor, reason: string): void {
    this.record(actor, 'admin_auth_failed', { detail: { reason } });
  }

  // ----- status -----

  status(): HubStatus {
    const live = this.context.live;
    const { boards } = this.context.stores;
    return {
      hubId: this.context.hubId,
      version: VERSION,
      running: live !== undefined,
      uptimeSeconds: live ? Math.round((Date.now() - live.startedAt) / 1000) : 0,
      roomsLoaded: live?.roomsLoaded() ?? 0,
      connections: live?.connections().length ?? 0,
      boards: boards.listActive().length,
      boardsInTrash: boards.listWithFigures(true).length,
      dataDir: this.context.dataDir,
      dataDirBytes: folderBytes(this.context.dataDir),
    };
  }

  // ----- LAN presence (see lan-service.ts) -----

  /** The name other hubs and the UI show: as announced (after a conflict "Name (2)"), else as set. */
  displayName(): string {
    return this.context.lan?.announcedName() ?? this.settings.baseName();
  }

  // ----- settings and overview (for the management UI) -----

  getSettings(): HubSettings {
    return this.settings.get();
  }

  /** Any subset of name, lanVisible, port, idleUnloadMs; applied at once except the port (next start). */
  updateSettings(patch: unknown, actor: Actor): Promise<HubSettings> {
    return this.settings.update(patch, actor);
  }

  /** What the management UI's home shows about this hub. */
  overview(): HubOverview {
    const live = this.context.live;
    const { boards } = this.context.stores;
    const { host, port } = this.context.locate();
    return {
      hubId: this.context.hubId,
      name: this.displayName(),
      version: VERSION,
      fingerprintShort: shortFingerprint(this.context.keyring.publicKeyFingerprint()),
      uptimeSeconds: live ? Math.round((Date.now() - live.startedAt) / 1000) : 0,
      connections: live?.connections().length ?? 0,
      boards: boards.listActive().length,
      boardsInTrash: boards.listWithFigures(true).length,
      dataDir: this.context.dataDir,
      listenHost: `${host.includes(':') ? `[${host}]` : host}:${port}`,
      port,
      lanVisible: this.context.liveSettings?.current().lanVisible ?? false,
      mdns: this.context.lan?.mdnsState() ?? 'off',
    };
  }

  /** Who this hub is (public: GET /api/hub); with a challenge, proof that it holds its key. */
  hubIdentity(challenge?: string): PublicHubIdentity {
    return this.lanUseCases.hubIdentity(challenge);
  }

  /** Other hubs on the LAN (heard over mDNS or added by address), never this one. */
  peers(): PeerHub[] {
    return this.lanUseCases.peers();
  }

  /** For networks where multicast is blocked: adds the hub at host:port after verifying its identity. */
  addPeerByAddress(host: string, port: number, actor: Actor): Promise<PeerHub> {
    return this.lanUseCases.addPeerByAddress(host, port, actor);
  }

  removePeer(hubId: string, actor: Actor): void {
    this.lanUseCases.removePeer(hubId, actor);
  }

  trustPeer(hubId: string, actor: Actor): PeerHub {
    return this.lanUseCases.trustPeer(hubId, actor);
  }

  diagnostics(options: { port: number }): Promise<HubDiagnostics> {
    return this.lanUseCases.diagnostics(options);
  }

  /** A join link as a QR code: PNG bytes, or SVG / terminal text. */
  shareQr(url: string, format: 'png'): Promise<Buffer>;
  shareQr(url: string, format: 'svg' | 'terminal'): Promise<string>;
  shareQr(url: string, format: QrFormat): Promise<string | Buffer>;
  shareQr(url: string, format: QrFormat): Promise<string | Buffer> {
    return this.lanUseCases.shareQr(url, format);
  }

  // ----- helpers -----

  private requireBoard(boardId: string): BoardRecord {
    const board = this.context.stores.boards.get(parseOrThrow(IdSchema, boardId, 'board id'));
    if (!board) throw new HubError('BOARD_NOT_FOUND', `No board with id ${boardId}.`);
    return board;
  }

  private replaceAdminTokens(actor: Actor, action: 'admin_token_issue' | 'admin_token_reset'): string {
    const fresh = newAdminToken();
    this.context.stores.adminTokens.replaceAll(fresh.id, fresh.secretHash, Date.now());
    this.record(actor, action, { detail: { tokenId: fresh.id } });
    return fresh.token;
  }

  private changed(change: HubChange): void {
    this.context.events?.emit(change);
  }

  private boardsChanged(boardId: string): void {
    this.changed({ topic: 'boards', boardId });
    this.changed({ topic: 'status' });
  }

  private liveConnectionCounts(): Map<string, number> {
    const counts = new Map<string, number>();
    for (const connection of this.context.live?.connections() ?? []) {
      counts.set(connection.boardId, (counts.get(connection.boardId) ?? 0) + 1);
    }
    return counts;
  }

  private record(
    actor: Actor,
    action: AuditAction,
    about: { boardId?: string; share?: ShareRecord; detail: Record<string, unknown> },
  ): void {
    this.context.stores.audit.append([
      {
        ts: Date.now(),
        action,
        actor: actor.name,
        boardId: about.boardId ?? about.share?.boardId ?? null,
        shareId: about.share?.id ?? null,
        label: about.share?.label ?? null,
        ip: actor.ip ?? null,
        userAgent: actor.userAgent ?? null,
        detail: about.detail,
      },
    ]);
  }
}
