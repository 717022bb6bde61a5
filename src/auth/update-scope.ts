import * as decoding from 'lib0/decoding';
import * as Y from 'yjs';

/**
 * Does an update change only one root type of a doc (e.g. `comments`)? Decided on the decoded
 * update, against the doc it is about to be applied to, without applying it. No I/O.
 *
 * Every new item lands in the list (or map key) of some type; we find that place the way Yjs's
 * Item.getMissing will when it integrates the item: an explicit parent (a root name, or the id of
 * a type item), otherwise the parent of its left (origin) or right (rightOrigin) neighbour. Ids are
 * looked up in the doc when it has that clock, else among the update's own new structs (placed
 * first, with an explicit stack: no recursion, and a cycle ends as unknown). A neighbour or parent
 * Yjs finds garbage-collected turns the item into a GC struct with no content: harmless. Every
 * deleted range must fall on items under the same root, or on nothing left to delete.
 *
 * Conservative: anything that cannot be placed now (a missing dependency, a gap in a client's
 * clocks, a deletion of items nobody has sent, a client listed twice or empty, neighbours in
 * different places) is "no", because Yjs would keep it pending and integrate it later against a doc we did
 * not check, or it is crafted. Structs the doc already has are ignored, so a reconnect's resent
 * state passes.
 */

/**
 * Where an item lands: a list (an existing type, the new item that will carry a new type, or the
 * name of a root the doc has not opened yet) and map key, under a root; or nowhere, because Yjs
 * turns it into GC; or we cannot tell.
 */
type Place =
  | { kind: 'placed'; root: string; list: List; key: string | null }
  | { kind: 'discarded' }
  | { kind: 'unknown' };

/** A list's identity only: a Y.AbstractType, a Y.Item carrying a new type, or a root's name. */
type List = object | string;

/** What we read of a type to find its root. */
interface TypeNode {
  _item: Y.Item | null;
}

const DISCARDED: Place = { kind: 'discarded' };
const UNKNOWN: Place = { kind: 'unknown' };

