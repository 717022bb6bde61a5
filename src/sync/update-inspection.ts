import * as Y from 'yjs';

/**
 * Whether applying `update` would change `doc`: it carries an item the doc lacks, or deletes one
 * the doc has not deleted. Reconnecting clients always resend their whole delete set in sync
 * step 2, so a read-only client's "update" is usually a no-op and must not count as a write.
 *
 * Structs the doc holds as pending (waiting for a missing dependency) count as known: the hub
 * serves them in sync step 2, so a reconnecting client sends them straight back.
 */
export function updateChangesDoc(doc: Y.Doc, update: Uint8Array): boolean {
  if (Y.snapshotContainsUpdate(Y.snapshot(doc), update)) return false;
  if (doc.store.pendingStructs === null && doc.store.pendingDs === null) return true;
  // Rare (only with pending structs), so the whole-state comparison is affordable here.
  const known = Y.encodeStateAsUpdate(doc);
  return !Buffer.from(Y.mergeUpdates([known])).equals(Buffer.from(Y.mergeUpdates([known, update])));
}
