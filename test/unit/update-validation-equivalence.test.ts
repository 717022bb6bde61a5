import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import * as encoding from 'lib0/encoding';
import * as Y from 'yjs';
import { ProtocolError } from '../../src/sync/protocol.js';
import { assertWellFormedUpdate, MAX_CLOCK } from '../../src/sync/update-validation.js';
import { referenceAssertWellFormedUpdate } from '../helpers/reference-update-validation.js';

/**
 * The hub validates updates by walking their bytes (src/sync/update-validation.ts); the version it
 * replaced, built on Y.decodeUpdate (Yjs's own reader), is kept in test/helpers. Both must accept
 * and refuse the same updates with the same reason, on real updates of every content type, on
 * mutations of them and on random bytes.
 */
const MAX_CLIENT_ID = Number.MAX_SAFE_INTEGER;

const verdict = (check: (update: Uint8Array) => void, update: Uint8Array): string => {
  try {
    check(update);
    return 'accepted';
  } catch (error) {
    assert.ok(error instanceof ProtocolError, `not a ProtocolError: ${String(error)}`);
    return error.message;
  }
};

const hex = (update: Uint8Array): string => Buffer.from(update).toString('hex');

function assertSameVerdict(update: Uint8Array): string {
  const expected = verdict(referenceAssertWellFormedUpdate, update);
  assert.equal(verdict(assertWellFormedUpdate, update), expected, `update ${hex(update)}`);
  return expected;
}

