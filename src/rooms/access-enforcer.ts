import { describeError, isHubError } from '../errors.js';
import type { Logger } from '../log.js';
import type { HubService } from '../service/hub-service.js';
import type { AccessChange } from '../service/live-status.js';
import type { Db } from '../storage/database.js';
import { CloseCode } from '../sync/close-codes.js';
import type { ClientConnection } from '../sync/connection.js';

/**
 * Keeps live connections in line with the data folder: a revoked or expired share, a retired
 * signing key or a deleted board ends the connection (4401 / 4404, so stock clients stop
 * retrying); a changed role applies to the next message. Changes made through this hub are
 * applied at once; changes made by another process (the CLI) are noticed by polling SQLite's
 * data_version, which moves whenever another connection commits (and then reported, so the
 * management UI refetches what another process may have changed).
 */
export class AccessEnforcer {
  private timer: NodeJS.Timeout | null = null;
  private lastDataVersion = -1;

  constructor(
    private readonly service: HubService,
    private readonly connections: ReadonlySet<ClientConnection>,
    private readonly db: Db,
    private readonly log: Logger,
    /** Called for a board found deleted, after its connections were told to close. */
    private readonly onBoardGone: (boardId: string) => void,
    /** Called when another process wrote to the data folder (anything may have changed). */
    private readonly onExternalChange: () => void = () => {},
  ) {}

  start(pollMs: number): void {
    this.lastDataVersion = this.dataVersion();
    this.timer = setInterval(() => {
      const version = this.dataVersion();
      if (version === this.lastDataVersion) return;
      this.lastDataVersion = version;
      this.onExternalChange();
      this.enforce();
    }, pollMs);
    this.timer.unref();
  }

  stop(): void {
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
  }

  /** Called by HubService after a change made in this process. */
  changed(change: AccessChange): void {
    this.enforce((connection) =>
      change.kind === 'share'
        ? connection.identity.shareId === change.shareId
        : change.kind === 'board'
          ? connection.identity.boardId === change.boardId
          : true,
    );
  }

  private enforce(affected: (connection: ClientConnection) => boolean = () => true): void {
    for (const connection of this.connections) {
      if (!affected(connection)) continue;
      try {
        this.enforceOne(connection);
      } catch (error) {
        this.log.error({ err: describeError(error) }, 'access check failed');
      }
    }
  }

  private enforceOne(connection: ClientConnection): void {
    const { shareId, boardId, keyId } = connection.identity;
    try {
      this.service.getActiveBoard(boardId);
    } catch (error) {
      if (!isHubError(error)) throw error;
      connection.close(CloseCode.boardGone, 'this board was deleted');
      this.onBoardGone(boardId);
      return;
    }
    if (!this.service.isActiveKey(keyId)) {
      connection.close(CloseCode.tokenInvalid, 'the key that signed this link was retired');
      return;
    }
    try {
      connection.setRole(this.service.currentShare(shareId).role);
    } catch (error) {
      if (!isHubError(error)) throw error;
      connection.close(CloseCode.tokenInvalid, error.message);
    }
  }

  private dataVersion(): number {
    return this.db.pragma('data_version', { simple: true }) as number;
  }
}
