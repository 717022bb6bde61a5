import * as Y from 'yjs';

/**
 * Does an update change only one root type of a doc (e.g. `comments`)? Decided on the decoded
 * update, against the doc it is about to be applied to, without applying it. No I/O.
 *
 * Every new item lands in the list of some type; we find that type's root the way Yjs will when
 * it integrates the item: an explicit parent (a root name, or the id of a type item), otherwise the
 * parent of its left (origin) or right (rightOrigin) neighbour. Ids are looked up in the doc when
 * it has that clock, else among the update's own new structs (whose place is found first, with an
 * explicit stack: no recursion, cycles end as unknown). A neighbour or parent that Yjs would find
 * garbage-collected turns the item into a GC struct with no content: harmless. Every deleted range
 * must fall on items of the same root (or on nothing: GC, already deleted).
 *
 * Conservative: anything that cannot be resolved now (a missing dependency, a gap in a client's
 * clocks, a deletion of items nobody has sent, a client listed twice) is "no", because Yjs would
 * keep it pending and integrate it later against a doc we did not check. Updates that are
 * already fully in the doc are ignored, so a reconnect's resent state passes.
 */

/** Where an item lands: under a root type, nowhere (Yjs turns it into GC), or we cannot tell. */
type Place = { kind: 'root'; name: string } | { kind: 'discarded' } | { kind: 'unknown' };

const DISCARDED: Place = { kind: 'discarded' };
const UNKNOWN: Place = { kind: 'unknown' };

/** Types nest this deep at most before we stop walking (a guard, real boards are shallow). */
const MAX_NESTING = 10_000;

type Struct = Y.Item | Y.GC;

/** The struct holding an id: from the doc (already integrated) or one of the update's new ones. */
type Found = { from: 'doc' | 'update'; struct: Struct } | null;

export function updateTouchesOnlyRoot(doc: Y.Doc, update: Uint8Array, rootName: string): boolean {
  try {
    return new ScopeCheck(doc, rootName).allows(update);
  } catch {
    // Undecodable (or something we did not foresee): not allowed; the caller decides what else.
    return false;
  }
}

class ScopeCheck {
  /** Per client, the update's structs the doc does not have yet, in clock order, gap-free. */
  private readonly newStructs = new Map<number, Struct[]>();
  private readonly newItemPlaces = new Map<Y.Item, Place>();
  private readonly typeRoots = new Map<Y.AbstractType<unknown>, Place>();

  constructor(
    private readonly doc: Y.Doc,
    private readonly rootName: string,
  ) {}

  allows(update: Uint8Array): boolean {
    const { structs, ds } = Y.decodeUpdate(update);
    if (!this.collectNewStructs(structs)) return false;
    for (const [client, list] of this.newStructs) {
      const docState = this.docState(client);
      for (const struct of list) {
        if (!(struct instanceof Y.Item)) continue; // GC: no content, no parent
        const place = this.placeOfNewItem(struct);
        if (place.kind === 'discarded') continue;
        if (!this.isOurRoot(place)) return false;
        // Yjs integrates only the part the doc lacks, to the right of the doc's last struct of
        // that client: that struct must live under our root too.
        if (struct.id.clock < docState && !this.isOurRoot(this.placeOfDocNeighbour(client, docState - 1))) {
          return false;
        }
      }
    }
    for (const [client, deletions] of ds.clients) {
      for (const { clock, len } of deletions) {
        if (!this.deletionAllowed(client, clock, clock + len)) return false;
      }
    }
    return true;
  }

  /** Keeps what the doc lacks; false for a client listed twice or a gap (pending structs). */
  private collectNewStructs(structs: ReadonlyArray<Y.Item | Y.GC | Y.Skip>): boolean {
    const seenClients = new Set<number>();
    let client: number | null = null;
    let docState = 0;
    let covered = 0;
    let list: Struct[] = [];
    for (const struct of structs) {
      if (struct.id.client !== client) {
        client = struct.id.client;
        // Yjs keeps only the last block of a client; one that appears twice was crafted.
        if (seenClients.has(client)) return false;
        seenClients.add(client);
        docState = this.docState(client);
        covered = docState;
        list = [];
        this.newStructs.set(client, list);
      }
      if (struct instanceof Y.Skip) continue;
      const end = struct.id.clock + struct.length;
      if (end <= docState) continue; // the doc has all of it: applying it changes nothing
      if (struct.id.clock > covered) return false;
      covered = end;
      list.push(struct);
    }
    return true;
  }

