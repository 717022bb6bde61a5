import * as decoding from 'lib0/decoding';
import { type AwarenessEntry, ProtocolError } from './protocol.js';
import type { UpdateShape } from './update-shape.js';

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
/**
 * A client's update names the ids whose structs the hub lacks: its own, and in a reconnect's
 * sync step 2 those of edits it holds and the hub does not (a few). More than this is an attack
 * (one frame naming a million made-up ids): every id costs the room work before it can refuse.
 */
export const MAX_UPDATE_CLIENTS = 10_000;

const within = (value: number, max: number): boolean =>
  Number.isSafeInteger(value) && value >= 0 && value <= max;

/*
 * The update is walked the way Yjs's own reader (Y.decodeUpdate: lazyStructReaderGenerator, the
 * content readers, readDeleteSet) walks it, call for call with the same lib0 readers, so it
 * refuses exactly what that reader throws on — but without building Item, ID and content objects
 * (Y.applyUpdate decodes it again anyway): a third fewer instructions for a typical edit, two
 * thirds fewer for a reconnect's large sync step 2 (bench/micro/validation.ts). Where Yjs's reader would throw only while building an object (JSON.parse, an unknown
 * type ref, a sub-document's options), the same check is made here. test/unit/
 * update-validation-equivalence.test.ts holds the decodeUpdate-based version this replaced and
 * checks both agree on real, mutated and random updates of every content type.
 */

/** Thrown from the walk; turned into ProtocolError('malformed update'). */
const MALFORMED = new Error('malformed update');

/** Struct info byte, as Yjs writes it: content ref in the low 5 bits, then flags. */
const BITS5 = 0b1_1111;
const HAS_PARENT_SUB = 0b10_0000;
const HAS_RIGHT_ORIGIN = 0b100_0000;
const HAS_ORIGIN = 0b1000_0000;
const SKIP_INFO = 10;

/** lib0 decodes strings with exactly this decoder (fatal: invalid UTF-8 throws). */
const utf8 = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true });

/**
 * Skips a string as lib0's readVarString reads it (varUint byte length, then UTF-8 its fatal
 * TextDecoder accepts) and returns its length in UTF-16 code units, as String#length counts.
 * ASCII, nearly every key and most text, is valid UTF-8 of one unit per byte: it needs no
 * string built. Anything else is decoded exactly as lib0 would.
 */
function skipString(decoder: decoding.Decoder): number {
  const byteLength = decoding.readVarUint(decoder);
  const { arr } = decoder;
  const start = decoder.pos;
  const end = start + byteLength;
  if (end > arr.length) throw MALFORMED;
  decoder.pos = end;
  for (let i = start; i < end; i++) {
    if ((arr[i] as number) > 0x7f) return utf8.decode(arr.subarray(start, end)).length;
  }
  return byteLength;
}

/** A string whose value matters (JSON); read as lib0 reads it. */
const readString = decoding.readVarString;

/** Skips one lib0 "any" value with the checks readAny makes (unknown tags, truncation, UTF-8). */
function skipAny(decoder: decoding.Decoder): void {
  switch (decoding.readUint8(decoder)) {
    case 127: // undefined
    case 126: // null
    case 121: // false
    case 120: // true
      return;
    case 125:
      decoding.readVarInt(decoder);
      return;
    case 124:
      decoding.readFloat32(decoder);
      return;
    case 123:
      decoding.readFloat64(decoder);
      return;
    case 122:
      decoding.readBigInt64(decoder);
      return;
    case 119:
      skipString(decoder);
      return;
    case 118: {
      const entries = decoding.readVarUint(decoder);
      for (let i = 0; i < entries; i++) {
        skipString(decoder);
        skipAny(decoder);
      }
      return;
    }
    case 117: {
      const length = decoding.readVarUint(decoder);
      for (let i = 0; i < length; i++) skipAny(decoder);
      return;
    }
    case 116:
      decoding.readVarUint8Array(decoder);
      return;
    default:
      // readAny looks the tag up in a table and calls undefined for anything else.
      throw MALFORMED;
  }
}

