/**
 * @module elements-binding
 * Binds Excalidraw's scene elements to the board's `elements` root: whole elements, last writer wins.
 *
 * - Conflicts: the value Yjs keeps wins. The key-value store (y-utility's YKeyValue format, key-value.ts)
 *   keeps, for each id, the entry furthest right in its array, the same entry on every replica; the
 *   page takes that element whole.
 *   Excalidraw `version`s are never compared across clients (that diverges); they only tell this
 *   binding which of the page's elements changed since it last saw them.
 * - No echo: the binding remembers the `version`/`versionNonce` of every element in the doc, its own
 *   writes and remote ones alike, and writes only page elements that differ. A page element that still
 *   carries the value a remote change or an undo just replaced is the page lagging, not a local edit.
 * - Order: by fractional `index`, duplicates and invalid indices repaired deterministically
 *   (fractional-order.ts). A repair is written back only by the client whose entry holds the repaired
 *   element (Yjs knows who wrote each entry), so one client writes it once instead of every client at
 *   once; until then every replica computes the same repaired order on read.
 * - Undo: a Y.UndoManager over `elements` tracking only this client's origin, so a remote change never
 *   enters the local stack, and undoing restores the previous whole entry.
 */

import * as Y from 'yjs';
import { orderAndRepair } from './fractional-order.js';
import type { KeyValueChange, KeyValueEntry } from './key-value.js';
import { asElement, type ExcalidrawElementLike, elementsArray, elementsKeyValue } from './schema.js';

export interface ElementsChange {
  /** True when another client made the change; false for this client's undo and redo. */
  remote: boolean;
}

/** Called after a change the page did not make through `writeLocalChanges`, with the ordered scene. */
export type ElementsListener = (elements: ExcalidrawElementLike[], change: ElementsChange) => void;

export interface ElementsBindingOptions {
  /** The transaction origin of this client's writes (the undo manager tracks only it). */
  localOrigin?: unknown;
}

export interface ElementsBinding {
  /** Every element in the doc (deleted ones included, as Excalidraw keeps them), ordered, indices repaired. */
  readElements(): ExcalidrawElementLike[];
  /** Writes the page elements that changed since the binding last saw them; returns how many it wrote. */
  writeLocalChanges(elements: readonly ExcalidrawElementLike[]): number;
  subscribe(listener: ElementsListener): () => void;
  readonly undoManager: Y.UndoManager;
  destroy(): void;
}

interface Stamp {
  version: number;
  versionNonce: number;
}

type Entry = KeyValueEntry;

function stampOf(element: ExcalidrawElementLike): Stamp {
  return { version: element.version, versionNonce: element.versionNonce };
}

function sameStamp(element: ExcalidrawElementLike, stamp: Stamp | undefined): boolean {
  return (
    stamp !== undefined && element.version === stamp.version && element.versionNonce === stamp.versionNonce
  );
}

/** A plain-JSON copy: the doc must never share an object the page (Excalidraw mutates in place) holds. */
function plainCopy(element: ExcalidrawElementLike): ExcalidrawElementLike {
  return JSON.parse(JSON.stringify(element)) as ExcalidrawElementLike;
}

/** Which client wrote each live entry, from the Yjs items holding them. */
function writersOf(array: Y.Array<unknown>): Map<unknown, number> {
  const writers = new Map<unknown, number>();
  for (let item = array._start; item !== null; item = item.right) {
    if (item.deleted) continue;
    for (const content of item.content.getContent()) writers.set(content, item.id.client);
  }
  return writers;
}

