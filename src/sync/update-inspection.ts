import * as Y from 'yjs';

/**
 * Whether applying `update` would change `doc`: it carries an item the doc lacks, or deletes one
 * the doc has not deleted. Reconnecting clients always resend their whole delete set in sync
 * step 2, so a read-only client's "update" is usually a no-op and must not count as a write.
 */
export function updateChangesDoc(doc: Y.Doc, update: Uint8Array): boolean {
  return !Y.snapshotContainsUpdate(Y.snapshot(doc), update);
}
