/**
 * Hand-built y-websocket frames for the abuse scenario, encoded with lib0 the way Yjs and
 * y-protocols encode them, so an attacker needs no Y.Doc (and can forge what a Y.Doc never would).
 * Pure functions, no I/O.
 *
 * Yjs update (v1): varUint clients, then per client: varUint structs, varUint client, varUint
 * first clock, then each struct: an info byte (low 5 bits the content type, 0x80 "has origin",
 * 0x40 "has right origin"), the origin id if any, the parent when there is no origin (varUint 1 +
 * varString root name), the content; after all clients the delete set (varUint 0: empty).
 * Awareness update: varUint entries, each varUint client id, varUint clock, varString JSON state.
 */
import * as encoding from 'lib0/encoding';

const messageSync = 0;
const messageAwareness = 1;
const syncUpdate = 2;
const contentString = 4;
const hasOrigin = 0x80;

/** `[0 sync][2 update][update]`: a live change as a stock client sends it. */
export function syncUpdateFrame(update: Uint8Array): Uint8Array {
  const encoder = encoding.createEncoder();
  encoding.writeVarUint(encoder, messageSync);
  encoding.writeVarUint(encoder, syncUpdate);
  encoding.writeVarUint8Array(encoder, update);
  return encoding.toUint8Array(encoder);
}

export function awarenessFrame(entries: ReadonlyArray<{ client: number; clock: number; state: string }>) {
  const inner = encoding.createEncoder();
  encoding.writeVarUint(inner, entries.length);
  for (const entry of entries) {
    encoding.writeVarUint(inner, entry.client);
    encoding.writeVarUint(inner, entry.clock);
    encoding.writeVarString(inner, entry.state);
  }
  const encoder = encoding.createEncoder();
  encoding.writeVarUint(encoder, messageAwareness);
  encoding.writeVarUint8Array(encoder, encoding.toUint8Array(inner));
  return encoding.toUint8Array(encoder);
}

/** `[3]`: "send me everyone's awareness". */
export const queryAwarenessFrame = (): Uint8Array => Uint8Array.of(3);

/**
 * One update with one root-level string item per client id, each at that client's `clock`:
 * one frame that claims the clock space of every id in `[firstClient, firstClient + clients)`.
 */
export function forgedStructsUpdate(
  firstClient: number,
  clients: number,
  clock: number,
  text: string,
): Uint8Array {
  const encoder = encoding.createEncoder();
  encoding.writeVarUint(encoder, clients);
  for (let i = 0; i < clients; i++) {
    encoding.writeVarUint(encoder, 1);
    encoding.writeVarUint(encoder, firstClient + i);
    encoding.writeVarUint(encoder, clock);
    encoding.writeUint8(encoder, contentString);
    encoding.writeVarUint(encoder, 1);
    encoding.writeVarString(encoder, 'zz');
    encoding.writeVarString(encoder, text);
  }
  encoding.writeVarUint(encoder, 0);
  return encoding.toUint8Array(encoder);
}

/** A one-character item whose origin is `(client, 999999)`, an item nobody has: 13 bytes. */
export function missingOriginUpdate(client: number): Uint8Array {
  const encoder = encoding.createEncoder();
  encoding.writeVarUint(encoder, 1);
  encoding.writeVarUint(encoder, 1);
  encoding.writeVarUint(encoder, client);
  encoding.writeVarUint(encoder, 0);
  encoding.writeUint8(encoder, hasOrigin | contentString);
  encoding.writeVarUint(encoder, client);
  encoding.writeVarUint(encoder, 999_999);
  encoding.writeVarString(encoder, 'x');
  encoding.writeVarUint(encoder, 0);
  return encoding.toUint8Array(encoder);
}
