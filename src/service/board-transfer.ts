import * as Y from 'yjs';
import { HubError } from '../errors.js';

/**
 * The export format: the board's state as ONE plain Yjs update (Y.encodeStateAsUpdate, loads
 * into any Y.Doc with Y.applyUpdate), plus a JSON sidecar naming what it is.
 */
export const EXPORT_FORMAT = 'boardhub-board/1';

export interface BoardExportMeta {
  format: typeof EXPORT_FORMAT;
  id: string;
  name: string;
  createdAt: number;
  exportedAt: number;
  hubId: string;
  updateBytes: number;
}

/** "Retro.yjs": the board's name kept to characters safe in any file system and header. */
export function exportFileName(boardName: string): string {
  return `${boardName.replace(/[^A-Za-z0-9 ._-]/g, '_').slice(0, 80) || 'board'}.yjs`;
}

/** Folds a stored snapshot + log into one update (validating that it loads). */
export function stateAsSingleUpdate(snapshot: Uint8Array | null, tail: readonly Uint8Array[]): Uint8Array {
  const doc = new Y.Doc();
  try {
    doc.transact(() => {
      if (snapshot) Y.applyUpdate(doc, snapshot);
      for (const update of tail) Y.applyUpdate(doc, update);
    });
    return Y.encodeStateAsUpdate(doc);
  } finally {
    doc.destroy();
  }
}

/**
 * An imported file must be a complete Yjs update: it loads, and nothing in it waits for a missing
 * dependency. Returns it re-encoded as the doc's state.
 */
export function validateImportedUpdate(update: Uint8Array): Uint8Array {
  if (update.byteLength === 0) throw new HubError('INVALID_ARGUMENT', 'The import file is empty.');
  const doc = new Y.Doc();
  try {
    Y.applyUpdate(doc, update);
    if (doc.store.pendingStructs !== null || doc.store.pendingDs !== null) throw new Error('incomplete');
    return Y.encodeStateAsUpdate(doc);
  } catch {
    throw new HubError('INVALID_ARGUMENT', 'The import file is not a complete Yjs update.');
  } finally {
    doc.destroy();
  }
}
