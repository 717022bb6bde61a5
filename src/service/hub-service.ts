import { z } from 'zod';
import type { Keyring } from '../auth/keyring.js';
import { ROLES } from '../auth/roles.js';
import { signShareToken, verifyShareToken } from '../auth/tokens.js';
import { HubError } from '../errors.js';
import { newBoardId, newShareId } from '../ids.js';
import { boardSocketUrl } from '../net/join-url.js';
import type { BoardRecord } from '../storage/board-store.js';
import type { ShareRecord } from '../storage/share-store.js';
import type { Stores } from '../storage/stores.js';

/**
 * The hub's use cases. The CLI, the HTTP API and the desktop app's IPC all call these, so they
 * behave the same; none of them holds logic of its own.
 */
export interface HubAddress {
  host: string;
  port: number;
}

export interface ServiceContext {
  stores: Stores;
  keyring: Keyring;
  hubId: string;
  /** Where guests reach this hub (the running hub's address, or the configured default). */
  locate(): HubAddress;
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
  url: string;
}

const BoardNameSchema = z.string().trim().min(1, 'a board needs a name').max(200, 'at most 200 characters');
const ShareRequestSchema = z.object({
  boardId: z.string().min(1),
  role: z.enum(ROLES),
  label: z.string().trim().max(200, 'at most 200 characters').default(''),
  /** Lifetime in milliseconds; absent means the share does not expire. */
  ttlMs: z.number().int().positive().optional(),
});

export type ShareRequest = z.input<typeof ShareRequestSchema>;

function parseOrThrow<T>(schema: z.ZodType<T>, value: unknown, what: string): T {
  const result = schema.safeParse(value);
  if (!result.success) {
    const problems = result.error.issues.map((issue) =>
      issue.path.length > 0 ? `${issue.path.join('.')}: ${issue.message}` : issue.message,
    );
    throw new HubError('INVALID_ARGUMENT', `Invalid ${what}: ${problems.join('; ')}`);
  }
  return result.data;
}

export interface GrantedAccess {
  board: BoardRecord;
  share: ShareRecord;
  /** Seconds since the epoch, or null. */
  expiresAt: number | null;
}

export class HubService {
  constructor(private readonly context: ServiceContext) {}

  get hubId(): string {
    return this.context.hubId;
  }

  createBoard(name: string, actor: Actor): BoardRecord {
    const validName = parseOrThrow(BoardNameSchema, name, 'board name');
    const { stores } = this.context;
    const now = Date.now();
    const board = stores.boards.create(newBoardId(), validName, now);
    this.audit(actor, 'board_create', board.id, { name: board.name });
    return board;
  }

  listBoards(): BoardRecord[] {
    return this.context.stores.boards.listActive();
  }

  getActiveBoard(boardId: string): BoardRecord {
    const board = this.context.stores.boards.get(boardId);
    if (!board || board.deletedAt !== null)
      throw new HubError('BOARD_NOT_FOUND', `No board with id ${boardId}.`);
    return board;
  }

  async createShare(request: ShareRequest, actor: Actor): Promise<IssuedShare> {
    const valid = parseOrThrow(ShareRequestSchema, request, 'share');
    const board = this.getActiveBoard(valid.boardId);
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
    this.audit(actor, 'share_create', board.id, { role: share.role, expiresAt: expiresAtMs }, share);
    const { host, port } = this.context.locate();
    return { share, token, url: boardSocketUrl(host, port, board.id, token) };
  }

  listShares(boardId: string): ShareRecord[] {
    return this.context.stores.shares.listByBoard(this.getActiveBoard(boardId).id);
  }

  /**
   * Decides whether `token` opens `boardId`: a valid signature of this hub, a live share row for
   * that board, and a board that exists. The share row, not the token, says the role.
   */
  async authorizeBoardAccess(token: string | null, boardId: string): Promise<GrantedAccess> {
    if (token === null || token === '')
      throw new HubError('TOKEN_MISSING', 'A token is required to open a board.');
    const verified = verifyShareToken(this.context.keyring, this.context.hubId, token);
    const share = this.context.stores.shares.get(verified.shareId);
    if (!share || share.revokedAt !== null)
      throw new HubError('TOKEN_REVOKED', 'This share link was revoked.');
    if (share.expiresAt !== null && share.expiresAt <= Date.now()) {
      throw new HubError('TOKEN_EXPIRED', 'This share link has expired.');
    }
    if (verified.boardId !== boardId || share.boardId !== boardId) {
      throw new HubError('WRONG_BOARD', 'This token is for another board.');
    }
    const board = this.getActiveBoard(boardId);
    return { board, share, expiresAt: verified.expiresAt };
  }

  private audit(
    actor: Actor,
    action: 'board_create' | 'share_create',
    boardId: string,
    detail: Record<string, unknown>,
    share?: ShareRecord,
  ): void {
    this.context.stores.audit.append([
      {
        ts: Date.now(),
        action,
        actor: actor.name,
        boardId,
        shareId: share?.id ?? null,
        label: share?.label ?? null,
        ip: actor.ip ?? null,
        userAgent: actor.userAgent ?? null,
        detail,
      },
    ]);
  }
}