/** Reads an item's content as readItemContent would and returns its length (Item.length). */
function contentLength(decoder: decoding.Decoder, ref: number): number {
  switch (ref) {
    case 1: // ContentDeleted
      return decoding.readVarUint(decoder);
    case 2: {
      // ContentJSON (legacy): strings, each JSON except the literal "undefined"
      const length = decoding.readVarUint(decoder);
      for (let i = 0; i < length; i++) {
        const value = readString(decoder);
        if (value !== 'undefined') JSON.parse(value);
      }
      return length;
    }
    case 3: // ContentBinary
      decoding.readVarUint8Array(decoder);
      return 1;
    case 4: // ContentString: its length counts UTF-16 code units
      return skipString(decoder);
    case 5: // ContentEmbed
      JSON.parse(readString(decoder));
      return 1;
    case 6: // ContentFormat: key, then JSON value
      skipString(decoder);
      JSON.parse(readString(decoder));
      return 1;
    case 7: {
      // ContentType: YArray, YMap, YText, YXmlElement (name), YXmlFragment, YXmlHook (name), YXmlText
      const typeRef = decoding.readVarUint(decoder);
      if (typeRef === 3 || typeRef === 5) skipString(decoder);
      else if (typeRef > 6) throw MALFORMED;
      return 1;
    }
    case 8: {
      // ContentAny
      const length = decoding.readVarUint(decoder);
      for (let i = 0; i < length; i++) skipAny(decoder);
      return length;
    }
    case 9: {
      // ContentDoc: guid, then options, which Yjs reads as `opts.shouldLoad` (throws on null/undefined)
      skipString(decoder);
      const options: unknown = decoding.readAny(decoder);
      if (options === null || options === undefined) throw MALFORMED;
      return 1;
    }
    default:
      throw MALFORMED;
  }
}

/** Reads an item id (client, clock) another item points at; records it with the pointing item's id. */
function readReference(
  decoder: decoding.Decoder,
  shape: UpdateShape | null,
  itemClient: number,
  itemClock: number,
): void {
  const client = decoding.readVarUint(decoder);
  const clock = decoding.readVarUint(decoder);
  if (shape !== null) shape.references.push(client, clock, itemClient, itemClock);
}

/**
 * Throws ProtocolError unless `update` is a Yjs (v1) update the hub can apply and serve again.
 * Given a shape (`wanted`), it also records there what the update adds and points at (update-shape.ts).
 */
