import { HUB_TOPICS, type HubChange, type HubTopic } from '../client/hub-client.js';
import { describeError } from '../errors.js';
import type { Logger } from '../log.js';

/**
 * What changed in the hub, for whoever shows it (the management UI over SSE or IPC). A change is
 * a hint to refetch, not the data itself, so changes are coalesced: everything emitted within one
 * window (FLUSH_MS) leaves as one batch without duplicates, and a topic-wide change swallows the
 * per-board changes of the same topic. Nothing is queued while nobody listens.
 */
export type { HubChange, HubTopic };

export type HubChangesListener = (changes: readonly HubChange[]) => void;

/** How the rest of the hub reports a change (HubService, rooms, LAN presence). */
export interface HubChangeSink {
  emit(change: HubChange): void;
}

const FLUSH_MS = 150;

const keyOf = (change: HubChange): string => `${change.topic}\u0000${change.boardId ?? ''}`;

export class HubEvents implements HubChangeSink {
  private readonly listeners = new Set<HubChangesListener>();
  private pending = new Map<string, HubChange>();
  private timer: NodeJS.Timeout | null = null;

  constructor(
    private readonly log: Logger,
    private readonly flushMs = FLUSH_MS,
  ) {}

  /** Returns the unsubscribe function. */
  subscribe(listener: HubChangesListener): () => void {
    this.listeners.add(listener);
    return () => {
      this.listeners.delete(listener);
    };
  }

  emit(change: HubChange): void {
    if (this.listeners.size === 0) return;
    const whole = this.pending.get(keyOf({ topic: change.topic }));
    if (whole) return;
    const clean: HubChange =
      change.boardId === undefined
        ? { topic: change.topic }
        : { topic: change.topic, boardId: change.boardId };
    if (clean.boardId === undefined) {
      for (const [key, queued] of this.pending) if (queued.topic === clean.topic) this.pending.delete(key);
    }
    this.pending.set(keyOf(clean), clean);
    this.timer ??= setTimeout(() => this.flush(), this.flushMs);
    this.timer.unref();
  }

  /** Something changed that we cannot pin down (another process wrote): every topic. */
  emitAll(): void {
    for (const topic of HUB_TOPICS) this.emit({ topic });
  }

  /** Delivers what is queued now (also used on stop, so the last changes are not lost). */
  flush(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
    if (this.pending.size === 0) return;
    const batch = [...this.pending.values()];
    this.pending = new Map();
    for (const listener of [...this.listeners]) {
      try {
        listener(batch);
      } catch (error) {
        // One broken subscriber must not keep the others (or the emitter) from going on.
        this.log.error({ err: describeError(error) }, 'hub event listener failed');
      }
    }
  }
}
