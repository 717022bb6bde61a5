import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { describe, it } from 'node:test';
import type { Collaborator, SocketId } from '@excalidraw/excalidraw/types';
import * as Y from 'yjs';
import {
  createElementsBinding,
  type ElementsBinding,
} from '../../renderer/board/binding/elements-binding.js';
import { readFileMetas, writeFileMeta } from '../../renderer/board/binding/files-binding.js';
import { isValidFractionalIndex } from '../../renderer/board/binding/fractional-order.js';
import { collaboratorsFrom, colorForUser, normalisePresence } from '../../renderer/board/binding/presence.js';
import {
  BOARD_SCHEMA_VERSION,
  type ExcalidrawElementLike,
  elementsArray,
  ensureSchemaVersion,
  filesMap,
  metaMap,
  readSchemaVersion,
} from '../../renderer/board/binding/schema.js';
import { readSchemaElements, schemaRectangle, writeSchemaElement } from '../helpers/board-schema-client.js';

const REMOTE = 'test-remote';

interface Peer {
  doc: Y.Doc;
  binding: ElementsBinding;
}

function peer(): Peer {
  const doc = new Y.Doc();
  return { doc, binding: createElementsBinding(doc) };
}

/** Exchanges everything each doc lacks, until all agree (what the hub's fan-out does, minus the wire). */
function syncAll(...peers: Peer[]): void {
  for (let round = 0; round < 3; round++) {
    for (const from of peers) {
      for (const to of peers) {
        if (from === to) continue;
        const missing = Y.encodeStateAsUpdate(from.doc, Y.encodeStateVector(to.doc));
        Y.applyUpdate(to.doc, missing, REMOTE);
      }
    }
  }
}

let nonce = 1;
function element(id: string, fields: Record<string, unknown> = {}): ExcalidrawElementLike {
  return {
    id,
    type: 'rectangle',
    x: 0,
    y: 0,
    width: 10,
    height: 10,
    strokeColor: '#1e1e1e',
    version: 1,
    versionNonce: nonce++,
    index: 'a0',
    isDeleted: false,
    ...fields,
  };
}

/** What Excalidraw does to an element on a local edit: new fields, version + 1, a new nonce. */
function edited(previous: ExcalidrawElementLike, fields: Record<string, unknown>): ExcalidrawElementLike {
  return { ...previous, ...fields, version: previous.version + 1, versionNonce: nonce++ };
}

function only(binding: ElementsBinding, id: string): ExcalidrawElementLike {
  const found = binding.readElements().find((candidate) => candidate.id === id);
  assert.ok(found, `element ${id} should be in the scene`);
  return found;
}

function startedWith(...elements: ExcalidrawElementLike[]): [Peer, Peer] {
  const a = peer();
  const b = peer();
  assert.equal(a.binding.writeLocalChanges(elements), elements.length);
  syncAll(a, b);
  a.binding.undoManager.stopCapturing();
  return [a, b];
}

describe('board binding: concurrent edits converge on every doc', () => {
  it('two clients moving one element at once end with the same whole element', () => {
    const [a, b] = startedWith(element('e1'));
    a.binding.writeLocalChanges([edited(only(a.binding, 'e1'), { x: 100 })]);
    b.binding.writeLocalChanges([edited(only(b.binding, 'e1'), { x: 200 })]);
    syncAll(a, b);
    assert.deepEqual(a.binding.readElements(), b.binding.readElements());
    assert.ok([100, 200].includes(only(a.binding, 'e1').x as number));
  });

  it('two clients editing different fields of one element keep one of the two whole values, not a mix', () => {
    const [a, b] = startedWith(element('e1'));
    a.binding.writeLocalChanges([edited(only(a.binding, 'e1'), { x: 100 })]);
    b.binding.writeLocalChanges([edited(only(b.binding, 'e1'), { strokeColor: '#e03131' })]);
    syncAll(a, b);
    const kept = only(a.binding, 'e1');
    assert.deepEqual(kept, only(b.binding, 'e1'));
    const tookA = kept.x === 100 && kept.strokeColor === '#1e1e1e';
    const tookB = kept.x === 0 && kept.strokeColor === '#e03131';
    assert.ok(tookA || tookB, `a mixed element: ${JSON.stringify(kept)}`);
  });

  it('a delete and an edit of one element at once converge', () => {
    const [a, b] = startedWith(element('e1'));
    a.binding.writeLocalChanges([edited(only(a.binding, 'e1'), { isDeleted: true })]);
    b.binding.writeLocalChanges([edited(only(b.binding, 'e1'), { x: 50 })]);
    syncAll(a, b);
    assert.deepEqual(a.binding.readElements(), b.binding.readElements());
  });

  it('two clients re-ordering one element at once agree on the order, across three docs', () => {
    const [a, b] = startedWith(element('e1', { index: 'a0' }), element('e2', { index: 'a1' }));
    const c = peer();
    syncAll(a, b, c);
    a.binding.writeLocalChanges([edited(only(a.binding, 'e1'), { index: 'a2' })]);
    b.binding.writeLocalChanges([edited(only(b.binding, 'e1'), { index: 'a0V' })]);
    c.binding.writeLocalChanges([edited(only(c.binding, 'e2'), { x: 5 })]);
    syncAll(a, b, c);
    const ids = (p: Peer) => p.binding.readElements().map((e) => `${e.id}@${e.index}`);
    assert.deepEqual(ids(a), ids(b));
    assert.deepEqual(ids(a), ids(c));
    assert.deepEqual(a.binding.readElements(), c.binding.readElements());
  });
});

