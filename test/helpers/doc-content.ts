import * as Y from 'yjs';

/**
 * A Y.Doc's visible content as plain data, independent of which root types a reader happened to
 * open with which constructor: every root type's live map entries and live list items, nested
 * types included. Two docs showing the same board have equal dumps. Root types with no visible
 * content are left out (merely decoding an update can create an empty root type).
 */
export type Plain = string | number | boolean | null | Plain[] | { [key: string]: Plain };

function plainValue(value: unknown): Plain {
  if (value instanceof Y.AbstractType) return dumpType(value);
  if (value instanceof Y.Doc) return `subdoc:${value.guid}`;
  if (value instanceof Uint8Array) return `bytes:${Buffer.from(value).toString('hex')}`;
  if (value === undefined) return 'undefined';
  if (typeof value === 'bigint') return `bigint:${value}`;
  if (Array.isArray(value)) return value.map(plainValue);
  if (value !== null && typeof value === 'object') {
    return Object.fromEntries(
      Object.entries(value as Record<string, unknown>).map(([key, inner]) => [key, plainValue(inner)]),
    );
  }
  if (typeof value === 'number' && !Number.isFinite(value)) return `number:${value}`;
  return value as Plain;
}

/** What every Yjs type has, whichever constructor opened it: its map entries and its list. */
interface TypeStructure {
  _map: Map<string, Y.Item>;
  _start: Y.Item | null;
}

function dumpType(type: TypeStructure): Plain {
  const map: Record<string, Plain> = {};
  for (const key of [...type._map.keys()].sort()) {
    const item = type._map.get(key);
    if (item && !item.deleted) map[key] = item.content.getContent().map(plainValue);
  }
  const list: Plain[] = [];
  for (let item = type._start; item !== null; item = item.right) {
    if (item.deleted) continue;
    if (item.content instanceof Y.ContentFormat) {
      list.push({ format: item.content.key, value: plainValue(item.content.value) });
    } else {
      for (const value of item.content.getContent()) list.push(plainValue(value));
    }
  }
  return { map, list };
}

export function visibleContent(doc: Y.Doc): Record<string, Plain> {
  const out: Record<string, Plain> = {};
  for (const name of [...doc.share.keys()].sort()) {
    const type = doc.share.get(name);
    if (!type) continue;
    const dumped = dumpType(type) as { map: Record<string, Plain>; list: Plain[] };
    if (Object.keys(dumped.map).length > 0 || dumped.list.length > 0) out[name] = dumped;
  }
  return out;
}

/** Same state vector and same delete set: the two docs integrated exactly the same changes. */
export function sameHistory(a: Y.Doc, b: Y.Doc): boolean {
  return Y.equalSnapshots(Y.snapshot(a), Y.snapshot(b));
}
