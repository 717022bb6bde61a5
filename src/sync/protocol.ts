import * as decoding from 'lib0/decoding';
import * as encoding from 'lib0/encoding';

/**
 * The y-websocket wire protocol, as stock y-websocket clients speak it. Every frame is one
 * message: a varUint message type followed by its payload.
 *
 *   0 sync            varUint sync type, then varUint8Array
 *                       0 step 1: the sender's state vector ("what I have")
 *                       1 step 2: an update with what the receiver lacks
 *                       2 update: a live change
 *   1 awareness       varUint8Array awareness update (presence: cursors, names)
 *   2 auth            varUint 0 = permission denied, then varString reason (server -> client)
 *   3 query awareness  no payload: "send me everyone's awareness"
 *
 * Decoding is strict: a frame must be exactly one well-formed message. Anything else is a
 * ProtocolError, which closes that one connection. No I/O here.
 */
export const MessageType = { sync: 0, awareness: 1, auth: 2, queryAwareness: 3 } as const;
export const SyncType = { step1: 0, step2: 1, update: 2 } as const;
export const AuthType = { permissionDenied: 0 } as const;

export type ClientMessage =
  | { kind: 'sync-step1'; stateVector: Uint8Array }
  | { kind: 'sync-step2'; update: Uint8Array }
  | { kind: 'sync-update'; update: Uint8Array }
  | { kind: 'awareness'; update: Uint8Array }
  | { kind: 'query-awareness' };

/** One entry of an awareness update (read by update-validation.ts's readAwarenessEntries). */
export interface AwarenessEntry {
  client: number;
  clock: number;
  /** The state as sent (JSON; "null" removes the entry). */
  state: string;
  /** Its length in UTF-8 bytes, as it came on the wire: what the size limit counts. */
  stateBytes: number;
}

export class ProtocolError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ProtocolError';
  }
}

function readPayload(decoder: decoding.Decoder, what: string): Uint8Array {
  try {
    return decoding.readVarUint8Array(decoder);
  } catch {
    throw new ProtocolError(`truncated ${what}`);
  }
}

function readType(decoder: decoding.Decoder, what: string): number {
  if (!decoding.hasContent(decoder)) throw new ProtocolError(`missing ${what}`);
  try {
    return decoding.readVarUint(decoder);
  } catch {
    throw new ProtocolError(`malformed ${what}`);
  }
}

/** A state vector is varUint n, then n pairs of varUint (client, clock), and nothing after. */
function assertWellFormedStateVector(stateVector: Uint8Array): void {
  const decoder = decoding.createDecoder(stateVector);
  try {
    const entries = decoding.readVarUint(decoder);
    for (let i = 0; i < entries; i++) {
      decoding.readVarUint(decoder);
      decoding.readVarUint(decoder);
    }
  } catch {
    throw new ProtocolError('malformed state vector');
  }
  if (decoding.hasContent(decoder)) throw new ProtocolError('malformed state vector');
}

function decodeSync(decoder: decoding.Decoder): ClientMessage {
  const syncType = readType(decoder, 'sync message type');
  switch (syncType) {
    case SyncType.step1: {
      const stateVector = readPayload(decoder, 'state vector');
      assertWellFormedStateVector(stateVector);
      return { kind: 'sync-step1', stateVector };
    }
    case SyncType.step2:
      return { kind: 'sync-step2', update: readPayload(decoder, 'sync step 2') };
    case SyncType.update:
      return { kind: 'sync-update', update: readPayload(decoder, 'update') };
    default:
      throw new ProtocolError(`unknown sync message type ${syncType}`);
  }
}

export function decodeClientMessage(frame: Uint8Array): ClientMessage {
  const decoder = decoding.createDecoder(frame);
  const type = readType(decoder, 'message type');
  let message: ClientMessage;
  switch (type) {
    case MessageType.sync:
      message = decodeSync(decoder);
      break;
    case MessageType.awareness:
      message = { kind: 'awareness', update: readPayload(decoder, 'awareness update') };
      break;
    case MessageType.queryAwareness:
      message = { kind: 'query-awareness' };
      break;
    default:
      throw new ProtocolError(`unknown message type ${type}`);
  }
  if (decoding.hasContent(decoder)) throw new ProtocolError('trailing bytes after the message');
  return message;
}

const encodeSync = (syncType: number, payload: Uint8Array): Uint8Array => {
  const encoder = encoding.createEncoder();
  encoding.writeVarUint(encoder, MessageType.sync);
  encoding.writeVarUint(encoder, syncType);
  encoding.writeVarUint8Array(encoder, payload);
  return encoding.toUint8Array(encoder);
};

export const encodeSyncStep1 = (stateVector: Uint8Array): Uint8Array =>
  encodeSync(SyncType.step1, stateVector);
export const encodeSyncStep2 = (update: Uint8Array): Uint8Array => encodeSync(SyncType.step2, update);
export const encodeUpdate = (update: Uint8Array): Uint8Array => encodeSync(SyncType.update, update);

export function encodeAwareness(update: Uint8Array): Uint8Array {
  const encoder = encoding.createEncoder();
  encoding.writeVarUint(encoder, MessageType.awareness);
  encoding.writeVarUint8Array(encoder, update);
  return encoding.toUint8Array(encoder);
}

/** An awareness update of these entries, as y-protocols' encodeAwarenessUpdate writes one. */
export function encodeAwarenessEntries(entries: readonly AwarenessEntry[]): Uint8Array {
  const encoder = encoding.createEncoder();
  encoding.writeVarUint(encoder, entries.length);
  for (const { client, clock, state } of entries) {
    encoding.writeVarUint(encoder, client);
    encoding.writeVarUint(encoder, clock);
    encoding.writeVarString(encoder, state);
  }
  return encoding.toUint8Array(encoder);
}

export function encodePermissionDenied(reason: string): Uint8Array {
  const encoder = encoding.createEncoder();
  encoding.writeVarUint(encoder, MessageType.auth);
  encoding.writeVarUint(encoder, AuthType.permissionDenied);
  encoding.writeVarString(encoder, reason);
  return encoding.toUint8Array(encoder);
}

export function encodeQueryAwareness(): Uint8Array {
  const encoder = encoding.createEncoder();
  encoding.writeVarUint(encoder, MessageType.queryAwareness);
  return encoding.toUint8Array(encoder);
}
