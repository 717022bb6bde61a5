import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import * as encoding from 'lib0/encoding';
import * as Y from 'yjs';
import { updateTouchesOnlyRoot } from '../../src/auth/update-scope.js';
import { replicaOf, updateFrom } from '../helpers/yjs-docs.js';

const COMMENTS = 'comments';

function rootNameOf(doc: Y.Doc, start: { _item: Y.Item | null }): string {
  let type = start;
  while (type._item !== null) type = type._item.parent as { _item: Y.Item | null };
  for (const [name, root] of doc.share) if (root === type) return name;
  throw new Error('type without a root');
}

/** Ground truth: apply to a copy and collect the roots of every type the transaction changed. */
function rootsReallyChanged(doc: Y.Doc, update: Uint8Array): Set<string> {
  const copy = replicaOf(doc);
  const roots = new Set<string>();
  copy.on('afterTransaction', (transaction: Y.Transaction) => {
    for (const type of transaction.changed.keys()) roots.add(rootNameOf(copy, type));
  });
  Y.applyUpdate(copy, update);
  return roots;
}

/** The verdict, without the doc changing (no new root type either). */
function verdict(doc: Y.Doc, update: Uint8Array): boolean {
  const before = Y.encodeStateAsUpdate(doc);
  const roots = [...doc.share.keys()];
  const allowed = updateTouchesOnlyRoot(doc, update, COMMENTS);
  assert.deepEqual(Y.encodeStateAsUpdate(doc), before, 'the check must not modify the doc');
  assert.deepEqual([...doc.share.keys()], roots, 'the check must not create root types');
  return allowed;
}

function assertAllowed(doc: Y.Doc, update: Uint8Array): void {
  assert.equal(verdict(doc, update), true, 'should be allowed');
  const changed = [...rootsReallyChanged(doc, update)];
  assert.ok(
    changed.length > 0 && changed.every((root) => root === COMMENTS),
    `the test case itself is wrong: it changes ${changed.join(', ')}`,
  );
}

/** Asserts it is allowed, then applies it, as the hub would: the next update builds on it. */
function acceptInto(doc: Y.Doc, update: Uint8Array): void {
  assertAllowed(doc, update);
  Y.applyUpdate(doc, update);
}

function assertRefused(doc: Y.Doc, update: Uint8Array): void {
  assert.equal(verdict(doc, update), false, 'should be refused');
  const changed = [...rootsReallyChanged(doc, update)];
  assert.ok(
    changed.some((root) => root !== COMMENTS),
    `the test case itself is wrong: it changes only ${changed.join(', ') || 'nothing'}`,
  );
}

/** Refused although applying it now changes nothing: Yjs would keep it pending for later. */
function assertRefusedPending(doc: Y.Doc, update: Uint8Array): void {
  assert.equal(verdict(doc, update), false, 'should be refused');
  const copy = replicaOf(doc);
  Y.applyUpdate(copy, update);
  assert.ok(
    copy.store.pendingStructs !== null || copy.store.pendingDs !== null,
    'the test case itself is wrong: nothing is pending',
  );
}

/**
 * A board as the hub holds it: a text, cards with a nested map and text, and a comments list
 * whose one comment is a map with a nested text, everything written by an editor.
 */
function board(options: { gc?: boolean } = {}): Y.Doc {
  const editor = new Y.Doc();
  editor.getText('board').insert(0, 'Sprint goals');
  const card = new Y.Map<unknown>();
  editor.getMap('cards').set('c1', card);
  card.set('title', 'first');
  card.set('details', new Y.Text('some details'));
  const comment = new Y.Map<unknown>();
  editor.getArray(COMMENTS).push([comment]);
  comment.set('author', 'Ed');
  comment.set('body', new Y.Text('Looks good'));
  const hub = new Y.Doc({ gc: options.gc ?? true });
  Y.applyUpdate(hub, Y.encodeStateAsUpdate(editor));
  return hub;
}

const commentsOf = (doc: Y.Doc): Y.Array<Y.Map<unknown>> => doc.getArray<Y.Map<unknown>>(COMMENTS);
const bodyOf = (doc: Y.Doc, index = 0): Y.Text => commentsOf(doc).get(index).get('body') as Y.Text;
const cardOf = (doc: Y.Doc): Y.Map<unknown> =>
  doc.getMap<Y.Map<unknown>>('cards').get('c1') as Y.Map<unknown>;

