/**
 * The hub-wide cap on bytes queued to slow readers. Each connection already has its own cap
 * (maxBufferedBytes), checked before each send; without a total, a few dozen readers that never
 * read could each fill theirs. A connection reports itself after a write that left it at least
 * BEHIND_BYTES queued; once per event-loop turn the queued bytes of those are summed and, past the
 * cap, the readers with the most queued are closed first until the rest fit. Readers with less
 * queued are not tracked at all: that is every reader keeping up, so a broadcast costs nothing.
 */
export interface QueuedReader {
  /** Bytes written to this reader and not yet sent (ws's bufferedAmount). */
  readonly queuedBytes: number;
  /** Closes it as too far behind (1013: it resyncs on reconnect) and frees what it queued. */
  closeBehind(reason: string): void;
}

/** Below this a reader counts as keeping up (a broadcast in flight), and is not tracked. */
export const BEHIND_BYTES = 256 * 1024;

export class SendQueueBudget {
  private readonly behind = new Set<QueuedReader>();
  private checkScheduled = false;

  constructor(readonly maxTotalBytes: number) {}

  noteQueued(reader: QueuedReader): void {
    if (reader.queuedBytes < BEHIND_BYTES) return;
    this.behind.add(reader);
    if (this.checkScheduled) return;
    this.checkScheduled = true;
    setImmediate(this.check);
  }

  forget(reader: QueuedReader): void {
    this.behind.delete(reader);
  }

  private readonly check = (): void => {
    this.checkScheduled = false;
    let total = 0;
    for (const reader of this.behind) {
      const queued = reader.queuedBytes;
      if (queued < BEHIND_BYTES) this.behind.delete(reader);
      else total += queued;
    }
    if (total <= this.maxTotalBytes) return;
    const slowestFirst = [...this.behind].sort((a, b) => b.queuedBytes - a.queuedBytes);
    for (const reader of slowestFirst) {
      if (total <= this.maxTotalBytes) break;
      total -= reader.queuedBytes;
      this.behind.delete(reader);
      reader.closeBehind('the hub has too much queued for slow readers; reconnect to resync');
    }
  };
}
