import assert from 'node:assert/strict';
import * as Y from 'yjs';

/** A peer that starts with everything `source` has. */
export function replicaOf(source: Y.Doc): Y.Doc {
  const replica = new Y.Doc();
  Y.applyUpdate(replica, Y.encodeStateAsUpdate(source));
  return replica;
}

/** The update a doc emits for one local change (exactly one). */
export function updateFrom(doc: Y.Doc, change: () => void): Uint8Array {
  const updates: Uint8Array[] = [];
  const capture = (update: Uint8Array): void => {
    updates.push(update);
  };
  doc.on('update', capture);
  doc.transact(change);
  doc.off('update', capture);
  assert.equal(updates.length, 1, 'the change should produce exactly one update');
  return updates[0] as Uint8Array;
}
