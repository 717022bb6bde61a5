import * as decoding from 'lib0/decoding';
import * as Y from 'yjs';
import { ProtocolError } from './protocol.js';

/**
 * Strict checks of what a client sends, before anything of it touches a room. Yjs trusts its
 * input: an item of length 0, or a clock near 2^53 (lib0 reads a varUint of any length), is
 * accepted by applyUpdate yet leaves a doc that can no longer be encoded or served. Awareness
 * updates are applied entry by entry, so a bad entry must be found before the first is applied.
 * No I/O here.
 */

/** No real client comes near this many operations (2^48), and the hub's encoder stays far from 2^53. */
export const MAX_CLOCK = 2 ** 48;
/** Yjs client ids are random 32-bit numbers; other implementations keep them below 2^53. */
const MAX_CLIENT_ID = Number.MAX_SAFE_INTEGER;

const within = (value: number, max: number): boolean =>
  Number.isSafeInteger(value) && value >= 0 && value <= max;

/** Throws ProtocolError unless `update` is a Yjs (v1) update the hub can apply and serve again. */
export function assertWellFormedUpdate(update: Uint8Array): void {
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

/**
 * Throws ProtocolError unless every entry of an awareness update is well formed: a count, then
 * per entry a client id, a clock and a JSON state ("null" removes the entry).
 */
export function assertWellFormedAwareness(update: Uint8Array): void {
  const decoder = decoding.createDecoder(update);
  try {
    const entries = decoding.readVarUint(decoder);
    for (let i = 0; i < entries; i++) {
      const client = decoding.readVarUint(decoder);
      const clock = decoding.readVarUint(decoder);
      if (!within(client, MAX_CLIENT_ID) || !within(clock, Number.MAX_SAFE_INTEGER)) throw new Error('range');
      JSON.parse(decoding.readVarString(decoder));
    }
  } catch {
    throw new ProtocolError('malformed awareness update');
  }
  if (decoding.hasContent(decoder)) throw new ProtocolError('malformed awareness update');
}
