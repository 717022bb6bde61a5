import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import * as Y from 'yjs';
import { applyBatch, hasPendingStructs } from '../../src/rooms/apply-batch.js';
import { replicaOf, updateFrom } from '../helpers/yjs-docs.js';

function sameState(actual: Y.Doc, expected: Y.Doc): void {
  assert.ok(Y.equalSnapshots(Y.snapshot(actual), Y.snapshot(expected)), 'state vector or delete set differ');
  assert.equal(actual.getText('notes').toString(), expected.getText('notes').toString());
  assert.deepEqual(actual.getMap('cards').toJSON(), expected.getMap('cards').toJSON());
  assert.deepEqual(actual.getArray('log').toJSON(), expected.getArray('log').toJSON());
}

/** Bytes Yjs cannot read as an update (it throws "Unexpected end of array"). */
const MALFORMED = Uint8Array.of(0xff, 0xff, 0xff);

/** A board and three clients that start in sync with it, each with one edit of its own. */
function threeClientEdits(): { room: Y.Doc; updates: Uint8Array[] } {
  const room = new Y.Doc();
  room.getText('notes').insert(0, 'shared start');
  const [alice, bob, carol] = [replicaOf(room), replicaOf(room), replicaOf(room)];
  const updates = [
    updateFrom(alice, () => alice.getText('notes').insert(0, 'Alice: ')),
    updateFrom(bob, () => bob.getMap('cards').set('c1', { title: 'from Bob' })),
    updateFrom(carol, () => {
      carol.getArray('log').push(['carol joined']);
      carol.getText('notes').delete(0, 6);
    }),
  ];
  return { room, updates };
}

