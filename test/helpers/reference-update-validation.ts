import * as Y from 'yjs';
import { ProtocolError } from '../../src/sync/protocol.js';
import { MAX_CLOCK } from '../../src/sync/update-validation.js';

/**
 * The update validation the hub used before src/sync/update-validation.ts walked the bytes
 * itself: Y.decodeUpdate (Yjs's own reader), then the same limits on every struct and deletion.
 * Kept as the reference the byte walk must agree with (test/unit/update-validation-equivalence)
 * and as the baseline of bench/micro/validation.ts.
 */
const MAX_CLIENT_ID = Number.MAX_SAFE_INTEGER;
const within = (value: number, max: number): boolean =>
  Number.isSafeInteger(value) && value >= 0 && value <= max;

export function referenceAssertWellFormedUpdate(update: Uint8Array): void {
  let decoded: ReturnType<typeof Y.decodeUpdate>;
  try {
    decoded = Y.decodeUpdate(update);
  } catch {
    throw new ProtocolError('malformed update');
  }
  for (const struct of decoded.structs) {
    const { client, clock } = struct.id;
    if (!within(client, MAX_CLIENT_ID) || struct.length < 1 || !within(clock + struct.length, MAX_CLOCK)) {
      throw new ProtocolError('update with an impossible item');
    }
  }
  for (const [client, ranges] of decoded.ds.clients) {
    if (!within(client, MAX_CLIENT_ID)) throw new ProtocolError('update with an impossible deletion');
    for (const range of ranges) {
      if (range.len < 1 || !within(range.clock + range.len, MAX_CLOCK)) {
        throw new ProtocolError('update with an impossible deletion');
      }
    }
  }
}
