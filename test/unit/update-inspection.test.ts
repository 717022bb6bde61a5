import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import * as Y from 'yjs';
import { updateChangesDoc } from '../../src/sync/update-inspection.js';
import { replicaOf, updateFrom } from '../helpers/yjs-docs.js';

/** Ground truth: apply to a copy and see whether its snapshot (state vector + delete set) moved. */
function reallyChanges(doc: Y.Doc, update: Uint8Array): boolean {
  const copy = replicaOf(doc);
  const before = Y.snapshot(copy);
  Y.applyUpdate(copy, update);
  return !Y.equalSnapshots(before, Y.snapshot(copy));
}

/** Asserts the verdict, that it agrees with really applying the update, and that it did not touch doc. */
function assertVerdict(doc: Y.Doc, update: Uint8Array, expected: boolean): void {
  const before = Y.encodeStateAsUpdate(doc);
  assert.equal(updateChangesDoc(doc, update), expected);
  assert.equal(reallyChanges(doc, update), expected, 'the test case itself is wrong');
  assert.deepEqual(Y.encodeStateAsUpdate(doc), before, 'inspection must not modify the doc');
}

/** A board with text, cards, a nested list and some deletions, as a server would hold it. */
function serverBoard(): Y.Doc {
  const server = new Y.Doc();
  const editor = new Y.Doc();
  editor.getText('notes').insert(0, 'The quick brown fox jumps over the lazy dog');
  editor.getMap('cards').set('c1', { title: 'first' });
  editor.getMap('cards').set('c2', { title: 'second' });
  const list = new Y.Array<string>();
  editor.getMap('cards').set('list', list);
  list.push(['a', 'b', 'c', 'd']);
  Y.applyUpdate(server, Y.encodeStateAsUpdate(editor));
  const other = replicaOf(server);
  other.getText('notes').delete(4, 6);
  other.getMap('cards').delete('c2');
  Y.applyUpdate(server, Y.encodeStateAsUpdate(other));
  return server;
}