describe('applying one turn of updates as one batch', () => {
  it("several clients' updates become ONE effective update that rebuilds the combined state", () => {
    const { room, updates } = threeClientEdits();
    const before = Y.encodeStateAsUpdate(room);
    const expected = replicaOf(room);
    for (const update of updates) Y.applyUpdate(expected, update);

    const emitted: unknown[] = [];
    room.on('update', (_update: Uint8Array, origin: unknown) => emitted.push(origin));
    const origin = { name: 'the room' };
    const result = applyBatch(room, updates, origin);

    assert.deepEqual(result.failed, []);
    assert.ok(result.effectiveUpdate, 'the batch changed the doc');
    assert.deepEqual(emitted, [origin], 'observers see exactly one update, with the batch origin');
    sameState(room, expected);

    // A reader holding the state before the batch catches up with that one update...
    const reader = new Y.Doc();
    Y.applyUpdate(reader, before);
    Y.applyUpdate(reader, result.effectiveUpdate);
    sameState(reader, expected);
    // ...and a fresh doc given the earlier state plus it equals the combined state too.
    const fresh = new Y.Doc();
    Y.applyUpdate(fresh, Y.mergeUpdates([before, result.effectiveUpdate]));
    sameState(fresh, expected);
    assert.equal(hasPendingStructs(room), false);
  });

  it('on an empty doc the effective update alone rebuilds everything', () => {
    const room = new Y.Doc();
    const alice = new Y.Doc();
    const bob = new Y.Doc();
    const updates = [
      updateFrom(alice, () => alice.getText('notes').insert(0, 'hello')),
      updateFrom(bob, () => bob.getMap('cards').set('k', 'v')),
      updateFrom(alice, () => alice.getText('notes').insert(5, ' world')),
    ];
    const { effectiveUpdate, failed } = applyBatch(room, updates, null);
    assert.deepEqual(failed, []);
    assert.ok(effectiveUpdate);
    const fresh = new Y.Doc();
    Y.applyUpdate(fresh, effectiveUpdate);
    sameState(fresh, room);
    assert.equal(fresh.getText('notes').toString(), 'hello world');
  });

  it('a batch of redundant updates has effectiveUpdate null and emits nothing', () => {
    const { room, updates } = threeClientEdits();
    applyBatch(room, updates, null);
    let emitted = 0;
    room.on('update', () => emitted++);
    const again = applyBatch(room, [...updates, Y.encodeStateAsUpdate(room), Y.mergeUpdates([])], null);
    assert.deepEqual(again, { effectiveUpdate: null, failed: [], rejected: [] });
    assert.equal(emitted, 0);
  });

  it('an empty batch changes nothing', () => {
    assert.deepEqual(applyBatch(new Y.Doc(), [], null), { effectiveUpdate: null, failed: [], rejected: [] });
  });

  it('the same update twice in one batch counts once', () => {
    const room = new Y.Doc();
    const client = new Y.Doc();
    const update = updateFrom(client, () => client.getText('notes').insert(0, 'once'));
    const { effectiveUpdate } = applyBatch(room, [update, update], null);
    assert.ok(effectiveUpdate);
    const fresh = new Y.Doc();
    Y.applyUpdate(fresh, effectiveUpdate);
    assert.equal(fresh.getText('notes').toString(), 'once');
  });

  it('a malformed update in the middle is reported by index while the good ones still apply', () => {
    const { room, updates } = threeClientEdits();
    const expected = replicaOf(room);
    for (const update of updates) Y.applyUpdate(expected, update);
    const [first, second, third] = updates as [Uint8Array, Uint8Array, Uint8Array];

    const result = applyBatch(room, [first, MALFORMED, second, third], null);
    assert.deepEqual(result.failed, [1]);
    assert.ok(result.effectiveUpdate);
    sameState(room, expected);
  });

  it('several malformed updates are each reported, in order', () => {
    const room = new Y.Doc();
    const client = new Y.Doc();
    const good = updateFrom(client, () => client.getMap('cards').set('c1', 'ok'));
    const truncated = good.subarray(0, good.length - 3);
    const result = applyBatch(room, [MALFORMED, good, truncated, new Uint8Array(0)], null);
    assert.deepEqual(result.failed, [0, 2, 3]);
    assert.equal(room.getMap('cards').get('c1'), 'ok');
  });

  it('a batch of only malformed updates has no effective update', () => {
    const result = applyBatch(new Y.Doc(), [MALFORMED, Uint8Array.of(1, 2, 3)], null);
    assert.deepEqual(result, { effectiveUpdate: null, failed: [0, 1], rejected: [] });
  });

  it('leaves no listener behind on the doc', () => {
    const room = new Y.Doc();
    const listeners = (): number => room._observers.get('update')?.size ?? 0;
    const before = listeners();
    const client = new Y.Doc();
    applyBatch(room, [updateFrom(client, () => client.getText('t').insert(0, 'x')), MALFORMED], null);
    assert.equal(listeners(), before);
  });

  describe('an accept callback decides each update right before it is applied', () => {
    it('turned-down updates are reported as rejected and never applied, the others are', () => {
      const { room, updates } = threeClientEdits();
      const expected = replicaOf(room);
      Y.applyUpdate(expected, updates[0]!);
      Y.applyUpdate(expected, updates[2]!);

      const result = applyBatch(room, updates, null, (index) => index !== 1);
      assert.deepEqual(result.rejected, [1]);
      assert.deepEqual(result.failed, []);
      sameState(room, expected);
      assert.equal(room.getMap('cards').get('c1'), undefined, "Bob's update never reached the doc");
      // Nor the effective update: a reader catching up with it does not get Bob's card either.
      const reader = replicaOf(expected);
      assert.ok(result.effectiveUpdate);
      Y.applyUpdate(reader, result.effectiveUpdate);
      sameState(reader, expected);
    });

    it('is called in order, inside the one transaction, seeing the earlier updates applied', () => {
      const room = new Y.Doc();
      const client = new Y.Doc();
      const updates = [
        updateFrom(client, () => client.getText('notes').insert(0, 'one')),
        updateFrom(client, () => client.getText('notes').insert(3, ' two')),
        updateFrom(client, () => client.getText('notes').insert(7, ' three')),
      ];
      const seen: Array<[number, string]> = [];
      let emitted = 0;
      room.on('update', () => emitted++);
      applyBatch(room, updates, null, (index) => {
        seen.push([index, room.getText('notes').toString()]);
        assert.equal(emitted, 0, 'still inside the transaction');
        return true;
      });
      assert.deepEqual(seen, [
        [0, ''],
        [1, 'one'],
        [2, 'one two'],
      ]);
      assert.equal(emitted, 1);
    });

    it('rejected and malformed updates are reported separately', () => {
      const room = new Y.Doc();
      const client = new Y.Doc();
      const good = updateFrom(client, () => client.getMap('cards').set('c1', 'ok'));
      const other = new Y.Doc();
      const refused = updateFrom(other, () => other.getMap('cards').set('c2', 'refused'));
      const result = applyBatch(room, [MALFORMED, refused, good], null, (index) => index !== 1);
      assert.deepEqual(result.failed, [0]);
      assert.deepEqual(result.rejected, [1]);
      assert.deepEqual(room.getMap('cards').toJSON(), { c1: 'ok' });
    });

    it('an accept callback that throws rejects that update only', () => {
      const room = new Y.Doc();
      const alice = new Y.Doc();
      const bob = new Y.Doc();
      const updates = [
        updateFrom(alice, () => alice.getText('notes').insert(0, 'alice')),
        updateFrom(bob, () => bob.getArray('log').push(['bob'])),
      ];
      const result = applyBatch(room, updates, null, (index) => {
        if (index === 0) throw new Error('a bug in the check');
        return true;
      });
      assert.deepEqual(result.rejected, [0]);
      assert.equal(room.getText('notes').toString(), '');
      assert.deepEqual(room.getArray('log').toJSON(), ['bob']);
    });

    it('rejecting everything leaves the doc untouched and no effective update', () => {
      const { room, updates } = threeClientEdits();
      const before = Y.encodeStateAsUpdate(room);
      const result = applyBatch(room, updates, null, () => false);
      assert.deepEqual(result, { effectiveUpdate: null, failed: [], rejected: [0, 1, 2] });
      assert.deepEqual(Y.encodeStateAsUpdate(room), before);
    });
  });

  describe('updates that arrive before what they depend on', () => {
    function twoDependentEdits(): { first: Uint8Array; second: Uint8Array; client: Y.Doc } {
      const client = new Y.Doc();
      const first = updateFrom(client, () => client.getText('notes').insert(0, 'first'));
      const second = updateFrom(client, () => client.getText('notes').insert(5, ' second'));
      return { first, second, client };
    }

    it('an update whose dependency never arrives in its batch is reported as failed (it would sit pending)', () => {
      const room = new Y.Doc();
      const { first, second, client } = twoDependentEdits();
      const early = applyBatch(room, [second], null);
      assert.deepEqual(early.failed, [0]);
      assert.equal(early.effectiveUpdate, null, 'nothing could be integrated');

      // The caller rebuilds the doc without it; the dependency then the edit apply normally.
      const rebuilt = new Y.Doc();
      const late = applyBatch(rebuilt, [first], null);
      assert.deepEqual(late.failed, []);
      const again = applyBatch(rebuilt, [second], null);
      assert.deepEqual(again.failed, []);
      assert.equal(rebuilt.getText('notes').toString(), client.getText('notes').toString());
      assert.equal(hasPendingStructs(rebuilt), false);
    });

    it('a dependency arriving later in the same batch resolves within the batch', () => {
      const room = new Y.Doc();
      const { first, second } = twoDependentEdits();
      const result = applyBatch(room, [second, first], null);
      assert.equal(hasPendingStructs(room), false);
      assert.ok(result.effectiveUpdate);
      const reader = new Y.Doc();
      Y.applyUpdate(reader, result.effectiveUpdate);
      assert.equal(reader.getText('notes').toString(), 'first second');
    });

    it('a deletion of an item the doc does not have yet is pending until the item arrives', () => {
      const room = new Y.Doc();
      const client = new Y.Doc();
      const insert = updateFrom(client, () => client.getText('notes').insert(0, 'doomed text'));
      const deletion = updateFrom(client, () => client.getText('notes').delete(0, 7));

      applyBatch(room, [deletion], null);
      assert.equal(hasPendingStructs(room), true);

      applyBatch(room, [insert], null);
      assert.equal(hasPendingStructs(room), false);
      assert.equal(room.getText('notes').toString(), 'text');
    });
  });
});
