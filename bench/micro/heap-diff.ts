/**
 * Compares two V8 heap snapshots by node type and name (constructor, string, closure, …):
 * which kinds of objects grew, by count and by self size. Used with connection-memory.ts.
 *
 *   node --import tsx bench/micro/heap-diff.ts before.heapsnapshot after.heapsnapshot [per=1000]
 */
import { readFileSync } from 'node:fs';

interface Snapshot {
  snapshot: { meta: { node_fields: string[]; node_types: [string[], ...unknown[]] } };
  nodes: number[];
  strings: string[];
}

function tally(path: string): Map<string, { count: number; size: number }> {
  const snap = JSON.parse(readFileSync(path, 'utf8')) as Snapshot;
  const fields = snap.snapshot.meta.node_fields;
  const width = fields.length;
  const typeAt = fields.indexOf('type');
  const nameAt = fields.indexOf('name');
  const sizeAt = fields.indexOf('self_size');
  const types = snap.snapshot.meta.node_types[0];
  const out = new Map<string, { count: number; size: number }>();
  for (let i = 0; i < snap.nodes.length; i += width) {
    const type = types[snap.nodes[i + typeAt] as number] ?? '?';
    const rawName = snap.strings[snap.nodes[i + nameAt] as number] ?? '';
    const name =
      type === 'string' || type === 'concatenated string' || type === 'sliced string' ? '' : rawName;
    const key = `${type}:${name.slice(0, 60)}`;
    const entry = out.get(key) ?? { count: 0, size: 0 };
    entry.count++;
    entry.size += snap.nodes[i + sizeAt] as number;
    out.set(key, entry);
  }
  return out;
}

const [beforePath, afterPath, perArg] = process.argv.slice(2);
if (!beforePath || !afterPath) throw new Error('usage: heap-diff.ts before after [per]');
const per = Number(perArg ?? 1000);
const before = tally(beforePath);
const after = tally(afterPath);
const rows = [...after].map(([key, a]) => {
  const b = before.get(key) ?? { count: 0, size: 0 };
  return { key, count: (a.count - b.count) / per, size: (a.size - b.size) / per };
});
rows.sort((x, y) => y.size - x.size);
let total = 0;
for (const row of rows) total += row.size;
console.log(`total self size growth per unit: ${total.toFixed(0)} B`);
for (const row of rows.slice(0, 45)) {
  console.log(`${row.size.toFixed(0).padStart(7)} B ${row.count.toFixed(2).padStart(7)}x  ${row.key}`);
}