describe('update inspection: would this update change the board?', () => {
  describe('no: nothing a read-only client sends just by being in sync counts as a write', () => {
    it("the doc's own full state", () => {
      const server = serverBoard();
      assertVerdict(server, Y.encodeStateAsUpdate(server), false);
    });

    it('an empty update (from an empty doc, and the empty merge)', () => {
      const server = serverBoard();
      assertVerdict(server, Y.encodeStateAsUpdate(new Y.Doc()), false);
      assertVerdict(server, Y.mergeUpdates([]), false);
      assertVerdict(new Y.Doc(), Y.encodeStateAsUpdate(new Y.Doc()), false);
    });

    it("a reconnecting client's sync step 2 that holds nothing new but its delete set", () => {
      const server = serverBoard();
      const client = replicaOf(server);
      const step2 = Y.encodeStateAsUpdate(client, Y.encodeStateVector(server));
      const deleteSetOnly = Y.decodeUpdate(step2);
      assert.equal(deleteSetOnly.structs.length, 0);
      assert.ok(deleteSetOnly.ds.clients.size > 0, 'the step 2 should carry a delete set');
      assertVerdict(server, step2, false);
    });

    it('that same step 2 when others edited (and deleted) while the client was away', () => {
      const server = serverBoard();
      const client = replicaOf(server);
      const someoneElse = replicaOf(server);
      someoneElse.getText('notes').delete(0, 4);
      someoneElse.getText('notes').insert(0, 'A ');
      someoneElse.getArray('log').push(['meanwhile']);
      Y.applyUpdate(server, Y.encodeStateAsUpdate(someoneElse));
      assertVerdict(server, Y.encodeStateAsUpdate(client, Y.encodeStateVector(server)), false);
    });

    it('the same step 2 against a server that keeps deleted content (gc off)', () => {
      const editor = serverBoard();
      const server = new Y.Doc({ gc: false });
      Y.applyUpdate(server, Y.encodeStateAsUpdate(editor));
      const client = replicaOf(server);
      assertVerdict(server, Y.encodeStateAsUpdate(client, Y.encodeStateVector(server)), false);
    });

    it('a deletion the doc already has (replayed, or sent again by a second client)', () => {
      const server = serverBoard();
      const alice = replicaOf(server);
      const bob = replicaOf(server);
      const deletion = updateFrom(alice, () => alice.getText('notes').delete(0, 3));
      Y.applyUpdate(server, deletion);
      assertVerdict(server, deletion, false);
      Y.applyUpdate(bob, deletion);
      assertVerdict(server, Y.encodeStateAsUpdate(bob, Y.encodeStateVector(server)), false);
    });

    it('an update the doc already has (a live edit echoed back)', () => {
      const server = serverBoard();
      const editor = replicaOf(server);
      const edit = updateFrom(editor, () => editor.getMap('cards').set('c3', 'third'));
      Y.applyUpdate(server, edit);
      assertVerdict(server, edit, false);
    });
  });

  describe('yes: anything the doc lacks', () => {
    it('a new insert', () => {
      const server = serverBoard();
      const viewer = replicaOf(server);
      assertVerdict(
        server,
        updateFrom(viewer, () => viewer.getText('notes').insert(0, '!')),
        true,
      );
    });

    it('a new insert into an empty doc', () => {
      const viewer = new Y.Doc();
      assertVerdict(
        new Y.Doc(),
        updateFrom(viewer, () => viewer.getText('t').insert(0, 'x')),
        true,
      );
    });

    it('a new map key', () => {
      const server = serverBoard();
      const viewer = replicaOf(server);
      assertVerdict(
        server,
        updateFrom(viewer, () => viewer.getMap('cards').set('c9', 'new')),
        true,
      );
    });

    it('a new value for an existing map key', () => {
      const server = serverBoard();
      const viewer = replicaOf(server);
      assertVerdict(
        server,
        updateFrom(viewer, () => viewer.getMap('cards').set('c1', 'overwritten')),
        true,
      );
    });

    it('a deletion of an existing item (text, map key, list element)', () => {
      const server = serverBoard();
      const viewer = replicaOf(server);
      assertVerdict(
        server,
        updateFrom(viewer, () => viewer.getText('notes').delete(0, 1)),
        true,
      );
      assertVerdict(
        server,
        updateFrom(viewer, () => viewer.getMap('cards').delete('c1')),
        true,
      );
      const list = viewer.getMap('cards').get('list') as Y.Array<string>;
      assertVerdict(
        server,
        updateFrom(viewer, () => list.delete(1, 1)),
        true,
      );
    });

    it('a change inside a nested type', () => {
      const server = serverBoard();
      const viewer = replicaOf(server);
      const list = viewer.getMap('cards').get('list') as Y.Array<string>;
      assertVerdict(
        server,
        updateFrom(viewer, () => list.push(['e'])),
        true,
      );

      const editor = replicaOf(server);
      const card = new Y.Map<string>();
      Y.applyUpdate(
        server,
        updateFrom(editor, () => editor.getMap('cards').set('c4', card)),
      );
      assertVerdict(
        server,
        updateFrom(editor, () => card.set('color', 'red')),
        true,
      );
    });

    it("a reconnecting client's step 2 that carries an offline edit besides its delete set", () => {
      const server = serverBoard();
      const client = replicaOf(server);
      client.getText('notes').insert(0, 'offline ');
      assertVerdict(server, Y.encodeStateAsUpdate(client, Y.encodeStateVector(server)), true);
    });

    it('a deletion hidden in an otherwise redundant full state', () => {
      const server = serverBoard();
      const client = replicaOf(server);
      client.getMap('cards').delete('c1');
      assertVerdict(server, Y.encodeStateAsUpdate(client), true);
    });
  });
});
