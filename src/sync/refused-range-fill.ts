import * as encoding from 'lib0/encoding';
import * as Y from 'yjs';

/**
 * After the hub refuses a client's change, that client's next changes carry clocks right after
 * the refused ones. Yjs integrates a client's structs only in clock order, so without the
 * refused range every later change of that client would wait forever (and be refused as well).
 * The hub therefore fills the refused range with GC structs: "this range exists, its content is
 * gone". Later changes integrate normally; anything anchored on the refused content is discarded.
 *
 * Only ranges that continue the doc's own state are filled (a gap is not ours to close).
 */

/** Encodes a Yjs update (v1) holding one GC struct per [client, clock, length). */
function encodeGcUpdate(
  ranges: ReadonlyArray<{ client: number; clock: number; length: number }>,
): Uint8Array {
  const encoder = encoding.createEncoder();
  encoding.writeVarUint(encoder, ranges.length);
  for (const { client, clock, length } of ranges) {
    encoding.writeVarUint(encoder, 1); // one struct for this client
    encoding.writeVarUint(encoder, client);
    encoding.writeVarUint(encoder, clock);
    encoding.writeUint8(encoder, 0); // struct info 0 = GC
    encoding.writeVarUint(encoder, length);
  }
  encoding.writeVarUint(encoder, 0); // empty delete set
  return encoding.toUint8Array(encoder);
}

/** The GC update that takes the place of a refused `update` in `doc`, or null if none is needed. */
export function refusedRangeFill(doc: Y.Doc, update: Uint8Array): Uint8Array | null {
  // While the doc waits for missing structs, its state vector does not say what it holds.
  if (doc.store.pendingStructs !== null || doc.store.pendingDs !== null) return null;
  let meta: { from: Map<number, number>; to: Map<number, number> };
  try {
    meta = Y.parseUpdateMeta(update);
  } catch {
    return null;
  }
  const ranges: Array<{ client: number; clock: number; length: number }> = [];
  for (const [client, end] of meta.to) {
    const known = Y.getState(doc.store, client);
    const start = meta.from.get(client) ?? end;
    if (start <= known && end > known) ranges.push({ client, clock: known, length: end - known });
  }
  return ranges.length > 0 ? encodeGcUpdate(ranges) : null;
}