/** Deterministic PRNG (mulberry32), so a failure can be replayed. */
function prng(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const bytes = (write: (encoder: encoding.Encoder) => void): Uint8Array => {
  const encoder = encoding.createEncoder();
  write(encoder);
  return encoding.toUint8Array(encoder);
};

/** One item for `client` at `clock` under root "r" (no origins), content written by `content`. */
const singleItem = (
  client: number,
  clock: number,
  contentRef: number,
  content: (e: encoding.Encoder) => void,
  parentSub?: string,
): Uint8Array =>
  bytes((e) => {
    encoding.writeVarUint(e, 1);
    encoding.writeVarUint(e, 1);
    encoding.writeVarUint(e, client);
    encoding.writeVarUint(e, clock);
    encoding.writeUint8(e, contentRef | (parentSub === undefined ? 0 : 0x20));
    encoding.writeVarUint(e, 1);
    encoding.writeVarString(e, 'r');
    if (parentSub !== undefined) encoding.writeVarString(e, parentSub);
    content(e);
    encoding.writeVarUint(e, 0);
  });

/** Real updates covering every struct and content type Yjs writes, plus hand-made legacy ones. */
function seedUpdates(): Uint8Array[] {
  const seeds: Uint8Array[] = [];
  const doc = new Y.Doc();
  const capture = (update: Uint8Array): void => {
    seeds.push(update);
  };
  doc.on('update', capture);
  const text = doc.getText('text');
  text.insert(0, 'hello wörld 😀');
  text.format(0, 5, { bold: true, color: '#f00' }); // ContentFormat
  text.insertEmbed(3, { image: 'x.png', size: [1, 2] }); // ContentEmbed
  text.delete(1, 3); // delete set
  const array = doc.getArray<unknown>('array');
  array.push([1, -5, 2 ** 40, 1.5, 0.1, 'str', true, false, null, { a: [1, { b: 'c' }], u: 'ü' }]);
  array.push([new Uint8Array([1, 2, 3])]); // ContentBinary
  array.push([new Y.Doc({ guid: 'sub-doc', meta: { m: 1 } })]); // ContentDoc
  const map = doc.getMap<unknown>('map');
  map.set('nested', new Y.Map()); // ContentType (YMap) with a parentSub
  map.set('list', new Y.Array());
  map.set('txt', new Y.Text('inner'));
  const fragment = doc.getXmlFragment('xml');
  const element = new Y.XmlElement('p');
  element.setAttribute('class', 'x');
  fragment.push([element, new Y.XmlText('xt')]);
  array.push([new Y.XmlHook('hook'), new Y.XmlFragment()]); // type refs 5 and 4
  (map.get('nested') as Y.Map<unknown>).set('deep', 'value');
  map.delete('list'); // GC / ContentDeleted once collected
  array.delete(0, 3);
  doc.off('update', capture);
  seeds.push(Y.encodeStateAsUpdate(doc));
  // A doc that keeps deleted content (ContentDeleted without gc).
  const keep = new Y.Doc({ gc: false });
  keep.getText('t').insert(0, 'abcdef');
  keep.getText('t').delete(2, 2);
  keep.getMap('m').set('k', new Y.Map());
  keep.getMap('m').delete('k');
  seeds.push(Y.encodeStateAsUpdate(keep));
  // Skip structs: merging updates with a gap between them.
  const gap = new Y.Doc();
  const parts: Uint8Array[] = [];
  gap.on('update', (u: Uint8Array) => parts.push(u));
  for (let i = 0; i < 4; i++) gap.getArray('a').push([i]);
  seeds.push(Y.mergeUpdates([parts[0] as Uint8Array, parts[2] as Uint8Array]));
  // Several clients in one update.
  const other = new Y.Doc();
  Y.applyUpdate(other, Y.encodeStateAsUpdate(doc));
  other.getText('text').insert(2, 'zz');
  seeds.push(Y.encodeStateAsUpdate(other));
  seeds.push(Y.encodeStateAsUpdate(new Y.Doc()));
  // Legacy ContentJSON (ref 2), including the literal "undefined"; and bad JSON.
  const json = (values: string[]) => (e: encoding.Encoder) => {
    encoding.writeVarUint(e, values.length);
    for (const v of values) encoding.writeVarString(e, v);
  };
  seeds.push(singleItem(7, 0, 2, json(['{"a":1}', 'undefined', '[1,2]'])));
  seeds.push(singleItem(7, 0, 2, json(['{bad'])));
  seeds.push(singleItem(7, 0, 2, json([])));
  seeds.push(singleItem(7, 0, 5, (e) => encoding.writeVarString(e, 'not json')));
  seeds.push(
    singleItem(7, 0, 6, (e) => {
      encoding.writeVarString(e, 'bold');
      encoding.writeVarString(e, 'null');
    }),
  );
  // Any values Yjs's own API does not write (bigint, undefined, float32) but its reader reads.
  seeds.push(
    singleItem(7, 0, 8, (e) => {
      encoding.writeVarUint(e, 3);
      encoding.writeAny(e, BigInt(2) ** BigInt(60));
      encoding.writeUint8(e, 127); // undefined
      encoding.writeUint8(e, 124); // float32
      encoding.writeFloat32(e, 1.5);
    }),
  );
  // Type refs, valid and not; XmlElement/XmlHook names.
  for (const ref of [0, 1, 2, 3, 4, 5, 6, 7, 99]) {
    seeds.push(
      singleItem(7, 0, 7, (e) => {
        encoding.writeVarUint(e, ref);
        if (ref === 3 || ref === 5) encoding.writeVarString(e, 'name');
      }),
    );
  }
  // Sub-document options that Yjs refuses (null/undefined) and accepts (anything else).
  for (const options of [null, undefined, 5, 'x', [1], { shouldLoad: true }]) {
    seeds.push(
      singleItem(7, 0, 9, (e) => {
        encoding.writeVarString(e, 'guid');
        encoding.writeAny(e, options as encoding.AnyEncodable);
      }),
    );
  }
  // Empty contents and lengths at the clock limit, for every counted content type.
  for (const clock of [0, MAX_CLOCK - 2, MAX_CLOCK - 1, MAX_CLOCK]) {
    seeds.push(singleItem(7, clock, 4, (e) => encoding.writeVarString(e, 'ab')));
    seeds.push(singleItem(7, clock, 4, (e) => encoding.writeVarString(e, '')));
    seeds.push(singleItem(7, clock, 4, (e) => encoding.writeVarString(e, '😀')));
    seeds.push(singleItem(7, clock, 1, (e) => encoding.writeVarUint(e, 2)));
    seeds.push(singleItem(7, clock, 1, (e) => encoding.writeVarUint(e, 0)));
    seeds.push(
      singleItem(7, clock, 8, (e) => {
        encoding.writeVarUint(e, 2);
        encoding.writeAny(e, 1);
        encoding.writeAny(e, 'x');
      }),
    );
    seeds.push(singleItem(7, clock, 8, (e) => encoding.writeVarUint(e, 0)));
    seeds.push(singleItem(7, clock, 3, (e) => encoding.writeVarUint8Array(e, new Uint8Array(0))));
    seeds.push(singleItem(7, clock, 5, (e) => encoding.writeVarString(e, '{}'), 'key'));
  }
  // Clients at and past the id limit; an invalid UTF-8 string.
  for (const client of [0, 2 ** 32, MAX_CLIENT_ID, 2 ** 53 + 2]) {
    seeds.push(singleItem(client, 0, 4, (e) => encoding.writeVarString(e, 'a')));
  }
  seeds.push(singleItem(7, 0, 4, (e) => encoding.writeVarUint8Array(e, new Uint8Array([0xc3, 0x28]))));
  seeds.push(singleItem(7, 0, 4, (e) => encoding.writeVarUint8Array(e, new Uint8Array([0xef, 0xbb, 0xbf]))));
  return seeds;
}

function mutate(update: Uint8Array, random: () => number): Uint8Array {
  const at = (n: number): number => Math.floor(random() * n);
  const out = [...update];
  const steps = 1 + at(3);
  for (let step = 0; step < steps; step++) {
    const pos = at(out.length + 1);
    switch (at(8)) {
      case 0: // flip one bit
        if (out.length > 0) out[pos % out.length] = (out[pos % out.length] as number) ^ (1 << at(8));
        break;
      case 1: // random byte
        if (out.length > 0) out[pos % out.length] = at(256);
        break;
      case 2: // truncate
        out.length = pos;
        break;
      case 3: // insert random bytes
        out.splice(pos, 0, ...Array.from({ length: 1 + at(4) }, () => at(256)));
        break;
      case 4: // delete bytes
        out.splice(pos, 1 + at(3));
        break;
      case 5: // append garbage
        out.push(...Array.from({ length: 1 + at(6) }, () => at(256)));
        break;
      case 6: // a long varUint (clocks, lengths near 2^48 and beyond)
        out.splice(pos, 1, ...[0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x3f + at(2) * 0x40].slice(at(4)));
        break;
      default: // small value that often lands on a tag, info byte or count
        if (out.length > 0)
          out[pos % out.length] = [0, 1, 2, 7, 8, 9, 10, 116, 117, 118, 119, 125, 127][at(13)] as number;
    }
  }
  return Uint8Array.from(out);
}

describe('byte-walking update validation matches the Y.decodeUpdate-based one', () => {
  it('agrees on real updates of every content type and on hand-made edge cases', () => {
    const verdicts = new Map<string, number>();
    for (const seed of seedUpdates()) {
      const v = assertSameVerdict(seed);
      verdicts.set(v, (verdicts.get(v) ?? 0) + 1);
    }
    // The seeds exercise every verdict, not just acceptance.
    assert.deepEqual([...verdicts.keys()].sort(), [
      'accepted',
      'malformed update',
      'update with an impossible item',
    ]);
    assert.equal(
      verdict(
        assertWellFormedUpdate,
        bytes((e) => {
          encoding.writeVarUint(e, 0);
          encoding.writeVarUint(e, 1);
          encoding.writeVarUint(e, 7);
          encoding.writeVarUint(e, 1);
          encoding.writeVarUint(e, MAX_CLOCK);
          encoding.writeVarUint(e, 1);
        }),
      ),
      'update with an impossible deletion',
    );
  });

  it('agrees on mutated updates (bit flips, truncation, insertions, long varUints)', () => {
    const random = prng(20261126);
    const seeds = seedUpdates();
    let accepted = 0;
    for (let i = 0; i < 40_000; i++) {
      const seed = seeds[i % seeds.length] as Uint8Array;
      if (assertSameVerdict(mutate(seed, random)) === 'accepted') accepted++;
    }
    assert.ok(accepted > 1000, `only ${accepted} mutants were valid: the mutations are too coarse`);
  });

  it('agrees on random bytes and when the update is a view into a larger buffer', () => {
    const random = prng(7);
    for (let i = 0; i < 20_000; i++) {
      const length = Math.floor(random() * 24);
      assertSameVerdict(Uint8Array.from({ length }, () => Math.floor(random() * 256)));
    }
    // ws hands the hub frames that are views into larger buffers: bytes past the view must not count.
    const seeds = seedUpdates();
    for (let i = 0; i < 5_000; i++) {
      const seed = mutate(seeds[i % seeds.length] as Uint8Array, random);
      const backing = new Uint8Array(seed.length + 16).fill(0x41);
      backing.set(seed, 8);
      assertSameVerdict(backing.subarray(8, 8 + Math.floor(random() * (seed.length + 1))));
    }
  });
});
