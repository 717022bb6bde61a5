/**
 * @module key-value
 * The `elements` store: y-utility 0.1.4's YKeyValue algorithm and storage format, hardened against
 * entries that are not `{key, val}` objects.
 *
 * Format (shared with y-utility's YKeyValue, so stock clients using it interoperate): a Y.Array of
 * `{ key, val }`; setting a key deletes its current entry and appends a new one; when concurrent
 * writes leave several entries for one key, the one furthest right wins on every replica and each
 * replica deletes the others (the deletes are idempotent). Deleted entries collapse into Yjs
 * tombstones, so the array does not grow with every overwrite as a Y.Map's history would.
 *
 * Why not y-utility's class itself: its observer reads `entry.key` unguarded, so one `null` pushed into
 * `elements` by any edit-link holder throws inside every client's applyUpdate, drops the rest of that
 * update from its map, and makes the board fail to open (the constructor throws too). Here entries that
 * are not `{key: string, val}` are ignored (never deleted: that is a cleanup for an edit client, not a
 * reader's job) and everything else behaves as y-utility's does.
 */

import type * as Y from 'yjs';

export interface KeyValueEntry {
  key: string;
  val: unknown;
}

export type KeyValueChange =
  | { action: 'add'; newValue: unknown }
  | { action: 'update'; oldValue: unknown; newValue: unknown }
  | { action: 'delete'; oldValue: unknown };

export type KeyValueListener = (changes: Map<string, KeyValueChange>, transaction: Y.Transaction) => void;

function isEntry(value: unknown): value is KeyValueEntry {
  return (
    typeof value === 'object' &&
    value !== null &&
    !Array.isArray(value) &&
    typeof (value as { key?: unknown }).key === 'string'
  );
}

export class BoardKeyValue {
  readonly yarray: Y.Array<unknown>;
  readonly doc: Y.Doc;
  /** The winning entry of each key (identity matters: it tells a current entry from a replaced one). */
  readonly map = new Map<string, KeyValueEntry>();
  private readonly listeners = new Set<KeyValueListener>();

  constructor(yarray: Y.Array<unknown>) {
    this.yarray = yarray;
    this.doc = yarray.doc as Y.Doc;
    const entries = yarray.toArray();
    this.doc.transact(() => {
      for (let i = entries.length - 1; i >= 0; i--) {
        const entry = entries[i];
        if (!isEntry(entry)) continue;
        if (this.map.has(entry.key)) yarray.delete(i);
        else this.map.set(entry.key, entry);
      }
    });
    yarray.observe((event, transaction) => this.integrate(event, transaction));
  }

  on(listener: KeyValueListener): void {
    this.listeners.add(listener);
  }

  off(listener: KeyValueListener): void {
    this.listeners.delete(listener);
  }

  get(key: string): unknown {
    return this.map.get(key)?.val;
  }

  set(key: string, val: unknown): void {
    this.setMany([[key, val]]);
  }

  /**
   * Sets several keys in one transaction: one pass to find their current entries and one push, so a
   * drag of many elements on a large board is not one array walk per element.
   */
  setMany(pairs: readonly (readonly [string, unknown])[]): void {
    if (pairs.length === 0) return;
    const replaced = new Set<KeyValueEntry>();
    for (const [key] of pairs) {
      const current = this.map.get(key);
      if (current !== undefined) replaced.add(current);
    }
    this.doc.transact(() => {
      if (replaced.size > 0) {
        const positions: number[] = [];
        let i = 0;
        for (const entry of this.yarray) {
          if (replaced.has(entry as KeyValueEntry)) positions.push(i);
          i++;
        }
        for (let p = positions.length - 1; p >= 0; p--) this.yarray.delete(positions[p] as number, 1);
      }
      this.yarray.push(pairs.map(([key, val]) => ({ key, val })));
    });
  }

  delete(key: string): void {
    const current = this.map.get(key);
    if (current === undefined) return;
    let i = 0;
    for (const entry of this.yarray) {
      if (entry === current) {
        this.yarray.delete(i);
        return;
      }
      i++;
    }
  }

  private integrate(event: Y.YArrayEvent<unknown>, transaction: Y.Transaction): void {
    const changes = new Map<string, KeyValueChange>();
    for (const deleted of event.changes.deleted) {
      for (const entry of deleted.content.getContent()) {
        if (isEntry(entry) && this.map.get(entry.key) === entry) {
          this.map.delete(entry.key);
          changes.set(entry.key, { action: 'delete', oldValue: entry.val });
        }
      }
    }
    const added = new Map<string, KeyValueEntry>();
    for (const item of event.changes.added) {
      for (const entry of item.content.getContent()) if (isEntry(entry)) added.set(entry.key, entry);
    }
    const toRemove = new Set<string>();
    const entries = this.yarray.toArray();
    this.doc.transact(() => {
      // Right to left: the first entry met for a key is the winner; older ones are removed.
      for (let i = entries.length - 1; i >= 0 && (added.size > 0 || toRemove.size > 0); i--) {
        const entry = entries[i];
        if (!isEntry(entry)) continue;
        if (toRemove.has(entry.key)) {
          toRemove.delete(entry.key);
          this.yarray.delete(i, 1);
        } else if (added.get(entry.key) === entry) {
          const previous = this.map.get(entry.key);
          const deletion = changes.get(entry.key);
          if (previous !== undefined) {
            toRemove.add(entry.key);
            changes.set(entry.key, { action: 'update', oldValue: previous.val, newValue: entry.val });
          } else if (deletion?.action === 'delete') {
            changes.set(entry.key, { action: 'update', oldValue: deletion.oldValue, newValue: entry.val });
          } else {
            changes.set(entry.key, { action: 'add', newValue: entry.val });
          }
          added.delete(entry.key);
          this.map.set(entry.key, entry);
        } else if (added.has(entry.key)) {
          // An added entry lost to one further right: remove it.
          toRemove.add(entry.key);
          added.delete(entry.key);
        }
      }
    });
    if (changes.size > 0) for (const listener of this.listeners) listener(changes, transaction);
  }
}
