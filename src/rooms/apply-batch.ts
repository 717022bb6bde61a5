import * as Y from 'yjs';

export interface BatchResult {
  /** The doc's own encoding of what the batch changed (one merged update), or null if nothing. */
  effectiveUpdate: Uint8Array | null;
  /** Indexes of updates that threw while being applied, or left structs waiting for dependencies. */
  failed: number[];
  /** Indexes of updates that `accept` turned down: never applied. */
  rejected: number[];
}

/**
 * Decides, inside the batch's transaction and right before an update is applied, whether it may
 * be: it sees the doc with the batch's earlier updates already in it. If it throws, the update
 * is rejected.
 */
export type AcceptUpdate = (index: number) => boolean;

const acceptAll: AcceptUpdate = () => true;

/**
 * Applies updates to doc in ONE transaction, so several clients' changes in one event-loop turn
 * become one merged update: one row in the log and one frame to every reader.
 */
export function applyBatch(
  doc: Y.Doc,
  updates: readonly Uint8Array[],
  origin: unknown,
  accept: AcceptUpdate = acceptAll,
): BatchResult {
  let effectiveUpdate: Uint8Array | null = null;
  const failed: number[] = [];
  const rejected: number[] = [];
  const leftPending: number[] = [];
  const capture = (update: Uint8Array): void => {
    effectiveUpdate = effectiveUpdate === null ? update : Y.mergeUpdates([effectiveUpdate, update]);
  };
  doc.on('update', capture);
  try {
    doc.transact(() => {
      for (let index = 0; index < updates.length; index++) {
        if (!accepts(accept, index)) {
          rejected.push(index);
          continue;
        }
        const hadPending = hasPendingStructs(doc);
        try {
          Y.applyUpdate(doc, updates[index] as Uint8Array, origin);
          if (!hadPending && hasPendingStructs(doc)) leftPending.push(index);
        } catch {
          failed.push(index);
        }
      }
    }, origin);
  } finally {
    doc.off('update', capture);
  }
  // An update whose dependencies never arrived (not even later in this batch) would sit pending:
  // served to newcomers in sync step 2 but never broadcast, it splits what peers see. Stock
  // clients on one ordered socket never send one, so it counts as malformed.
  if (hasPendingStructs(doc)) failed.push(...leftPending.filter((index) => !failed.includes(index)));
  return { effectiveUpdate, failed, rejected };
}

function accepts(accept: AcceptUpdate, index: number): boolean {
  try {
    return accept(index);
  } catch {
    return false;
  }
}

/** True when the doc holds structs or deletions it could not integrate yet (missing dependencies). */
export function hasPendingStructs(doc: Y.Doc): boolean {
  return doc.store.pendingStructs !== null || doc.store.pendingDs !== null;
}
