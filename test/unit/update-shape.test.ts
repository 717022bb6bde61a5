import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import * as encoding from 'lib0/encoding';
import * as Y from 'yjs';
import { extendsExactly, UpdateShape } from '../../src/sync/update-shape.js';
import { assertWellFormedUpdate } from '../../src/sync/update-validation.js';

function shapeOf(update: Uint8Array): UpdateShape {
  const shape = new UpdateShape();
  assertWellFormedUpdate(update, shape);
  return shape;
}

const extendsDoc = (doc: Y.Doc, update: Uint8Array): boolean =>
  extendsExactly(shapeOf(update), (client) => Y.getState(doc.store, client));

/** The updates a doc emits, one per transaction, as a y-websocket client sends them. */
function recorder(doc: Y.Doc): Uint8Array[] {
  const updates: Uint8Array[] = [];
  doc.on('update', (update: Uint8Array) => updates.push(update));
  return updates;
}

function docWithClient(client: number): Y.Doc {
  const doc = new Y.Doc();
  doc.clientID = client;
  return doc;
}

const pending = (doc: Y.Doc): boolean => doc.store.pendingStructs !== null || doc.store.pendingDs !== null;

describe('whether an update extends a doc exactly', () => {
  it('a live edit that follows what the doc holds does, with its deletions', () => {
    const hub = new Y.Doc();
    const editor = docWithClient(11);
    const sent = recorder(editor);
    editor.getText('t').insert(0, 'hello');
    editor.transact(() => {
      editor.getText('t').delete(1, 2);
      editor.getText('t').insert(0, '>');
    });
    const [insert, rewrite] = sent as [Uint8Array, Uint8Array];
    assert.equal(extendsDoc(hub, insert), true);
    Y.applyUpdate(hub, insert);
    assert.equal(extendsDoc(hub, rewrite), true);
    Y.applyUpdate(hub, rewrite);
    assert.equal(pending(hub), false);
    assert.equal(hub.getText('t').toString(), '>hlo');
  });

  it('an update the doc already holds, wholly or in part, does not', () => {
    const hub = new Y.Doc();
    const editor = docWithClient(12);
    const sent = recorder(editor);
    editor.getArray('a').push([1]);
    editor.getArray('a').push([2]);
    Y.applyUpdate(hub, sent[0] as Uint8Array);
    assert.equal(extendsDoc(hub, sent[0] as Uint8Array), false);
    assert.equal(extendsDoc(hub, Y.mergeUpdates(sent)), false);
    assert.equal(extendsDoc(hub, sent[1] as Uint8Array), true);
  });

  it('an edit whose predecessor the doc lacks does not (it would wait, pending)', () => {
    const hub = new Y.Doc();
    const editor = docWithClient(13);
    const sent = recorder(editor);
    editor.getArray('a').push([1]);
    editor.getArray('a').push([2]);
    assert.equal(extendsDoc(hub, sent[1] as Uint8Array), false);
  });

  it("an edit next to another client's item the doc lacks does not, until the doc has it", () => {
    const hub = new Y.Doc();
    const first = docWithClient(21);
    const second = docWithClient(22);
    const fromFirst = recorder(first);
    const fromSecond = recorder(second);
    first.getArray('a').push(['a']);
    Y.applyUpdate(second, fromFirst[0] as Uint8Array);
    second.getArray('a').push(['b']);
    const reply = fromSecond.at(-1) as Uint8Array;
    assert.equal(extendsDoc(hub, reply), false);
    Y.applyUpdate(hub, fromFirst[0] as Uint8Array);
    assert.equal(extendsDoc(hub, reply), true);
  });

  it('deleting what the doc lacks does not; a deletion alone goes the general way', () => {
    const hub = new Y.Doc();
    const first = docWithClient(31);
    const second = docWithClient(32);
    const fromFirst = recorder(first);
    const fromSecond = recorder(second);
    first.getText('t').insert(0, 'x');
    Y.applyUpdate(second, fromFirst[0] as Uint8Array);
    second.transact(() => {
      second.getText('t').delete(0, 1);
      second.getArray('other').push([1]);
    });
    const both = fromSecond.at(-1) as Uint8Array;
    assert.equal(extendsDoc(hub, both), false);
    Y.applyUpdate(hub, fromFirst[0] as Uint8Array);
    assert.equal(extendsDoc(hub, both), true);

    second.getArray('other').delete(0, 1);
    assert.equal(extendsDoc(hub, fromSecond.at(-1) as Uint8Array), false, 'no structs');
  });

  it('an update of two clients does not, nor one with a skip', () => {
    const hub = new Y.Doc();
    const first = docWithClient(41);
    const second = docWithClient(42);
    const sent = recorder(first);
    first.getArray('a').push([1]);
    second.getArray('b').push([2]);
    const two = Y.mergeUpdates([Y.encodeStateAsUpdate(first), Y.encodeStateAsUpdate(second)]);
    assert.equal(extendsDoc(hub, two), false);

    first.getArray('a').push([3]);
    first.getArray('a').push([4]);
    // Clocks 0 and 2 without 1: the merged update carries a skip struct for the gap.
    const withSkip = Y.mergeUpdates([sent[0] as Uint8Array, sent[2] as Uint8Array]);
    assert.equal(shapeOf(withSkip).hasSkips, true);
    assert.equal(extendsDoc(hub, withSkip), false);
  });

  it('an item pointing at a later item of its own run does not (Yjs would not wait for it)', () => {
    const client = 51;
    const encoder = encoding.createEncoder();
    encoding.writeVarUint(encoder, 1); // one client
    encoding.writeVarUint(encoder, 2); // two structs
    encoding.writeVarUint(encoder, client);
    encoding.writeVarUint(encoder, 0); // first clock
    encoding.writeUint8(encoder, 0x88); // ContentAny with an origin…
    encoding.writeVarUint(encoder, client);
    encoding.writeVarUint(encoder, 1); // …that is the next item, not an earlier one
    encoding.writeVarUint(encoder, 1);
    encoding.writeAny(encoder, 'first');
    encoding.writeUint8(encoder, 8); // ContentAny in root "a"
    encoding.writeVarUint(encoder, 1);
    encoding.writeVarString(encoder, 'a');
    encoding.writeVarUint(encoder, 1);
    encoding.writeAny(encoder, 'second');
    encoding.writeVarUint(encoder, 0); // no deletions
    const forward = encoding.toUint8Array(encoder);
    assert.equal(extendsDoc(new Y.Doc(), forward), false);
  });

  it('whenever it says so, applying adds exactly the run and leaves nothing pending (random edits, random delivery)', () => {
    let seed = 7; // xorshift32: repeatable runs
    const random = (n: number): number => {
      seed ^= seed << 13;
      seed ^= seed >>> 17;
      seed ^= seed << 5;
      return (seed >>> 0) % n;
    };
    const hub = new Y.Doc();
    const clients = [docWithClient(61), docWithClient(62), docWithClient(63)];
    const outbox: Uint8Array[] = [];
    const catchUp = Symbol('catch-up');
    // Like a y-websocket client: it sends its own transactions, not what it received.
    for (const doc of clients)
      doc.on('update', (update: Uint8Array, origin: unknown) => {
        if (origin !== catchUp) outbox.push(update);
      });
    let said = 0;
    let refused = 0;
    for (let step = 0; step < 3000; step++) {
      const doc = clients[random(clients.length)] as Y.Doc;
      const text = doc.getText('t');
      const op = random(5);
      if (op === 0 && text.length > 0) text.delete(random(text.length), 1 + random(2));
      else if (op === 1) doc.getArray('a').insert(0, [step]);
      else if (op === 2) doc.getMap('m').set(`k${random(4)}`, step);
      else if (op === 3) {
        // A client catches up with another one: later edits point at that client's items.
        const other = clients[random(clients.length)] as Y.Doc;
        Y.applyUpdate(doc, Y.encodeStateAsUpdate(other, Y.encodeStateVector(doc)), catchUp);
      } else text.insert(random(text.length + 1), String.fromCharCode(97 + random(26)));

      // Delivery mostly in order, sometimes out of order or twice; a few at a time.
      while (outbox.length > 0 && random(4) !== 0) {
        const at = random(5) === 0 ? random(outbox.length) : 0;
        const update = outbox[at] as Uint8Array;
        if (random(5) !== 0) outbox.splice(at, 1);
        const before = Y.encodeStateVector(hub);
        // The hub asks only while its doc holds nothing pending (room.ts does the same).
        if (!pending(hub) && extendsDoc(hub, update)) {
          said++;
          const [client, first, end] = shapeOf(update).runs as [number, number, number];
          Y.applyUpdate(hub, update);
          assert.equal(pending(hub), false, `step ${step}: left pending`);
          assert.equal(Y.getState(hub.store, client), end, `step ${step}: state after`);
          assert.equal(Y.decodeStateVector(before).get(client) ?? 0, first);
        } else {
          refused++;
          Y.applyUpdate(hub, update);
        }
      }
    }
    assert.ok(said > 100 && refused > 100, `both verdicts exercised (${said} / ${refused})`);
  });
});
