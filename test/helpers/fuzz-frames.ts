import * as encoding from 'lib0/encoding';
import * as Y from 'yjs';
import { frames, MESSAGE_AWARENESS, MESSAGE_SYNC } from './raw-peer.js';

/**
 * Deterministic generator of hostile y-websocket frames for fuzzing the hub. Everything comes
 * from one seeded PRNG, so a seed reproduces the same frame sequence. The valid material comes
 * from real Y.Docs ("authors") editing maps, texts and arrays, so mutations start from frames a
 * stock client really sends; some of their updates are delivered intact (sometimes out of
 * order, so the hub holds pending structs), others mutated.
 */
export interface Random {
  /** Uniform in [0, 1). */
  next(): number;
  /** Uniform integer in [0, maxExclusive). */
  int(maxExclusive: number): number;
  chance(probability: number): boolean;
  pick<T>(items: readonly T[]): T;
  bytes(length: number): Uint8Array;
}

/** mulberry32: tiny, fast, and good enough to drive a fuzzer reproducibly. */
export function seededRandom(seed: number): Random {
  let state = seed >>> 0;
  const next = (): number => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  const int = (maxExclusive: number): number => Math.floor(next() * maxExclusive);
  return {
    next,
    int,
    chance: (probability) => next() < probability,
    pick: <T>(items: readonly T[]): T => items[int(items.length)] as T,
    bytes: (length) => Uint8Array.from({ length }, () => int(256)),
  };
}

export interface FuzzFrame {
  /** What kind of frame this is, for the failure report. */
  kind: string;
  frame: Uint8Array;
}

const HUGE_NUMBERS = [2 ** 31, 2 ** 32 + 7, 2 ** 40, Number.MAX_SAFE_INTEGER];
const UNKNOWN_TYPES = [2, 4, 5, 9, 42, 127, 128, 300, 65_535, 2 ** 31];
const INTERESTING_BYTES = [0x00, 0x01, 0x7f, 0x80, 0xff];

function varUint(value: number): Uint8Array {
  const encoder = encoding.createEncoder();
  encoding.writeVarUint(encoder, value);
  return encoding.toUint8Array(encoder);
}

function concat(...parts: Uint8Array[]): Uint8Array {
  const out = new Uint8Array(parts.reduce((sum, part) => sum + part.length, 0));
  let offset = 0;
  for (const part of parts) {
    out.set(part, offset);
    offset += part.length;
  }
  return out;
}

/** varUint lengths that overflow 32 and 53 bits, or never end. */
function hugeVarUint(random: Random): Uint8Array {
  if (random.chance(0.25)) return new Uint8Array(random.int(12) + 1).fill(0xff);
  return varUint(random.pick(HUGE_NUMBERS));
}

class Author {
  readonly doc = new Y.Doc();
  /** Every update the author made, in order (material for mutations). */
  readonly history: Uint8Array[] = [];
  /** Updates not delivered intact yet, in order. */
  private readonly unsent: Uint8Array[] = [];
  private awarenessClock = 0;

  constructor(private readonly random: Random) {
    this.doc.clientID = 1 + random.int(2 ** 30);
    this.doc.on('update', (update: Uint8Array) => {
      this.history.push(update);
      this.unsent.push(update);
    });
  }

  /** One random edit that changes the doc, as a stock client makes it (one transaction, one update). */
  edit(): void {
    const before = this.history.length;
    while (this.history.length === before) this.tryEdit();
  }

  private tryEdit(): void {
    const { random, doc } = this;
    const text = doc.getText('fuzz-text');
    const list = doc.getArray<unknown>('fuzz-list');
    const map = doc.getMap<unknown>('fuzz-map');
    switch (random.int(7)) {
      case 0:
        text.insert(random.int(text.length + 1), `t${random.int(1000)}`);
        break;
      case 1:
        if (text.length > 0) text.delete(random.int(text.length), 1 + random.int(3));
        else text.insert(0, 'x');
        break;
      case 2:
        list.insert(random.int(list.length + 1), [random.int(1000), `s${random.int(100)}`]);
        break;
      case 3:
        if (list.length > 0) list.delete(random.int(list.length), 1);
        else list.push([0]);
        break;
      case 4:
        map.set(`k${random.int(20)}`, { n: random.int(1000), flag: random.chance(0.5) });
        break;
      case 5: {
        const nested = new Y.Map<unknown>();
        map.set(`nested${random.int(5)}`, nested);
        nested.set('inner', random.int(100));
        break;
      }
      default:
        map.delete(`k${random.int(20)}`);
    }
  }

  /** The next intact update; sometimes a later one first, so the hub must hold it as pending. */
  nextUpdate(): Uint8Array {
    while (this.unsent.length < 2) this.edit();
    const index = this.random.chance(0.15) ? 1 : 0;
    return this.unsent.splice(index, 1)[0] as Uint8Array;
  }

  /** An update from the author's past or future, for mutating (not marked as delivered). */
  anyUpdate(): Uint8Array {
    if (this.history.length === 0 || this.random.chance(0.3)) this.edit();
    return this.random.pick(this.history);
  }