/** Types nest this deep at most before we stop walking (a guard; real boards are shallow). */
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
  private readonly typeRoots = new Map<TypeNode, string | null>();

  constructor(
    private readonly doc: Y.Doc,
    private readonly rootName: string,
  ) {}

  allows(update: Uint8Array): boolean {
    const { structs, ds } = Y.decodeUpdate(update);
    if (!this.collectNewStructs(structs, decoding.readVarUint(decoding.createDecoder(update)))) return false;
    for (const [client, list] of this.newStructs) {
      for (const struct of list) {
        if (struct instanceof Y.Item && !this.newItemAllowed(struct, client)) return false;
        // A GC struct has no content and no parent.
      }
    }
    for (const [client, deletions] of ds.clients) {
      for (const { clock, len } of deletions) {
        if (!this.deletionAllowed(client, clock, clock + len)) return false;
      }
    }
    return true;
  }

  /**
   * Keeps what the doc lacks; false for a gap (pending structs) or a client listed twice or with
   * no structs (Yjs keeps only a client's last block, so an empty one erases an earlier one, and
   * what depended on it would wait as pending). `blocks` is the count the update starts with.
   */
  private collectNewStructs(structs: ReadonlyArray<Y.Item | Y.GC | Y.Skip>, blocks: number): boolean {
    const seenClients = new Set<number>();
    let client: number | null = null;
    let docState = 0;
    let covered = 0;
    let list: Struct[] = [];
    for (const struct of structs) {
      if (struct.id.client !== client) {
        client = struct.id.client;
        // Only crafted updates list a client twice.
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
    return seenClients.size === blocks;
  }

  private newItemAllowed(item: Y.Item, client: number): boolean {
    const place = this.placeOfNewItem(item);
    if (place.kind === 'discarded') return true;
    if (place.kind !== 'placed' || place.root !== this.rootName) return false;
    const docState = this.docState(client);
    if (item.id.clock >= docState) return true;
    // The doc has the start of this struct: Yjs integrates the rest right after the doc's last
    // struct of that client, so that one must sit in the very same place.
    const found = this.find(Y.createID(client, docState - 1));
    const before = found?.from === 'doc' ? found.struct : null;
    return before instanceof Y.Item && before.parent === place.list && before.parentSub === place.key;
  }

  /** A deleted range must touch only items under our root (or nothing left to delete). */
  private deletionAllowed(client: number, start: number, end: number): boolean {
    const docState = this.docState(client);
    const list = this.newStructs.get(client);
    const last = list?.at(-1);
    const covered = last ? last.id.clock + last.length : docState;
    // Beyond what anyone sent: Yjs would keep it and delete whatever arrives there later.
    if (end > covered) return false;
    // The update's new items were all checked already; only the doc's items remain.
    if (start >= docState) return true;
    const structs = this.doc.store.clients.get(client);
    if (structs === undefined) return false;
    const limit = Math.min(end, docState);
    for (let index = Y.findIndexSS(structs, start); index < structs.length; index++) {
      const struct = structs[index];
      if (struct === undefined || struct.id.clock >= limit) break;
      if (!(struct instanceof Y.Item) || struct.deleted) continue;
      const place = this.placeOfDocItem(struct);
      if (place.kind !== 'placed' || place.root !== this.rootName) return false;
    }
    return true;
  }

  /** Places a new item after the new items it depends on (explicit stack, memoized). */
  private placeOfNewItem(start: Y.Item): Place {
    const known = this.newItemPlaces.get(start);
    if (known) return known;
    const stack: Y.Item[] = [start];
    const onStack = new Set<Y.Item>(stack);
    for (let top = stack.at(-1); top !== undefined; top = stack.at(-1)) {
      const waitingFor = this.unplacedDependency(top);
      if (waitingFor !== null && !onStack.has(waitingFor)) {
        stack.push(waitingFor);
        onStack.add(waitingFor);
        continue;
      }
      // A dependency already on the stack is a cycle: Yjs could never integrate it.
      this.newItemPlaces.set(
        top,
        waitingFor === null ? this.placeOfItemWithPlacedDependencies(top) : UNKNOWN,
      );
      stack.pop();
      onStack.delete(top);
    }
    return this.newItemPlaces.get(start) ?? UNKNOWN;
  }

  private unplacedDependency(item: Y.Item): Y.Item | null {
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

  /** As Item.getMissing: a GC neighbour or parent discards it; else explicit or inherited parent. */
  private placeOfItemWithPlacedDependencies(item: Y.Item): Place {
    const places: Place[] = [];
    if (item.origin) places.push(this.placeOfNeighbour(item.origin));
    if (item.rightOrigin) places.push(this.placeOfNeighbour(item.rightOrigin));
    const parent: unknown = item.parent;
    if (typeof parent === 'string') {
      places.push({
        kind: 'placed',
        root: parent,
        list: this.doc.share.get(parent) ?? parent,
        key: item.parentSub,
      });
    } else if (parent instanceof Y.ID) {
      places.push(this.placeAsChildOf(parent, item.parentSub));
    } else if (parent !== null) {
      return UNKNOWN;
    }
    return agree(places);
  }

  /** A neighbour's place is the item's place: same list, same map key. */
  private placeOfNeighbour(id: Y.ID): Place {
    const found = this.find(id);
    if (found === null) return UNKNOWN;
    const { struct } = found;
    if (!(struct instanceof Y.Item)) return DISCARDED;
    return found.from === 'doc' ? this.placeOfDocItem(struct) : (this.newItemPlaces.get(struct) ?? UNKNOWN);
  }

  /** The parent's content must be a type; a deleted one (ContentDeleted) discards the child. */
  private placeAsChildOf(id: Y.ID, key: string | null): Place {
    const found = this.find(id);
    if (found === null) return UNKNOWN;
    const parent = found.struct;
    if (!(parent instanceof Y.Item)) return DISCARDED;
    if (parent.content instanceof Y.ContentDeleted) return DISCARDED;
    if (!(parent.content instanceof Y.ContentType)) return UNKNOWN;
    if (found.from === 'doc') {
      const type = parent.content.type;
      const root = this.rootOfType(type);
      return root === null ? UNKNOWN : { kind: 'placed', root, list: type, key };
    }
    // A type this update creates: known by the item that carries it.
    const place = this.newItemPlaces.get(parent) ?? UNKNOWN;
    return place.kind === 'placed' ? { kind: 'placed', root: place.root, list: parent, key } : place;
  }

  /** An integrated item's parent is a type: its list; walk up to name the root. */
  private placeOfDocItem(item: Y.Item): Place {
    const parent: unknown = item.parent;
    if (!(parent instanceof Y.AbstractType)) return UNKNOWN;
    const root = this.rootOfType(parent);
    return root === null ? UNKNOWN : { kind: 'placed', root, list: parent, key: item.parentSub };
  }

  private rootOfType(start: TypeNode): string | null {
    const cached = this.typeRoots.get(start);
    if (cached !== undefined) return cached;
    let root: string | null = null;
    let type = start;
    for (let depth = 0; depth < MAX_NESTING; depth++) {
      const item = type._item;
      if (item === null) {
        root = rootKey(this.doc, type);
        break;
      }
      const parent: unknown = item.parent;
      if (!(parent instanceof Y.AbstractType)) break;
      type = parent;
    }
    this.typeRoots.set(start, root);
    return root;
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
 * Every way an item names its place must agree. Unknown wins, then a GC neighbour or parent
 * (Yjs discards the item), then all must be the same list and key. Stricter than Yjs, which
 * takes the left neighbour's parent first: a real client's neighbours always share a list.
 */
function agree(places: readonly Place[]): Place {
  if (places.some((p) => p.kind === 'unknown')) return UNKNOWN;
  if (places.some((p) => p.kind === 'discarded')) return DISCARDED;
  let agreed: Place = UNKNOWN;
  for (const place of places) {
    if (place.kind !== 'placed') return UNKNOWN;
    if (agreed.kind === 'placed' && (agreed.list !== place.list || agreed.key !== place.key)) return UNKNOWN;
    agreed = place;
  }
  return agreed;
}

function rootKey(doc: Y.Doc, type: TypeNode): string | null {
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