describe('board binding: undo is per client', () => {
  it('a remote change never enters the local undo stack', () => {
    const [a, b] = startedWith(element('e1'), element('e2', { index: 'a1' }));
    const stackBefore = a.binding.undoManager.undoStack.length;
    b.binding.writeLocalChanges([edited(only(b.binding, 'e2'), { x: 70 })]);
    syncAll(a, b);
    assert.equal(a.binding.undoManager.undoStack.length, stackBefore);
    assert.equal(b.binding.undoManager.undoStack.length, 1);
    a.binding.undoManager.undo();
    assert.equal(only(a.binding, 'e2').x, 70, "a's undo leaves b's change");
  });

  it("undo of a local change restores the previous whole element and leaves the other user's work", () => {
    const [a, b] = startedWith(element('e1'), element('e2', { index: 'a1' }));
    const before = only(a.binding, 'e1');
    a.binding.writeLocalChanges([edited(before, { x: 40, strokeColor: '#2f9e44' })]);
    syncAll(a, b);
    b.binding.writeLocalChanges([edited(only(b.binding, 'e2'), { x: 70 })]);
    syncAll(a, b);
    a.binding.undoManager.undo();
    syncAll(a, b);
    assert.deepEqual(only(a.binding, 'e1'), before);
    assert.deepEqual(only(b.binding, 'e1'), before);
    assert.equal(only(a.binding, 'e2').x, 70);
  });

  it('undoing a move another user has since moved again leaves their move', () => {
    const [a, b] = startedWith(element('e1'));
    a.binding.writeLocalChanges([edited(only(a.binding, 'e1'), { x: 10 })]);
    syncAll(a, b);
    b.binding.writeLocalChanges([edited(only(b.binding, 'e1'), { x: 20 })]);
    syncAll(a, b);
    a.binding.undoManager.undo();
    syncAll(a, b);
    assert.equal(only(a.binding, 'e1').x, 20);
    assert.deepEqual(a.binding.readElements(), b.binding.readElements());
  });

  it('an undo is announced to the page as a local (not remote) change', () => {
    const [a] = startedWith(element('e1'));
    a.binding.writeLocalChanges([edited(only(a.binding, 'e1'), { x: 10 })]);
    const seen: boolean[] = [];
    a.binding.subscribe((_elements, change) => seen.push(change.remote));
    a.binding.undoManager.undo();
    assert.deepEqual(seen, [false]);
    assert.equal(only(a.binding, 'e1').x, 0);
  });
});

