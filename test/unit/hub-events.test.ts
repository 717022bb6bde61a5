import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { createLogger } from '../../src/log.js';
import { type HubChange, HubEvents } from '../../src/service/hub-events.js';
import { sleep } from '../helpers/wait.js';

const log = createLogger('silent');

function recorder(events: HubEvents): { batches: HubChange[][]; stop: () => void } {
  const batches: HubChange[][] = [];
  const stop = events.subscribe((changes) => batches.push([...changes]));
  return { batches, stop };
}

describe('hub events', () => {
  it('coalesces a burst of changes into one batch without duplicates', async () => {
    const events = new HubEvents(log, 30);
    const { batches } = recorder(events);
    events.emit({ topic: 'boards', boardId: 'b1' });
    events.emit({ topic: 'boards', boardId: 'b1' });
    events.emit({ topic: 'connections', boardId: 'b1' });
    events.emit({ topic: 'boards', boardId: 'b2' });
    events.emit({ topic: 'audit' });
    events.emit({ topic: 'audit' });
    assert.equal(batches.length, 0, 'nothing is delivered before the window ends');
    await sleep(80);
    assert.deepEqual(batches, [
      [
        { topic: 'boards', boardId: 'b1' },
        { topic: 'connections', boardId: 'b1' },
        { topic: 'boards', boardId: 'b2' },
        { topic: 'audit' },
      ],
    ]);
  });

  it('a change of a whole topic swallows the per-board changes of that topic', () => {
    const events = new HubEvents(log, 1000);
    const { batches } = recorder(events);
    events.emit({ topic: 'boards', boardId: 'b1' });
    events.emit({ topic: 'shares', boardId: 'b1' });
    events.emit({ topic: 'boards' });
    events.emit({ topic: 'boards', boardId: 'b2' });
    events.flush();
    assert.deepEqual(batches, [[{ topic: 'shares', boardId: 'b1' }, { topic: 'boards' }]]);
  });

  it('emitAll reports every topic once', () => {
    const events = new HubEvents(log, 1000);
    const { batches } = recorder(events);
    events.emit({ topic: 'connections', boardId: 'b1' });
    events.emitAll();
    events.flush();
    assert.deepEqual(batches[0]?.map((change) => change.topic).sort(), [
      'audit',
      'boards',
      'connections',
      'peers',
      'settings',
      'shares',
      'status',
    ]);
    assert.ok(batches[0]?.every((change) => change.boardId === undefined));
  });

  it('queues nothing while nobody listens, and an unsubscribed listener hears nothing more', () => {
    const events = new HubEvents(log, 1000);
    events.emit({ topic: 'boards' });
    const { batches, stop } = recorder(events);
    events.flush();
    assert.deepEqual(batches, [], 'a change made before subscribing is not replayed');
    events.emit({ topic: 'status' });
    stop();
    events.flush();
    assert.deepEqual(batches, []);
  });

  it('a failing listener does not keep the others from their batch', () => {
    const events = new HubEvents(log, 1000);
    events.subscribe(() => {
      throw new Error('broken subscriber');
    });
    const { batches } = recorder(events);
    events.emit({ topic: 'peers' });
    events.flush();
    assert.deepEqual(batches, [[{ topic: 'peers' }]]);
  });

  it('drops fields that are not part of a change', () => {
    const events = new HubEvents(log, 1000);
    const { batches } = recorder(events);
    const noisy = { topic: 'boards', boardId: undefined, extra: 1 } as HubChange;
    events.emit(noisy);
    events.flush();
    assert.deepEqual(batches, [[{ topic: 'boards' }]]);
    assert.deepEqual(Object.keys(batches[0]?.[0] ?? {}), ['topic']);
  });
});