  /** A deleted range must touch only items under our root (or nothing left to delete). */
  private deletionAllowed(client: number, start: number, end: number): boolean {
    const docState = this.docState(client);
    const list = this.newStructs.get(client);
    const last = list?.[list.length - 1];
    const covered = last ? last.id.clock + last.length : docState;
    // Beyond what anyone sent: Yjs would keep it and delete whatever arrives there later.
    if (end > covered) return false;
    // New structs were all checked already; only the doc's items remain.
    if (start >= docState) return true;
    const structs = this.doc.store.clients.get(client);
    if (structs === undefined) return false;
    const limit = Math.min(end, docState);
    for (let index = Y.findIndexSS(structs, start); index < structs.length; index++) {
      const struct = structs[index];
      if (struct === undefined || struct.id.clock >= limit) break;
      if (!(struct instanceof Y.Item) || struct.deleted) continue;
      if (!this.isOurRoot(this.placeOfDocItem(struct))) return false;
    }
    return true;
  }

  /** Resolves a new item's place after those of the new items it depends on (explicit stack). */
  private placeOfNewItem(start: Y.Item): Place {
    const known = this.newItemPlaces.get(start);
    if (known) return known;
    const stack: Y.Item[] = [start];
    const onStack = new Set<Y.Item>(stack);
    for (let top = stack.at(-1); top !== undefined; top = stack.at(-1)) {
      const waitingFor = this.unresolvedDependency(top);
      if (waitingFor !== null && !onStack.has(waitingFor)) {
        stack.push(waitingFor);
        onStack.add(waitingFor);
        continue;
      }
      // A dependency already on the stack is a cycle: Yjs could never integrate it.
      this.newItemPlaces.set(top, waitingFor === null ? this.placeOfResolvedItem(top) : UNKNOWN);
      stack.pop();
      onStack.delete(top);
    }
    return this.newItemPlaces.get(start) ?? UNKNOWN;
  }

  private unresolvedDependency(item: Y.Item): Y.Item | null {
    for (const id of dependencies(item)) {
      const found = this.find(id);
      if (
        found?.from === 'update' &&
        found.struct instanceof Y.Item &&
        !this.newItemPlaces.has(found.struct)
      ) {
        return found.struct;
      }
    }
    return null;
  }

  /** As Item.getMissing does: GC neighbours discard it, else explicit or inherited parent. */
  private placeOfResolvedItem(item: Y.Item): Place {
    const places: Place[] = [];
    if (item.origin) places.push(this.placeAsNeighbour(item.origin));
    if (item.rightOrigin) places.push(this.placeAsNeighbour(item.rightOrigin));
    const parent: unknown = item.parent;
    if (typeof parent === 'string') places.push({ kind: 'root', name: parent });
    else if (parent instanceof Y.ID) places.push(this.placeAsParent(parent));
    else if (parent !== null) return UNKNOWN;
    return agree(places);
  }

  private placeAsNeighbour(id: Y.ID): Place {
    const found = this.find(id);
    if (found === null) return UNKNOWN;
    if (!(found.struct instanceof Y.Item)) return DISCARDED;
    return found.from === 'doc'
      ? this.placeOfDocItem(found.struct)
      : this.placeOfSettledNewItem(found.struct);
  }

  /** The parent's content must be a type; a deleted one (ContentDeleted) discards the child. */
  private placeAsParent(id: Y.ID): Place {
    const found = this.find(id);
    if (found === null) return UNKNOWN;
    const parent = found.struct;
    if (!(parent instanceof Y.Item)) return DISCARDED;
    if (parent.content instanceof Y.ContentDeleted) return DISCARDED;
    if (!(parent.content instanceof Y.ContentType)) return UNKNOWN;
    return found.from === 'doc' ? this.placeOfDocItem(parent) : this.placeOfSettledNewItem(parent);
  }

