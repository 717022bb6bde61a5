/**
 * Update validation alone, old (Y.decodeUpdate, test/helpers/reference-update-validation.ts) vs
 * the byte walk the hub uses (src/sync/update-validation.ts), on the updates stock clients send:
 * one Y.Array push of an object (the bench's edit), one typed character, one paste of 200
 * characters, and a reconnect's sync step 2 of a 2,000-edit board.
 *
 *   node --import tsx bench/micro/validation.ts [walk|reference] [ROUNDS=20000] [push|keystroke|paste|full]
 *   valgrind --tool=callgrind node --import tsx bench/micro/validation.ts walk 20000
 */
import { assertWellFormedUpdate } from '../../src/sync/update-validation.js';
import { referenceAssertWellFormedUpdate } from '../../test/helpers/reference-update-validation.js';

// The hub's own copy of Yjs (bench/ has a second one; two copies in one process break Yjs).
const Y: typeof import('yjs') = await import(
  new URL('../../node_modules/yjs/dist/yjs.mjs', import.meta.url).href
);

const which = process.argv[2] ?? 'walk';
const rounds = Number(process.argv[3] ?? 20000);
const check = which === 'reference' ? referenceAssertWellFormedUpdate : assertWellFormedUpdate;

const doc = new Y.Doc();
const captured: Uint8Array[] = [];
doc.on('update', (update: Uint8Array) => captured.push(update));
const entries = doc.getArray('entries');
for (let i = 0; i < 2000; i++) entries.push([{ s: i, t: 1234.5 + i }]);
const push = captured.at(-1) as Uint8Array;
const text = doc.getText('notes');
text.insert(0, 'x');
const keystroke = captured.at(-1) as Uint8Array;
text.insert(1, 'Lorem ipsum dolor sit amet, consectetur adipiscing elit. '.repeat(4).slice(0, 200));
const paste = captured.at(-1) as Uint8Array;
const full = Y.encodeStateAsUpdate(doc);

const only = process.argv[4]; // push | keystroke | paste | full: one kind of update only
const samples: Record<string, Uint8Array> = { push, keystroke, paste, full };
const single = only === undefined ? undefined : samples[only];
if (only !== undefined && single === undefined) throw new Error(`unknown update kind ${only}`);

const started = process.hrtime.bigint();
for (let i = 0; i < rounds; i++) {
  if (single !== undefined) {
    check(single);
    continue;
  }
  check(push);
  check(keystroke);
  check(paste);
  if (i % 100 === 0) check(full);
}
const ns = Number(process.hrtime.bigint() - started);
console.log(JSON.stringify({ which, rounds, nsPerRound: Math.round(ns / rounds) }));
