import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { TokenBucket } from '../../src/sync/rate-limit.js';
import { BEHIND_BYTES, type QueuedReader, SendQueueBudget } from '../../src/sync/send-queue-budget.js';

describe('per-connection message ceilings (token buckets)', () => {
  it('allows a burst, then refills at the rate', () => {
    const bucket = new TokenBucket({ perSecond: 10, burst: 3 }, 0);
    assert.deepEqual(
      [bucket.take(0), bucket.take(0), bucket.take(0), bucket.take(0)],
      [true, true, true, false],
    );
    assert.equal(bucket.take(50), false, 'half a token after 50 ms');
    assert.equal(bucket.take(100), true, 'one token after 100 ms');
    assert.equal(bucket.take(100), false);
  });

  it('never holds more than the burst, however long it was idle', () => {
    const bucket = new TokenBucket({ perSecond: 1000, burst: 2 }, 0);
    const taken = Array.from({ length: 5 }, () => bucket.take(60_000));
    assert.deepEqual(taken, [true, true, false, false, false]);
  });
});

class Reader implements QueuedReader {
  closedWith: string | null = null;
  constructor(public queuedBytes: number) {}
  closeBehind(reason: string): void {
    this.closedWith = reason;
  }
}

const nextTurn = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));

describe('the hub-wide cap on bytes queued to slow readers', () => {
  it('closes the readers with the most queued first, until the rest fit', async () => {
    const budget = new SendQueueBudget(10 * BEHIND_BYTES);
    const readers = [3, 6, 1, 5].map((n) => new Reader(n * BEHIND_BYTES));
    for (const reader of readers) budget.noteQueued(reader);
    await nextTurn();
    // 15 units against a cap of 10: the 6 goes (9 left, which fits).
    assert.deepEqual(
      readers.map((reader) => reader.closedWith !== null),
      [false, true, false, false],
    );
  });

  it('ignores readers that keep up, and forgets readers that closed', async () => {
    const budget = new SendQueueBudget(BEHIND_BYTES);
    const keepingUp = new Reader(BEHIND_BYTES - 1);
    const gone = new Reader(50 * BEHIND_BYTES);
    const slow = new Reader(BEHIND_BYTES);
    budget.noteQueued(keepingUp);
    budget.noteQueued(gone);
    budget.noteQueued(slow);
    budget.forget(gone);
    await nextTurn();
    assert.equal(keepingUp.closedWith, null);
    assert.equal(gone.closedWith, null);
    assert.equal(slow.closedWith, null, 'exactly at the cap fits');
  });
});
