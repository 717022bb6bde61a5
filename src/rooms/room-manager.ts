import type { Logger } from '../log.js';
import type { ClientIdStore } from '../storage/client-id-store.js';
import type { DocUpdateStore } from '../storage/doc-update-store.js';
import { type CommitScheduler, Room, type RoomSettings } from './room.js';

/**
 * Holds the live rooms, one per board. Loading is synchronous (SQLite is local and
 * better-sqlite3 is synchronous), so two connections arriving together can never load a board
 * twice: the second finds the room the first created.
 */
export class RoomManager {
  private readonly rooms = new Map<string, Room>();
  private loadCount = 0;
  private reloadCount = 0;

  constructor(
    private readonly updates: DocUpdateStore,
    private readonly clientIds: ClientIdStore,
    private readonly commits: CommitScheduler,
    private readonly settings: RoomSettings,
    private readonly log: Logger,
  ) {}

  /** The live room of a board, loading it if needed; throws BOARD_UNAVAILABLE if it cannot load. */
  acquire(boardId: string): Room {
    const existing = this.rooms.get(boardId);
    if (existing?.state === 'live') return existing;
    const room = new Room(
      boardId,
      this.updates,
      this.clientIds,
      this.commits,
      this.settings,
      this.log,
      (gone) => {
        if (this.rooms.get(gone.boardId) === gone) this.rooms.delete(gone.boardId);
      },
      () => this.reloadCount++,
    );
    this.loadCount++;
    room.load();
    this.rooms.set(boardId, room);
    this.log.debug({ boardId }, 'board loaded');
    return room;
  }

  get(boardId: string): Room | undefined {
    return this.rooms.get(boardId);
  }

  all(): Room[] {
    return [...this.rooms.values()];
  }

  /** How many times a board was loaded from storage since start (observability, tests). */
  get loads(): number {
    return this.loadCount;
  }

  /** How many times a live room rebuilt its doc from storage after a fault (observability, tests). */
  get reloads(): number {
    return this.reloadCount;
  }

  unloadAll(): void {
    for (const room of this.all()) room.unload();
  }
}