export function createElementsBinding(doc: Y.Doc, options: ElementsBindingOptions = {}): ElementsBinding {
  const localOrigin = options.localOrigin ?? Symbol('board-local-edit');
  const repairOrigin = Symbol('board-index-repair');
  const array = elementsArray(doc);
  const keyValue = elementsKeyValue(doc);
  const undoManager = new Y.UndoManager(array, { trackedOrigins: new Set([localOrigin]) });
  const listeners = new Set<ElementsListener>();
  /** The stamp of every valid element in the doc: the last state the binding knows. */
  const known = new Map<string, Stamp>();
  /** Stamps a remote change or an undo replaced, until the page shows the replacement. */
  const replaced = new Map<string, Stamp>();
  /** Copies handed to the page, by stored entry, reused while the page has not edited them. */
  const copies = new WeakMap<Entry, ExcalidrawElementLike>();

  function storedElements(): { element: ExcalidrawElementLike; entry: Entry }[] {
    const stored: { element: ExcalidrawElementLike; entry: Entry }[] = [];
    for (const [key, entry] of keyValue.map) {
      const element = asElement(entry.val, key);
      if (element !== null) stored.push({ element, entry });
    }
    return stored;
  }

  function copyFor(entry: Entry, element: ExcalidrawElementLike): ExcalidrawElementLike {
    const cached = copies.get(entry);
    if (cached !== undefined && sameStamp(cached, stampOf(element))) return cached;
    const copy = structuredClone(element);
    copies.set(entry, copy);
    return copy;
  }

  interface Scene {
    stored: { element: ExcalidrawElementLike; entry: Entry }[];
    ordered: ExcalidrawElementLike[];
    repaired: Map<string, string>;
  }

  /**
   * The last computed order, by id. Moves and edits that keep every index (the common change) reuse
   * it instead of sorting the whole board again; an add, a delete or a new index drops it.
   */
  let order: { ids: string[]; repaired: Map<string, string> } | null = null;

  function currentScene(): Scene {
    const stored = storedElements();
    if (order !== null && order.ids.length === stored.length) {
      const byId = new Map(stored.map((s) => [s.element.id, s.element]));
      const ordered = order.ids.map((id) => byId.get(id));
      if (ordered.every((element) => element !== undefined)) {
        return { stored, ordered: ordered as ExcalidrawElementLike[], repaired: order.repaired };
      }
    }
    const { ordered, repaired } = orderAndRepair(stored.map((s) => s.element));
    order = { ids: ordered.map((element) => element.id), repaired };
    return { stored, ordered, repaired };
  }

  function changesOrder(change: KeyValueChange): boolean {
    if (change.action !== 'update') return true;
    const before = asElement(change.oldValue);
    const after = asElement(change.newValue);
    return before === null || after === null || before.index !== after.index;
  }

  function pageElements({ stored, ordered, repaired }: Scene): ExcalidrawElementLike[] {
    const entryById = new Map(stored.map((s) => [s.element.id, s.entry]));
    return ordered.map((element) => {
      const copy = copyFor(entryById.get(element.id) as Entry, element);
      const index = repaired.get(element.id);
      return index === undefined ? copy : { ...copy, index };
    });
  }

  function readElements(): ExcalidrawElementLike[] {
    return pageElements(currentScene());
  }

  /** Writes back the repaired indices of the entries this client wrote (same version: not an edit). */
  function writeBackOwnRepairs({ stored, repaired }: Scene): void {
    if (repaired.size === 0) return;
    const writers = writersOf(array);
    const own = stored.filter((s) => repaired.has(s.element.id) && writers.get(s.entry) === doc.clientID);
    if (own.length === 0) return;
    doc.transact(() => {
      keyValue.setMany(
        own.map(({ element }) => [element.id, { ...plainCopy(element), index: repaired.get(element.id) }]),
      );
    }, repairOrigin);
  }

  function writeLocalChanges(elements: readonly ExcalidrawElementLike[]): number {
    const changed: ExcalidrawElementLike[] = [];
    for (const candidate of elements) {
      const element = asElement(candidate);
      if (element === null) continue;
      if (sameStamp(element, known.get(element.id))) {
        replaced.delete(element.id);
        continue;
      }
      if (sameStamp(element, replaced.get(element.id))) continue;
      changed.push(element);
    }
    if (changed.length === 0) return 0;
    doc.transact(
      () => keyValue.setMany(changed.map((element) => [element.id, plainCopy(element)])),
      localOrigin,
    );
    return changed.length;
  }

  function onChange(changes: Map<string, KeyValueChange>, transaction: Y.Transaction): void {
    const fromPage = transaction.origin === localOrigin;
    for (const [key, change] of changes) {
      if (changesOrder(change)) order = null;
      const previous = known.get(key);
      const next = change.action === 'delete' ? null : asElement(change.newValue, key);
      if (next === null) known.delete(key);
      else known.set(key, stampOf(next));
      if (fromPage) replaced.delete(key);
      else if (previous !== undefined && !replaced.has(key)) replaced.set(key, previous);
    }
    if (fromPage || transaction.origin === repairOrigin) return;
    const scene = currentScene();
    writeBackOwnRepairs(scene);
    if (listeners.size === 0) return;
    const elements = pageElements(scene);
    const change = { remote: transaction.origin !== undoManager };
    for (const listener of listeners) listener(elements, change);
  }

  for (const { element } of storedElements()) known.set(element.id, stampOf(element));
  keyValue.on(onChange);

  return {
    readElements,
    writeLocalChanges,
    subscribe(listener) {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
    undoManager,
    destroy() {
      keyValue.off(onChange);
      listeners.clear();
      undoManager.destroy();
    },
  };
}