describe('board binding: fractional index repair', () => {
  it('duplicate indices from concurrent inserts are repaired identically everywhere, written back once', () => {
    const [a, b] = startedWith(element('base', { index: 'a0' }), element('top', { index: 'a1' }));
    const c = peer();
    syncAll(a, b, c);
    const repairWrites = new Map<Y.Doc, number>();
    for (const p of [a, b, c]) {
      p.doc.on('update', (_update: Uint8Array, origin: unknown) => {
        if (typeof origin === 'symbol' && origin.description === 'board-index-repair') {
          repairWrites.set(p.doc, (repairWrites.get(p.doc) ?? 0) + 1);
        }
      });
    }
    a.binding.writeLocalChanges([element('x-from-a', { index: 'a0V' })]);
    b.binding.writeLocalChanges([element('y-from-b', { index: 'a0V' })]);
    // Before anyone writes a repair, every replica already shows the same order.
    Y.applyUpdate(c.doc, Y.encodeStateAsUpdate(a.doc), REMOTE);
    const order = (p: Peer) => p.binding.readElements().map((e) => `${e.id}@${e.index}`);
    syncAll(a, b, c);
    assert.deepEqual(order(a), order(b));
    assert.deepEqual(order(a), order(c));
    const indices = a.binding.readElements().map((e) => e.index as string);
    for (let i = 1; i < indices.length; i++) {
      assert.ok((indices[i - 1] as string) < (indices[i] as string), `indices not increasing: ${indices}`);
    }
    assert.ok(indices.every(isValidFractionalIndex));
    const total = [...repairWrites.values()].reduce((sum, n) => sum + n, 0);
    assert.equal(total, 1, 'exactly one client writes the repair back, once');
    const stored = elementsArray(a.doc)
      .toArray()
      .map((entry) => (entry as { val: ExcalidrawElementLike }).val.index);
    assert.equal(new Set(stored).size, stored.length, 'the stored indices are unique after the repair');
  });

  it('elements without a usable index go last, in id order, on every doc', () => {
    const [a, b] = startedWith(element('first', { index: 'a0' }));
    elementsArray(a.doc).push([
      { key: 'zz', val: element('zz', { index: null }) },
      { key: 'mm', val: element('mm', { index: '!!bad' }) },
    ]);
    syncAll(a, b);
    assert.deepEqual(
      b.binding.readElements().map((e) => e.id),
      ['first', 'mm', 'zz'],
    );
    assert.deepEqual(a.binding.readElements(), b.binding.readElements());
  });
});

describe('board binding: no echo', () => {
  it('writing back what readElements returned after a remote update writes nothing', () => {
    const [a, b] = startedWith(element('e1'));
    a.binding.writeLocalChanges([edited(only(a.binding, 'e1'), { x: 9 }), element('e2', { index: 'a1' })]);
    syncAll(a, b);
    assert.equal(b.binding.writeLocalChanges(b.binding.readElements()), 0);
  });

  it('a page that still shows the element a remote change replaced does not write it back', () => {
    const [a, b] = startedWith(element('e1'));
    const stale = b.binding.readElements();
    a.binding.writeLocalChanges([edited(only(a.binding, 'e1'), { x: 9 })]);
    syncAll(a, b);
    assert.equal(b.binding.writeLocalChanges(stale), 0);
    assert.equal(only(b.binding, 'e1').x, 9);
  });

  it('a remote change reaches subscribers as remote; the page’s own writes are not announced', () => {
    const [a, b] = startedWith(element('e1'));
    const seenByA: boolean[] = [];
    const seenByB: boolean[] = [];
    a.binding.subscribe((_e, change) => seenByA.push(change.remote));
    b.binding.subscribe((elements, change) => {
      seenByB.push(change.remote);
      assert.equal(elements.find((e) => e.id === 'e1')?.x, 3);
    });
    a.binding.writeLocalChanges([edited(only(a.binding, 'e1'), { x: 3 })]);
    syncAll(a, b);
    assert.deepEqual(seenByA, []);
    assert.deepEqual(seenByB, [true]);
  });
});

describe('board binding: hostile values in the doc', () => {
  it('non-object values, missing ids, wrong types and mismatched keys are skipped, not thrown', () => {
    const [a, b] = startedWith(element('good'));
    elementsArray(a.doc).push([
      { key: 'n', val: 42 },
      { key: 's', val: 'text' },
      { key: 'noid', val: { type: 'rectangle', version: 1, versionNonce: 1 } },
      { key: 'badversion', val: element('badversion', { version: '7' }) },
      { key: 'baddeleted', val: element('baddeleted', { isDeleted: 'yes' }) },
      { key: 'other', val: element('not-other') },
      { key: 'arr', val: [1, 2] },
    ]);
    assert.doesNotThrow(() => syncAll(a, b));
    assert.deepEqual(
      b.binding.readElements().map((e) => e.id),
      ['good'],
    );
    assert.equal(b.binding.writeLocalChanges(b.binding.readElements()), 0);
  });

  it('a null or non-entry pushed into elements neither throws nor hides the rest of its update', () => {
    const [a, b] = startedWith(element('good'));
    const hostile = new Y.Doc();
    Y.applyUpdate(hostile, Y.encodeStateAsUpdate(a.doc), REMOTE);
    elementsArray(hostile).push([
      null,
      7,
      'x',
      [1],
      { key: 3, val: {} },
      { key: 'e2', val: element('e2', { index: 'a1' }) },
    ]);
    assert.doesNotThrow(() => Y.applyUpdate(b.doc, Y.encodeStateAsUpdate(hostile), REMOTE));
    assert.deepEqual(
      b.binding.readElements().map((e) => e.id),
      ['good', 'e2'],
    );
    const reopened = new Y.Doc();
    Y.applyUpdate(reopened, Y.encodeStateAsUpdate(b.doc), REMOTE);
    assert.deepEqual(
      createElementsBinding(reopened)
        .readElements()
        .map((e) => e.id),
      ['good', 'e2'],
    );
  });

  it('malformed elements handed to writeLocalChanges are not written', () => {
    const a = peer();
    const junk = [{ id: 5 }, null, { id: 'x', type: 'rectangle', version: Number.NaN, versionNonce: 1 }];
    assert.equal(a.binding.writeLocalChanges(junk as unknown as ExcalidrawElementLike[]), 0);
  });
});