  awarenessUpdate(): Uint8Array {
    const encoder = encoding.createEncoder();
    encoding.writeVarUint(encoder, 1);
    encoding.writeVarUint(encoder, this.doc.clientID);
    encoding.writeVarUint(encoder, ++this.awarenessClock);
    const state = this.random.chance(0.1)
      ? null
      : { user: { name: `fuzz-${this.random.int(100)}` }, cursor: this.random.int(50) };
    encoding.writeVarString(encoder, JSON.stringify(state));
    return encoding.toUint8Array(encoder);
  }
}

export class FrameFuzzer {
  private readonly authors: Author[];

  constructor(private readonly random: Random) {
    this.authors = [new Author(random), new Author(random)];
  }

  next(): FuzzFrame {
    const { random } = this;
    const roll = random.int(100);
    if (roll < 10) return { kind: 'random bytes', frame: this.randomBytes() };
    if (roll < 25) return this.validMessage();
    if (roll < 45) {
      const valid = this.validMessage();
      return { kind: `mutated ${valid.kind}`, frame: this.mutate(valid.frame) };
    }
    if (roll < 55) return this.garbageBody();
    if (roll < 80) return this.mutatedBody();
    if (roll < 85) {
      const type = random.pick(UNKNOWN_TYPES);
      return { kind: `unknown type ${type}`, frame: concat(varUint(type), this.randomBytes()) };
    }
    if (roll < 92) {
      const valid = this.validMessage();
      return {
        kind: `${valid.kind} + trailing bytes`,
        frame: concat(valid.frame, random.bytes(1 + random.int(8))),
      };
    }
    const header = random.pick([
      [MESSAGE_SYNC, 0],
      [MESSAGE_SYNC, 1],
      [MESSAGE_SYNC, 2],
      [MESSAGE_AWARENESS],
    ]);
    return {
      kind: 'huge length',
      frame: concat(Uint8Array.from(header), hugeVarUint(random), random.bytes(random.int(16))),
    };
  }

  private randomBytes(): Uint8Array {
    const { random } = this;
    return random.bytes(random.chance(0.1) ? random.int(2048) : random.int(48));
  }

  private author(): Author {
    return this.random.pick(this.authors);
  }

  private validMessage(): FuzzFrame {
    const { random } = this;
    const author = this.author();
    switch (random.int(8)) {
      case 0:
        return { kind: 'sync step 1', frame: frames.syncStep1(Y.encodeStateVector(author.doc)) };
      case 1:
        return { kind: 'sync step 2', frame: frames.syncStep2(author.nextUpdate()) };
      case 2:
        return { kind: 'awareness', frame: frames.awareness(author.awarenessUpdate()) };
      case 3:
        return { kind: 'query awareness', frame: frames.queryAwareness() };
      default:
        return { kind: 'sync update', frame: frames.update(author.nextUpdate()) };
    }
  }

  /** The message header is intact; the Yjs update or awareness payload inside is random. */
  private garbageBody(): FuzzFrame {
    const body = this.randomBytes();
    switch (this.random.int(4)) {
      case 0:
        return { kind: 'step 1 with garbage state vector', frame: frames.syncStep1(body) };
      case 1:
        return { kind: 'step 2 with garbage update', frame: frames.syncStep2(body) };
      case 2:
        return { kind: 'awareness with garbage body', frame: frames.awareness(body) };
      default:
        return { kind: 'update with garbage body', frame: frames.update(body) };
    }
  }

  /** The frame decodes fine; the real Yjs update (or awareness update) inside it is mutated. */
  private mutatedBody(): FuzzFrame {
    const author = this.author();
    if (this.random.chance(0.15)) {
      return {
        kind: 'awareness with mutated body',
        frame: frames.awareness(this.mutate(author.awarenessUpdate())),
      };
    }
    const body = this.mutate(author.anyUpdate());
    return this.random.chance(0.3)
      ? { kind: 'step 2 with mutated update', frame: frames.syncStep2(body) }
      : { kind: 'update with mutated update', frame: frames.update(body) };
  }

  /** One to three byte-level mutations: flips, truncation, extension, huge varUints, cuts. */
  private mutate(input: Uint8Array): Uint8Array {
    const { random } = this;
    let bytes: Uint8Array = Uint8Array.from(input);
    const rounds = 1 + random.int(3);
    for (let round = 0; round < rounds; round++) {
      const at = random.int(bytes.length + 1);
      switch (random.int(7)) {
        case 0: {
          const index = Math.min(at, bytes.length - 1);
          if (index >= 0) bytes[index] = (bytes[index] ?? 0) ^ (1 << random.int(8));
          break;
        }
        case 1: {
          const index = Math.min(at, bytes.length - 1);
          if (index >= 0)
            bytes[index] = random.chance(0.5) ? random.pick(INTERESTING_BYTES) : random.int(256);
          break;
        }
        case 2:
          bytes = bytes.slice(0, at);
          break;
        case 3:
          bytes = concat(bytes, random.bytes(1 + random.int(16)));
          break;
        case 4:
          bytes = concat(bytes.slice(0, at), hugeVarUint(random), bytes.slice(at));
          break;
        case 5:
          bytes = concat(bytes.slice(0, at), bytes.slice(at + 1 + random.int(4)));
          break;
        default: {
          const end = Math.min(bytes.length, at + 1 + random.int(8));
          bytes = concat(bytes.slice(0, end), bytes.slice(at, end), bytes.slice(end));
        }
      }
    }
    return bytes;
  }

  /** Releases the authors' docs. */
  destroy(): void {
    for (const author of this.authors) author.doc.destroy();
  }
}