export function assertWellFormedUpdate(update: Uint8Array, wanted: UpdateShape | null = null): void {
  // Like the decode-then-check it replaces: a malformed update is "malformed" even when an
  // impossible item comes before the bytes that make it malformed.
  let impossible: string | null = null;
  let tooManyClients = false;
  try {
    const decoder = decoding.createDecoder(update);
    const clients = decoding.readVarUint(decoder);
    // Still walked to the end (as cheap as any frame that size), so garbage stays "malformed".
    tooManyClients = clients > MAX_UPDATE_CLIENTS;
    const shape = tooManyClients ? null : wanted;
    for (let c = 0; c < clients; c++) {
      const structs = decoding.readVarUint(decoder);
      const client = decoding.readVarUint(decoder);
      let clock = decoding.readVarUint(decoder);
      let firstClock = clock;
      for (let s = 0; s < structs; s++) {
        const info = decoding.readUint8(decoder);
        let length: number;
        if (info === SKIP_INFO) {
          length = decoding.readVarUint(decoder);
          if (shape !== null) {
            // A skip ends a run: what follows needs the skipped clocks from somewhere else.
            shape.hasSkips = true;
            shape.runs.push(client, firstClock, clock);
          }
          firstClock = clock + length;
        } else if ((info & BITS5) !== 0) {
          if ((info & HAS_ORIGIN) !== 0) readReference(decoder, shape, client, clock);
          if ((info & HAS_RIGHT_ORIGIN) !== 0) readReference(decoder, shape, client, clock);
          if ((info & (HAS_ORIGIN | HAS_RIGHT_ORIGIN)) === 0) {
            // No neighbours: the parent follows (a root type's name, or an item id), then its key.
            if (decoding.readVarUint(decoder) === 1) skipString(decoder);
            else readReference(decoder, shape, client, clock);
            if ((info & HAS_PARENT_SUB) !== 0) skipString(decoder);
          }
          length = contentLength(decoder, info & BITS5);
        } else {
          // GC (also past the end, where readUint8 yields undefined and the next read throws).
          length = decoding.readVarUint(decoder);
        }
        if (
          impossible === null &&
          (!within(client, MAX_CLIENT_ID) || length < 1 || !within(clock + length, MAX_CLOCK))
        ) {
          impossible = 'update with an impossible item';
        }
        clock += length;
      }
      if (shape !== null) shape.runs.push(client, firstClock, clock);
    }
    let impossibleDeletion = false;
    const deleteClients = decoding.readVarUint(decoder);
    for (let c = 0; c < deleteClients; c++) {
      const client = decoding.readVarUint(decoder);
      const ranges = decoding.readVarUint(decoder);
      if (ranges > 0 && !within(client, MAX_CLIENT_ID)) impossibleDeletion = true;
      for (let r = 0; r < ranges; r++) {
        const rangeClock = decoding.readVarUint(decoder);
        const rangeLength = decoding.readVarUint(decoder);
        if (rangeLength < 1 || !within(rangeClock + rangeLength, MAX_CLOCK)) impossibleDeletion = true;
        if (shape !== null) shape.deletions.push(client, rangeClock, rangeClock + rangeLength);
      }
    }
    if (impossible === null && impossibleDeletion) impossible = 'update with an impossible deletion';
  } catch {
    throw new ProtocolError('malformed update');
  }
  if (tooManyClients) throw new ProtocolError(`update naming more than ${MAX_UPDATE_CLIENTS} client ids`);
  if (impossible !== null) throw new ProtocolError(impossible);
}

/** An awareness state larger than the hub allows: well formed, but refused (see config.ts). */
export class AwarenessTooLargeError extends Error {
  constructor(
    readonly stateBytes: number,
    readonly maxStateBytes: number,
  ) {
    super(`presence state of ${stateBytes} bytes is over the limit of ${maxStateBytes} bytes`);
    this.name = 'AwarenessTooLargeError';
  }
}

/**
 * Reads every entry of an awareness update, throwing ProtocolError unless all are well formed: a
 * count, then per entry a client id, a clock and a JSON state; and AwarenessTooLargeError for a
 * state over maxStateBytes, before that state is decoded or parsed. Nothing is applied here, so a
 * bad last entry cannot leave the first ones applied.
 */
export function readAwarenessEntries(update: Uint8Array, maxStateBytes: number): AwarenessEntry[] {
  const decoder = decoding.createDecoder(update);
  const entries: AwarenessEntry[] = [];
  let oversized: AwarenessTooLargeError | null = null;
  try {
    const count = decoding.readVarUint(decoder);
    for (let i = 0; i < count; i++) {
      const client = decoding.readVarUint(decoder);
      const clock = decoding.readVarUint(decoder);
      if (!within(client, MAX_CLIENT_ID) || !within(clock, Number.MAX_SAFE_INTEGER)) throw new Error('range');
      const stateBytes = decoding.peekVarUint(decoder);
      // A length past the frame's end is a truncated update, not a large state.
      if (stateBytes > decoder.arr.length - decoder.pos) throw new Error('truncated');
      if (stateBytes > maxStateBytes) {
        oversized = new AwarenessTooLargeError(stateBytes, maxStateBytes);
        break;
      }
      const state = decoding.readVarString(decoder);
      JSON.parse(state);
      entries.push({ client, clock, state, stateBytes });
    }
  } catch {
    throw new ProtocolError('malformed awareness update');
  }
  if (oversized !== null) throw oversized;
  if (decoding.hasContent(decoder)) throw new ProtocolError('malformed awareness update');
  return entries;
}