  /** A new item whose place was resolved before (a dependency); discarded ones end up as GC. */
  private placeOfSettledNewItem(item: Y.Item): Place {
    return this.newItemPlaces.get(item) ?? UNKNOWN;
  }

  private placeOfDocNeighbour(client: number, clock: number): Place {
    const found = this.find(Y.createID(client, clock));
    return found?.from === 'doc' && found.struct instanceof Y.Item
      ? this.placeOfDocItem(found.struct)
      : UNKNOWN;
  }

  /** An integrated item's parent is a type: walk up to the root and name it. */
  private placeOfDocItem(item: Y.Item): Place {
    const parent: unknown = item.parent;
    return parent instanceof Y.AbstractType ? this.rootOfType(parent) : UNKNOWN;
  }

  private rootOfType(start: Y.AbstractType<unknown>): Place {
    const cached = this.typeRoots.get(start);
    if (cached) return cached;
    let place: Place = UNKNOWN;
    let type = start;
    for (let depth = 0; depth < MAX_NESTING; depth++) {
      const item = type._item;
      if (item === null) {
        const name = rootKey(this.doc, type);
        place = name === null ? UNKNOWN : { kind: 'root', name };
        break;
      }
      const parent: unknown = item.parent;
      if (!(parent instanceof Y.AbstractType)) break;
      type = parent;
    }
    this.typeRoots.set(start, place);
    return place;
  }

  /** The doc's struct when the doc has that clock, else the update's new one holding it. */
  private find(id: Y.ID): Found {
    if (id.clock < this.docState(id.client)) {
      const structs = this.doc.store.clients.get(id.client);
      const struct = structs?.[Y.findIndexSS(structs, id.clock)];
      return struct ? { from: 'doc', struct } : null;
    }
    const struct = findHolding(this.newStructs.get(id.client) ?? [], id.clock);
    return struct ? { from: 'update', struct } : null;
  }

  private docState(client: number): number {
    return Y.getState(this.doc.store, client);
  }

  private isOurRoot(place: Place): boolean {
    return place.kind === 'root' && place.name === this.rootName;
  }
}

function dependencies(item: Y.Item): Y.ID[] {
  const ids: Y.ID[] = [];
  if (item.origin) ids.push(item.origin);
  if (item.rightOrigin) ids.push(item.rightOrigin);
  const parent: unknown = item.parent;
  if (parent instanceof Y.ID) ids.push(parent);
  return ids;
}

/**
 * All the ways an item names its place must agree. Unknown wins, then a GC neighbour or parent
 * (Yjs discards the item), then the roots must be one. Stricter than Yjs, which takes the left
 * neighbour's parent first: an item between two roots is crafted, never sent by a real client.
 */
function agree(places: readonly Place[]): Place {
  if (places.some((p) => p.kind === 'unknown')) return UNKNOWN;
  if (places.some((p) => p.kind === 'discarded')) return DISCARDED;
  let name: string | null = null;
  for (const place of places) {
    if (place.kind !== 'root') continue;
    if (name !== null && place.name !== name) return UNKNOWN;
    name = place.name;
  }
  return name === null ? UNKNOWN : { kind: 'root', name };
}

function rootKey(doc: Y.Doc, type: Y.AbstractType<unknown>): string | null {
  for (const [key, value] of doc.share) if (value === type) return key;
  return null;
}

/** Binary search in clock-ordered, gap-free structs. */
function findHolding(structs: readonly Struct[], clock: number): Struct | null {
  let low = 0;
  let high = structs.length - 1;
  while (low <= high) {
    const middle = (low + high) >> 1;
    const struct = structs[middle];
    if (struct === undefined) return null;
    if (clock < struct.id.clock) high = middle - 1;
    else if (clock >= struct.id.clock + struct.length) low = middle + 1;
    else return struct;
  }
  return null;
}