describe('board binding: storage growth', () => {
  it('10,000 moves of 100 elements stay within 10x the final scene JSON in the stored (hub) copy', () => {
    const a = peer();
    // The hub's copy: a plain doc receiving every update, as the room does (no undo manager keeps
    // deleted values alive there).
    const hubCopy = new Y.Doc();
    a.doc.on('update', (update: Uint8Array) => Y.applyUpdate(hubCopy, update, REMOTE));
    const first = Array.from({ length: 100 }, (_, i) =>
      element(`el-${i}`, { index: `a${String(i).padStart(2, '0')}` }),
    );
    a.binding.writeLocalChanges(first);
    let scene = a.binding.readElements();
    for (let move = 0; move < 10_000; move++) {
      const i = move % 100;
      const target = scene.find((e) => e.id === `el-${i}`) as ExcalidrawElementLike;
      a.binding.writeLocalChanges([edited(target, { x: move, y: move / 2 })]);
      if (i === 99) scene = a.binding.readElements();
    }
    const stored = Y.encodeStateAsUpdate(hubCopy).byteLength;
    const sceneJson = Buffer.byteLength(JSON.stringify(a.binding.readElements()));
    const ratio = stored / sceneJson;
    const editorRatio = Y.encodeStateAsUpdate(a.doc).byteLength / sceneJson;
    console.log(
      `storage: ${stored} B stored / ${sceneJson} B scene JSON = ${ratio.toFixed(2)}x ` +
        `(the editing doc, whose undo history keeps old values: ${editorRatio.toFixed(2)}x)`,
    );
    assert.ok(ratio <= 10, `stored state is ${ratio.toFixed(2)}x the scene`);
  });
});

describe('board presence', () => {
  it('untrusted awareness states are bounded and typed, or dropped', () => {
    const presence = normalisePresence({
      user: { id: 'u1', name: `  ${'x'.repeat(500)}\u0007`, color: 'red; background:url(x)', role: 'owner' },
      pointer: { x: 1, y: Number.POSITIVE_INFINITY, tool: 'laser' },
      button: 'sideways',
      selectedElementIds: { a: true, b: 'yes', [`${'c'.repeat(200)}`]: true },
      viewport: { scrollX: 0, scrollY: 0, zoom: 1, width: 800, height: 600 },
      extra: { huge: 'x'.repeat(10_000) },
    });
    assert.ok(presence);
    assert.equal(presence.user.name, 'x'.repeat(40));
    assert.equal(presence.user.role, 'view');
    assert.equal(presence.user.color, colorForUser('u1').stroke);
    assert.equal(presence.pointer, undefined);
    assert.equal(presence.button, undefined);
    assert.deepEqual(presence.selectedElementIds, { a: true });
    assert.deepEqual(presence.viewport, { scrollX: 0, scrollY: 0, zoom: 1, width: 800, height: 600 });
    assert.equal('extra' in presence, false);
    for (const junk of [
      null,
      42,
      'state',
      [],
      {},
      { user: 'u' },
      { user: { id: '' } },
      { user: { id: 7 } },
    ]) {
      assert.equal(normalisePresence(junk), null, JSON.stringify(junk));
    }
  });

  it('collaborators leave out this client and invalid states; colours are the same for a user everywhere', () => {
    const states = new Map<number, unknown>([
      [1, { user: { id: 'me', name: 'Me', color: '#000000', role: 'edit' } }],
      [
        2,
        {
          user: { id: 'ana', name: 'Ana', color: '#e03131', role: 'edit' },
          pointer: { x: 3, y: 4, tool: 'pointer' },
        },
      ],
      [3, { nonsense: true }],
    ]);
    const collaborators: Map<SocketId, Collaborator> = collaboratorsFrom(states, 1);
    assert.deepEqual([...collaborators.keys()], ['2']);
    const ana = collaborators.get('2' as SocketId);
    assert.equal(ana?.username, 'Ana');
    assert.deepEqual(ana?.pointer, { x: 3, y: 4, tool: 'pointer' });
    assert.deepEqual(ana?.color, colorForUser('ana'));
    assert.deepEqual(colorForUser('ana'), colorForUser('ana'));
  });
});

