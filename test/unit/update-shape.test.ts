import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import * as encoding from 'lib0/encoding';
import * as Y from 'yjs';
import { missingDependency, UpdateShape } from '../../src/sync/update-shape.js';
import { assertWellFormedUpdate, MAX_UPDATE_CLIENTS } from '../../src/sync/update-validation.js';

const shapeOf = (update: Uint8Array): UpdateShape => {
  const shape = new UpdateShape();
  assertWellFormedUpdate(update, shape);
  return shape;
};

const stateOf =
  (doc: Y.Doc) =>
  (client: number): number =>
    Y.getState(doc.store, client);

const updateOf = (doc: Y.Doc, change: (doc: Y.Doc) => void): Uint8Array => {
  const before = Y.encodeStateVector(doc);
  change(doc);
  return Y.encodeStateAsUpdate(doc, before);
};

describe('what an update needs that a doc lacks (missingDependency)', () => {
  it('a live edit on top of the doc needs nothing', () => {
    const doc = new Y.Doc();
    doc.getText('t').insert(0, 'hello');
    const hub = new Y.Doc();
    Y.applyUpdate(hub, Y.encodeStateAsUpdate(doc));
    const edit = updateOf(doc, (d) => d.getText('t').insert(2, 'XY'));
    assert.equal(missingDependency(shapeOf(edit), stateOf(hub)), null);
  });

  it("an edit after clocks the doc never got (a refused change's) names the gap", () => {
    const client = new Y.Doc();
    updateOf(client, (d) => d.getText('t').insert(0, 'refused'));
    const later = updateOf(client, (d) => d.getArray('comments').push(['x']));
    assert.deepEqual(missingDependency(shapeOf(later), stateOf(new Y.Doc())), {
      client: client.clientID,
      clock: 0,
    });
  });

  it("the issue's 13-byte update: an origin at a missing item", () => {
    const update = Uint8Array.from([1, 1, 7, 0, 0x84, 0xbf, 0x84, 0x3d, 5, 1, 0x78, 0]);
    assert.deepEqual(missingDependency(shapeOf(update), stateOf(new Y.Doc())), { client: 999_999, clock: 5 });
  });

  it("two clients' runs in one update that build on each other resolve, whatever their order", () => {
    const a = new Y.Doc();
    const b = new Y.Doc();
    a.getText('t').insert(0, 'aaa');
    Y.applyUpdate(b, Y.encodeStateAsUpdate(a));
    b.getText('t').insert(1, 'b');
    Y.applyUpdate(a, Y.encodeStateAsUpdate(b));
    a.getText('t').insert(2, 'a');
    Y.applyUpdate(b, Y.encodeStateAsUpdate(a));
    const both = Y.encodeStateAsUpdate(b);
    assert.equal(missingDependency(shapeOf(both), stateOf(new Y.Doc())), null);
  });

  it('a deletion of clocks the doc does not have is missing; one the update brings is not', () => {
    const doc = new Y.Doc();
    doc.getText('t').insert(0, 'abc');
    const deletion = updateOf(doc, (d) => d.getText('t').delete(0, 1));
    assert.deepEqual(missingDependency(shapeOf(deletion), stateOf(new Y.Doc())), {
      client: doc.clientID,
      clock: 0,
    });
    assert.equal(missingDependency(shapeOf(Y.encodeStateAsUpdate(doc)), stateOf(new Y.Doc())), null);
  });

  it('a run after a skip needs the skipped clocks', () => {
    const doc = new Y.Doc();
    const first = updateOf(doc, (d) => d.getText('t').insert(0, 'ab'));
    updateOf(doc, (d) => d.getText('t').insert(2, 'cd'));
    const third = updateOf(doc, (d) => d.getText('t').insert(4, 'ef'));
    const merged = Y.mergeUpdates([first, third]);
    assert.ok(shapeOf(merged).hasSkips);
    assert.deepEqual(missingDependency(shapeOf(merged), stateOf(new Y.Doc())), {
      client: doc.clientID,
      clock: 2,
    });
  });
});

describe('client ids per update are bounded', () => {
  it(`an update naming more than ${MAX_UPDATE_CLIENTS} client ids is refused by name`, () => {
    const encoder = encoding.createEncoder();
    encoding.writeVarUint(encoder, MAX_UPDATE_CLIENTS + 1);
    for (let i = 0; i <= MAX_UPDATE_CLIENTS; i++) {
      encoding.writeVarUint(encoder, 1);
      encoding.writeVarUint(encoder, i + 1);
      encoding.writeVarUint(encoder, 0);
      encoding.writeUint8(encoder, 0);
      encoding.writeVarUint(encoder, 1);
    }
    encoding.writeVarUint(encoder, 0);
    assert.throws(() => assertWellFormedUpdate(encoding.toUint8Array(encoder)), /more than 10000 client ids/);
  });
});
