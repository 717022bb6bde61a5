import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import * as Y from 'yjs';
import { refusedRangeFill } from '../../src/sync/refused-range-fill.js';

const updateOf = (doc: Y.Doc, change: (doc: Y.Doc) => void): Uint8Array => {
  const before = Y.encodeStateVector(doc);
  change(doc);
  return Y.encodeStateAsUpdate(doc, before);
};

describe('filling the clock range of a refused change', () => {
  it("fills exactly the refused range, so the sender's next change integrates and the refused content does not", () => {
    const hub = new Y.Doc();
    const client = new Y.Doc();
    Y.applyUpdate(client, Y.encodeStateAsUpdate(hub));
    const refused = updateOf(client, (d) => d.getText('board').insert(0, 'nope'));
    const fill = refusedRangeFill(hub, refused);
    assert.ok(fill);
    Y.applyUpdate(hub, fill);
    assert.equal(Y.getState(hub.store, client.clientID), 4);
    assert.equal(hub.getText('board').toString(), '');

    const next = updateOf(client, (d) => d.getArray('comments').push(['yes']));
    Y.applyUpdate(hub, next);
    assert.deepEqual(hub.getArray('comments').toJSON(), ['yes']);
    assert.equal(hub.store.pendingStructs, null);
  });

  it('needs no fill when the doc already has the range', () => {
    const hub = new Y.Doc();
    hub.getMap('m').set('k', 1);
    assert.equal(refusedRangeFill(hub, Y.encodeStateAsUpdate(hub)), null);
  });

  it('does not close a gap: a range that does not continue the doc state is left alone', () => {
    const client = new Y.Doc();
    client.getText('t').insert(0, 'ab');
    const second = updateOf(client, (d) => d.getText('t').insert(2, 'cd'));
    assert.equal(refusedRangeFill(new Y.Doc(), second), null);
  });

  it('returns null for bytes that are not an update', () => {
    assert.equal(refusedRangeFill(new Y.Doc(), new Uint8Array([9, 9, 9])), null);
  });
});