describe('board meta', () => {
  it('the schema version is set once and read back; a foreign value is not a version', () => {
    const doc = new Y.Doc();
    assert.equal(readSchemaVersion(doc), null);
    ensureSchemaVersion(doc);
    assert.equal(readSchemaVersion(doc), BOARD_SCHEMA_VERSION);
    metaMap(doc).set('schemaVersion', 2);
    ensureSchemaVersion(doc);
    assert.equal(readSchemaVersion(doc), 2, 'a newer version is left alone');
    metaMap(doc).set('schemaVersion', 'one');
    assert.equal(readSchemaVersion(doc), null);
  });
});

describe('board files metadata', () => {
  it('metadata is written once per file id and invalid entries are skipped on read', () => {
    const doc = new Y.Doc();
    const id = 'a'.repeat(40);
    assert.equal(writeFileMeta(doc, { id, mimeType: 'image/png', created: 1, width: 10, height: 20 }), true);
    assert.equal(writeFileMeta(doc, { id, mimeType: 'image/jpeg', created: 2 }), false);
    assert.equal(writeFileMeta(doc, { id: 'bad id!', mimeType: 'image/png', created: 1 }), false);
    filesMap(doc).set('html', { id: 'html', mimeType: 'text/html', created: 1 });
    filesMap(doc).set('mismatch', { id: 'other', mimeType: 'image/png', created: 1 });
    filesMap(doc).set('num', 5);
    assert.deepEqual(
      [...readFileMetas(doc).values()],
      [{ id, mimeType: 'image/png', created: 1, width: 10, height: 20 }],
    );
  });
});

describe('board schema: a client that knows only the documented schema', () => {
  it('reads exactly what the binding wrote, and its writes appear through the binding', () => {
    const [a, b] = startedWith(
      element('e1', { index: 'a0' }),
      element('e2', { index: 'a1', isDeleted: true }),
    );
    const stock = new Y.Doc();
    Y.applyUpdate(stock, Y.encodeStateAsUpdate(a.doc), REMOTE);
    assert.deepEqual(readSchemaElements(stock), a.binding.readElements());
    assert.deepEqual(
      readSchemaElements(stock, { live: true }).map((e) => e.id),
      ['e1'],
    );
    writeSchemaElement(stock, schemaRectangle('from-node', { index: 'a2', x: 42 }));
    Y.applyUpdate(b.doc, Y.encodeStateAsUpdate(stock, Y.encodeStateVector(b.doc)), REMOTE);
    assert.equal(only(b.binding, 'from-node').x, 42);
    assert.deepEqual(
      b.binding.readElements().map((e) => e.id),
      ['e1', 'e2', 'from-node'],
    );
  });
});

describe('board binding: what it may import', () => {
  it('imports only yjs, fractional-indexing, its own files and Excalidraw types (no DOM, no Excalidraw runtime)', () => {
    const folder = new URL('../../renderer/board/binding/', import.meta.url);
    for (const file of readdirSync(folder).filter((name) => name.endsWith('.ts'))) {
      const source = readFileSync(new URL(file, folder), 'utf8');
      for (const [statement, typeOnly, from = ''] of source.matchAll(
        /^import (type )?[^;]*? from '([^']+)';/gms,
      )) {
        const allowed =
          from === 'yjs' ||
          from === 'fractional-indexing' ||
          from.startsWith('./') ||
          (typeOnly !== undefined && from.startsWith('@excalidraw/excalidraw/'));
        assert.ok(allowed, `${file}: ${statement}`);
      }
      assert.doesNotMatch(
        source,
        /\b(window|document|localStorage|indexedDB)\.\w/,
        `${file} touches the DOM`,
      );
    }
  });
});