/** A new comment (map + nested text), all created in one update. */
function newComment(author: string, text: string): Y.Map<unknown> {
  const comment = new Y.Map<unknown>();
  comment.set('author', author);
  comment.set('body', new Y.Text(text));
  return comment;
}

/** The update of one change made by a fresh replica of the hub (a commenter who just synced). */
function attempt(hub: Y.Doc, change: (doc: Y.Doc) => void): Uint8Array {
  const peer = replicaOf(hub);
  return updateFrom(peer, () => change(peer));
}

/**
 * Hand-built updates, for what no real client sends: each block is one client's structs (written
 * as given, even a client twice), then an optional delete set.
 */
function craftUpdate(
  blocks: ReadonlyArray<ReadonlyArray<Y.Item | Y.GC> | { emptyFor: number }>,
  deletions: ReadonlyArray<{ client: number; clock: number; len: number }> = [],
): Uint8Array {
  const encoder = new Y.UpdateEncoderV1();
  encoding.writeVarUint(encoder.restEncoder, blocks.length);
  for (const block of blocks) {
    const structs = 'emptyFor' in block ? [] : block;
    encoding.writeVarUint(encoder.restEncoder, structs.length);
    encoder.writeClient('emptyFor' in block ? block.emptyFor : structs[0]!.id.client);
    encoding.writeVarUint(encoder.restEncoder, structs[0]?.id.clock ?? 0);
    for (const struct of structs) struct.write(encoder, 0);
  }
  encoding.writeVarUint(encoder.restEncoder, deletions.length);
  for (const { client, clock, len } of deletions) {
    encoder.resetDsCurVal();
    encoding.writeVarUint(encoder.restEncoder, client);
    encoding.writeVarUint(encoder.restEncoder, 1);
    encoder.writeDsClock(clock);
    encoder.writeDsLen(len);
  }
  return encoder.toUint8Array();
}

function craftedItem(
  client: number,
  clock: number,
  place: { origin?: Y.ID; rightOrigin?: Y.ID; parent?: string | Y.ID },
  values: unknown[] = ['x'],
): Y.Item {
  return new Y.Item(
    Y.createID(client, clock),
    null,
    place.origin ?? null,
    null,
    place.rightOrigin ?? null,
    // A decoded item names its root by key (a string) or its parent by id.
    (place.parent ?? null) as Y.ID | null,
    null,
    new Y.ContentAny(values),
  );
}

/** The id of the first item of a root type's list, as the hub holds it. */
function firstItemId(doc: Y.Doc, root: string): Y.ID {
  const start = doc.share.get(root)?._start;
  assert.ok(start, `${root} should have content`);
  return start.id;
}

describe('update scope: may a comment connection make this change?', () => {
  describe('allowed: changes under the root type "comments"', () => {
    it('pushing plain entries to a root array "comments"', () => {
      const hub = board();
      const commenter = replicaOf(hub);
      assertAllowed(
        hub,
        updateFrom(commenter, () => commentsOf(commenter).push([{ text: 'plain JSON' } as never])),
      );
    });

    it('setting keys in a root map "comments" (a new key and an existing one)', () => {
      const editor = new Y.Doc();
      editor.getMap(COMMENTS).set('k1', 'first');
      editor.getText('board').insert(0, 'board');
      const hub = replicaOf(editor);
      const commenter = replicaOf(hub);
      const comments = commenter.getMap(COMMENTS);
      acceptInto(
        hub,
        updateFrom(commenter, () => comments.set('k2', 'second')),
      );
      acceptInto(
        hub,
        updateFrom(commenter, () => comments.set('k1', 'overwritten')),
      );
      acceptInto(
        hub,
        updateFrom(commenter, () => comments.delete('k1')),
      );
    });

    it('a new comment: a map with a nested text, created in the same update', () => {
      const hub = board();
      const commenter = replicaOf(hub);
      assertAllowed(
        hub,
        updateFrom(commenter, () => commentsOf(commenter).push([newComment('Cy', 'Why this order?')])),
      );
    });

    it('a new comment inserted before the existing one (its right neighbour is a doc item)', () => {
      const hub = board();
      const commenter = replicaOf(hub);
      assertAllowed(
        hub,
        updateFrom(commenter, () => commentsOf(commenter).insert(0, [newComment('Cy', 'first!')])),
      );
    });

    it('typing into the nested text of an existing comment (start, middle, end), with formatting', () => {
      const hub = board();
      const commenter = replicaOf(hub);
      const body = bodyOf(commenter);
      acceptInto(
        hub,
        updateFrom(commenter, () => body.insert(0, '> ')),
      );
      acceptInto(
        hub,
        updateFrom(commenter, () => body.insert(5, 'very ')),
      );
      acceptInto(
        hub,
        updateFrom(commenter, () => body.insert(body.length, '!')),
      );
      acceptInto(
        hub,
        updateFrom(commenter, () => body.format(0, 4, { bold: true })),
      );
    });

    it("editing inside an existing comment's map: new key, overwrite, delete", () => {
      const hub = board();
      const commenter = replicaOf(hub);
      const comment = commentsOf(commenter).get(0);
      acceptInto(
        hub,
        updateFrom(commenter, () => comment.set('resolved', true)),
      );
      acceptInto(
        hub,
        updateFrom(commenter, () => comment.set('author', 'Edwin')),
      );
      acceptInto(
        hub,
        updateFrom(commenter, () => comment.delete('author')),
      );
    });

    it('typing into a text nested in a map that is itself new, in a later update', () => {
      const hub = board();
      const commenter = replicaOf(hub);
      const created = updateFrom(commenter, () => commentsOf(commenter).push([newComment('Cy', '')]));
      acceptInto(hub, created);
      assertAllowed(
        hub,
        updateFrom(commenter, () => bodyOf(commenter, 1).insert(0, 'typed later')),
      );
    });

    it('deleting text in a comment, and deleting a whole comment entry', () => {
      const hub = board();
      const commenter = replicaOf(hub);
      acceptInto(
        hub,
        updateFrom(commenter, () => bodyOf(commenter).delete(0, 6)),
      );
      acceptInto(
        hub,
        updateFrom(commenter, () => commentsOf(commenter).delete(0, 1)),
      );
    });

    it('several quick updates from one client, each built on the one before, checked in order', () => {
      const hub = board();
      const commenter = replicaOf(hub);
      const updates = [
        updateFrom(commenter, () => commentsOf(commenter).push([newComment('Cy', '')])),
        ...[...'Hello'].map((char, i) => updateFrom(commenter, () => bodyOf(commenter, 1).insert(i, char))),
        updateFrom(commenter, () => bodyOf(commenter, 1).delete(0, 1)),
        updateFrom(commenter, () => bodyOf(commenter, 1).insert(0, 'J')),
        updateFrom(commenter, () => commentsOf(commenter).get(1).set('edited', true)),
      ];
      for (const update of updates) acceptInto(hub, update);
      assert.equal(bodyOf(hub, 1).toString(), 'Jello');
      // The later ones really depend on the earlier ones: out of order they cannot be placed.
      assert.equal(updateTouchesOnlyRoot(board(), updates[2]!, COMMENTS), false);
    });

    it('the same quick updates merged into one (a reconnect resending them)', () => {
      const hub = board();
      const commenter = replicaOf(hub);
      const hubState = Y.encodeStateVector(hub);
      commentsOf(commenter).push([newComment('Cy', '')]);
      for (const [i, char] of [...'offline'].entries()) bodyOf(commenter, 1).insert(i, char);
      bodyOf(commenter).delete(0, 5);
      assertAllowed(hub, Y.encodeStateAsUpdate(commenter, hubState));
    });

    it('a comment written and deleted offline arrives as garbage-collected structs', () => {
      const hub = board();
      const commenter = replicaOf(hub);
      const hubState = Y.encodeStateVector(hub);
      commentsOf(commenter).push([newComment('Cy', 'never mind')]);
      commentsOf(commenter).delete(1, 1);
      const step2 = Y.encodeStateAsUpdate(commenter, hubState);
      assert.ok(
        Y.decodeUpdate(step2).structs.some((s) => s instanceof Y.GC),
        'the offline comment should travel as GC',
      );
      assertAllowed(hub, step2);
    });

    it('typing into a comment an editor deleted meanwhile: Yjs discards it, harmless', () => {
      const hub = board();
      const commenter = replicaOf(hub);
      const editor = replicaOf(hub);
      Y.applyUpdate(
        hub,
        updateFrom(editor, () => commentsOf(editor).delete(0, 1)),
      );
      // The hub garbage-collected the comment's content: a neighbour or parent that is gone.
      for (const update of [
        updateFrom(commenter, () => bodyOf(commenter).insert(4, ' really')),
        updateFrom(commenter, () => commentsOf(commenter).get(0).set('resolved', true)),
      ]) {
        assert.equal(verdict(hub, update), true);
        const changed = [...rootsReallyChanged(hub, update)];
        assert.ok(
          changed.every((root) => root === COMMENTS),
          `the test case itself is wrong: it changes ${changed.join(', ')}`,
        );
        Y.applyUpdate(hub, update);
      }
      assert.equal(hub.getText('board').toString(), 'Sprint goals');
    });

    it('on a board that keeps deleted content (gc off): nested edits and deletions', () => {
      const hub = board({ gc: false });
      const commenter = replicaOf(hub);
      acceptInto(
        hub,
        updateFrom(commenter, () => bodyOf(commenter).insert(0, 'Re: ')),
      );
      acceptInto(
        hub,
        updateFrom(commenter, () => commentsOf(commenter).delete(0, 1)),
      );
    });

    it('a full state whose last struct the doc has in part (the commenter merged its items)', () => {
      const hub = board();
      const commenter = replicaOf(hub);
      const first = updateFrom(commenter, () => bodyOf(commenter).insert(0, 'abc'));
      Y.applyUpdate(hub, first);
      updateFrom(commenter, () => bodyOf(commenter).insert(3, 'def'));
      const full = Y.encodeStateAsUpdate(commenter);
      const own = Y.decodeUpdate(full).structs.filter((s) => s.id.client === commenter.clientID);
      assert.deepEqual(
        own.map((s) => [s.id.clock, s.length]),
        [[0, 6]],
        'one merged struct, half known to the hub',
      );
      assertAllowed(hub, full);
    });
  });

  describe('ignored: what the doc already has', () => {
    it("the doc's own full state, the empty update, and a board edit the doc already has", () => {
      const hub = board();
      assert.equal(verdict(hub, Y.encodeStateAsUpdate(hub)), true);
      assert.equal(verdict(hub, Y.mergeUpdates([])), true);
      const editor = replicaOf(hub);
      const boardEdit = updateFrom(editor, () => editor.getText('board').insert(0, '!'));
      Y.applyUpdate(hub, boardEdit);
      assert.equal(verdict(hub, boardEdit), true, 'an echo of a known board edit changes nothing');
    });

    it("a reconnect's sync step 2 holding the board's delete set (deletions of board items)", () => {
      const hub = board();
      const editor = replicaOf(hub);
      Y.applyUpdate(
        hub,
        updateFrom(editor, () => editor.getText('board').delete(0, 7)),
      );
      const commenter = replicaOf(hub);
      const step2 = Y.encodeStateAsUpdate(commenter, Y.encodeStateVector(hub));
      assert.ok(Y.decodeUpdate(step2).ds.clients.size > 0, 'the step 2 carries a delete set');
      assert.equal(verdict(hub, step2), true);
    });

    it("a commenter's full state after a while: old board content plus a new comment", () => {
      const hub = board();
      const commenter = replicaOf(hub);
      commentsOf(commenter).push([newComment('Cy', 'late')]);
      assertAllowed(hub, Y.encodeStateAsUpdate(commenter));
    });
  });

  describe('refused: anything outside "comments"', () => {
    it('inserting into another root (text "board", map "cards", a brand-new root)', () => {
      const hub = board();
      assertRefused(
        hub,
        attempt(hub, (commenter) => commenter.getText('board').insert(0, 'X')),
      );
      assertRefused(
        hub,
        attempt(hub, (commenter) => commenter.getMap('cards').set('c2', 'mine')),
      );
      assertRefused(
        hub,
        attempt(hub, (commenter) => commenter.getArray('notes').push(['new root'])),
      );
    });

    it('changing a type nested under another root (existing, and created in the same update)', () => {
      const hub = board();
      assertRefused(
        hub,
        attempt(hub, (commenter) => cardOf(commenter).set('title', 'hijacked')),
      );
      assertRefused(
        hub,
        attempt(hub, (commenter) => (cardOf(commenter).get('details') as Y.Text).insert(0, 'X')),
      );
      assertRefused(
        hub,
        attempt(hub, (commenter) => commenter.getMap('cards').set('c3', newComment('Cy', 'not a comment'))),
      );
    });

    it('deleting items under another root (text, map key, nested text)', () => {
      const hub = board();
      assertRefused(
        hub,
        attempt(hub, (commenter) => commenter.getText('board').delete(0, 1)),
      );
      assertRefused(
        hub,
        attempt(hub, (commenter) => commenter.getMap('cards').delete('c1')),
      );
      assertRefused(
        hub,
        attempt(hub, (commenter) => (cardOf(commenter).get('details') as Y.Text).delete(0, 4)),
      );
    });

    it('a mixed update (a comment and a board change in one transaction) is refused whole', () => {
      const hub = board();
      assertRefused(
        hub,
        attempt(hub, (commenter) => {
          commentsOf(commenter).push([newComment('Cy', 'innocent')]);
          commenter.getText('board').insert(0, 'X');
        }),
      );
      assertRefused(
        hub,
        attempt(hub, (commenter) => {
          bodyOf(commenter).insert(0, 'innocent ');
          commenter.getText('board').delete(0, 1);
        }),
      );
    });

    it("a reconnect's step 2 carrying an offline board edit besides an offline comment", () => {
      const hub = board();
      const commenter = replicaOf(hub);
      const hubState = Y.encodeStateVector(hub);
      commentsOf(commenter).push([newComment('Cy', 'offline comment')]);
      commenter.getText('board').insert(0, 'offline board edit ');
      assertRefused(hub, Y.encodeStateAsUpdate(commenter, hubState));
    });

    it('an item whose origin the doc does not have (a missing dependency)', () => {
      const hub = board();
      const commenter = replicaOf(hub);
      updateFrom(commenter, () => bodyOf(commenter).insert(0, 'first '));
      const second = updateFrom(commenter, () => bodyOf(commenter).insert(6, 'second'));
      assertRefusedPending(hub, second);
    });

    it('an item whose parent comes from another client the doc does not have', () => {
      const hub = board();
      const other = replicaOf(hub);
      updateFrom(other, () => commentsOf(other).push([newComment('Ot', '')]));
      const commenter = replicaOf(other);
      const typing = updateFrom(commenter, () =>
        bodyOf(commenter, 1).insert(0, 'in a comment the hub lacks'),
      );
      assertRefusedPending(hub, typing);
    });

    it('a deletion of items the doc does not have yet', () => {
      const hub = board();
      const editor = replicaOf(hub);
      updateFrom(editor, () => editor.getText('board').insert(0, 'future board text'));
      const deletion = updateFrom(editor, () => editor.getText('board').delete(0, 7));
      assertRefusedPending(hub, deletion);
    });

    it('malformed bytes are not allowed (the caller decides what that means)', () => {
      const hub = board();
      const commenter = replicaOf(hub);
      const good = updateFrom(commenter, () => commentsOf(commenter).push([newComment('Cy', 'x')]));
      assert.equal(verdict(hub, Uint8Array.of(0xff, 0xff, 0xff)), false);
      assert.equal(verdict(hub, good.subarray(0, good.length - 3)), false);
      assert.equal(verdict(hub, new Uint8Array(0)), false);
    });
  });

  describe('crafted updates no real client sends', () => {
    it('a forged client id: a struct half known to the doc, continuing an item in another place', () => {
      // The forger reuses the editor's client id and sends one struct from clock 0 that claims the
      // root "comments". The hub has its start (the editor's items), so Yjs would link the rest
      // right after the editor's last item, in that item's list, whatever the claimed parent.
      const forged = (hub: Y.Doc): Uint8Array => {
        const forger = new Y.Doc();
        forger.clientID = [...hub.store.clients.keys()][0]!;
        forger.getArray(COMMENTS).insert(
          0,
          Array.from({ length: 200 }, (_, i) => i),
        );
        return Y.encodeStateAsUpdate(forger);
      };
      const boardLast = new Y.Doc();
      boardLast.getArray(COMMENTS).push(['a comment']);
      boardLast.getText('board').insert(0, 'the editor typed this last');
      assert.equal(verdict(boardLast, forged(boardLast)), false, 'next to a board item');
      // In board() the editor's last item is the text of a comment: the right root, a wrong list.
      const hub = board();
      assert.equal(verdict(hub, forged(hub)), false, 'next to a comment text');
    });

    it('an item between a comment and a board item (its neighbours disagree)', () => {
      const hub = board();
      const item = craftedItem(424242, 0, {
        origin: firstItemId(hub, COMMENTS),
        rightOrigin: firstItemId(hub, 'board'),
      });
      assert.equal(verdict(hub, craftUpdate([[item]])), false);
    });

    it('the same client listed twice (Yjs would apply only the last block)', () => {
      const hub = board();
      const fine = craftedItem(7, 0, { parent: COMMENTS });
      const dependent = craftedItem(8, 0, { origin: Y.createID(7, 0) });
      const again = craftedItem(7, 0, { parent: COMMENTS });
      assert.equal(verdict(hub, craftUpdate([[fine], [dependent]])), true, 'the control case');
      assert.equal(verdict(hub, craftUpdate([[fine], [dependent], [again]])), false);
    });

    it('an empty block erasing a client listed before (what depended on it would wait as pending)', () => {
      const hub = board();
      const fine = craftedItem(7, 0, { parent: COMMENTS });
      const dependent = craftedItem(8, 0, { origin: Y.createID(7, 0) });
      assert.equal(verdict(hub, craftUpdate([[fine], [dependent], { emptyFor: 7 }])), false);
      assert.equal(
        verdict(hub, craftUpdate([[fine], { emptyFor: 9 }])),
        false,
        'an empty block is never sent',
      );
      const copy = replicaOf(hub);
      Y.applyUpdate(copy, craftUpdate([[fine], [dependent], { emptyFor: 7 }]));
      assert.ok(copy.store.pendingStructs, 'the test case itself is wrong: nothing is pending');
    });

    it("a gap in a client's clocks (the rest would wait as pending structs)", () => {
      const hub = board();
      const late = craftedItem(7, 5, { parent: COMMENTS });
      assert.equal(verdict(hub, craftUpdate([[late]])), false);
    });

    it('items whose origins form a cycle are refused, without hanging', () => {
      const hub = board();
      const a = craftedItem(7, 0, { origin: Y.createID(8, 0) });
      const b = craftedItem(8, 0, { origin: Y.createID(7, 0) });
      const self = craftedItem(9, 0, { origin: Y.createID(9, 0) });
      assert.equal(verdict(hub, craftUpdate([[a], [b]])), false);
      assert.equal(verdict(hub, craftUpdate([[self]])), false);
    });

    it('a parent id that is not a type', () => {
      const hub = board();
      const child = craftedItem(7, 0, { parent: firstItemId(hub, 'board') });
      assert.equal(verdict(hub, craftUpdate([[child]])), false);
    });

    it('a deletion reaching past what the update and the doc hold', () => {
      const hub = board();
      const item = craftedItem(7, 0, { parent: COMMENTS });
      assert.equal(verdict(hub, craftUpdate([[item]], [{ client: 7, clock: 0, len: 1 }])), true, 'control');
      assert.equal(verdict(hub, craftUpdate([[item]], [{ client: 7, clock: 0, len: 2 }])), false);
    });

    it('a long chain of dependencies between new items is placed without recursion', () => {
      const hub = board();
      const hubState = Y.encodeStateVector(hub);
      // Bob prepends one character at a time: each item's right neighbour is the one before.
      const bob = replicaOf(hub);
      bob.clientID = 1;
      const length = 20_000;
      for (let i = 0; i < length; i++) bodyOf(bob).insert(0, 'b');
      // Alice (a higher client id, so her block comes first) prepends before all of them: placing
      // her item means walking Bob's whole chain.
      const alice = replicaOf(bob);
      alice.clientID = 2;
      bodyOf(alice).insert(0, 'a');
      const step2 = Y.encodeStateAsUpdate(alice, hubState);
      const structs = Y.decodeUpdate(step2).structs;
      assert.equal(structs.length, length + 1);
      assert.equal(structs[0]?.id.client, 2);
      assertAllowed(hub, step2);
    });
  });
});
