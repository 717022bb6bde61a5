/**
 * What a Yjs update adds and what it builds on, as recorded by assertWellFormedUpdate's walk of
 * its bytes (no Item objects built). With it the hub can tell, without applying the update,
 * whether the update extends a doc exactly: everything in it is new, and nothing of it would be
 * left waiting for a missing dependency. No I/O here.
 */
export class UpdateShape {
  /**
   * Per client of the update: client, first clock, end clock (exclusive), flat. A skip struct
   * splits a client's structs into two runs.
   */
  readonly runs: number[] = [];
  /**
   * Ids the update's items point at (left and right origin, parent item): client, clock, then
   * the pointing item's own client and clock, flat, in the order of the update.
   */
  readonly references: number[] = [];
  /** Deleted ranges: client, clock, end (exclusive), flat. */
  readonly deletions: number[] = [];
  /** A skip struct marks a gap in a client's clocks: what follows it cannot integrate yet. */
  hasSkips = false;
}

/** A client's state in the doc: the clock its next struct must start at. */
export type ClientState = (client: number) => number;

/**
 * True when applying the update to a doc with these client states adds every struct it carries
 * and leaves nothing pending or unresolvable. Deliberately narrow, the shape of a live edit: the
 * structs of exactly one client, starting exactly at the doc's state for it (nothing already
 * known, no gap, no skips); items that point at the doc's items or at earlier items of their own
 * run; deletions within what the doc and the update hold. Deleting what is already deleted is
 * allowed (it changes nothing). False is no verdict on validity: such updates go the general way
 * (applied first, and re-encoded by the doc).
 */
export function extendsExactly(shape: UpdateShape, state: ClientState): boolean {
  const { runs, references, deletions } = shape;
  if (runs.length !== 3 || shape.hasSkips) return false;
  const [client, first, end] = runs as [number, number, number];
  if (first !== state(client) || end <= first) return false;
  for (let i = 0; i < references.length; i += 4) {
    const target = references[i] as number;
    const clock = references[i + 1] as number;
    // Yjs itself does not wait for an item's own client's dependencies: they must precede it.
    const limit = target === client ? (references[i + 3] as number) : state(target);
    if (clock >= limit) return false;
  }
  for (let i = 0; i < deletions.length; i += 3) {
    const target = deletions[i] as number;
    if ((deletions[i + 2] as number) > (target === client ? end : state(target))) return false;
  }
  return true;
}

/** An id the update needs and neither the doc nor the update can supply. */
export interface MissingDependency {
  client: number;
  clock: number;
}

/**
 * What applying the update to a doc with these client states would leave waiting (Yjs keeps
 * such structs and deletions pending, unbroadcast, until a dependency arrives), or null if
 * everything in it integrates. Decided on the shape alone, before the update touches the doc:
 * each run advances struct by struct while the run continues what is known and its items point
 * at known ids, known growing as runs advance, until no run moves (a dependency of one client
 * on another's run in the same update resolves in any order, as Yjs's own integration does).
 * Then every deletion must fall within what is known.
 */
export function missingDependency(shape: UpdateShape, state: ClientState): MissingDependency | null {
  const { runs, references, deletions } = shape;
  const known = new Map<number, number>();
  const knownOf = (client: number): number => known.get(client) ?? state(client);
  const runCount = runs.length / 3;
  // Per run, its references' range in `references` (they come in run order) and its progress.
  const refStart: number[] = new Array(runCount);
  const refEnd: number[] = new Array(runCount);
  const reached: number[] = new Array(runCount);
  let ref = 0;
  for (let r = 0; r < runCount; r++) {
    const client = runs[r * 3] as number;
    const end = runs[r * 3 + 2] as number;
    refStart[r] = ref;
    while (
      ref < references.length &&
      references[ref + 2] === client &&
      (references[ref + 3] as number) < end
    ) {
      ref += 4;
    }
    refEnd[r] = ref;
    reached[r] = runs[r * 3 + 1] as number;
  }
  let open = runCount;
  let moved = true;
  while (open > 0 && moved) {
    moved = false;
    for (let r = 0; r < runCount; r++) {
      const client = runs[r * 3] as number;
      const end = runs[r * 3 + 2] as number;
      let at = reached[r] as number;
      if (at >= end || at > knownOf(client)) continue;
      let next = refStart[r] as number;
      const last = refEnd[r] as number;
      let blocked = false;
      for (; next < last; next += 4) {
        const itemClock = references[next + 3] as number;
        const target = references[next] as number;
        const clock = references[next + 1] as number;
        // Structs before itemClock are in: they count as known for what follows in this run.
        if (itemClock > at) at = itemClock;
        const limit = target === client ? Math.max(knownOf(client), at) : knownOf(target);
        if (clock >= limit) {
          blocked = true;
          break;
        }
      }
      refStart[r] = next;
      const progress = blocked ? at : end;
      if (progress > (reached[r] as number) || !blocked) moved = true;
      reached[r] = progress;
      if (progress > knownOf(client)) known.set(client, progress);
      if (!blocked) {
        reached[r] = end;
        open--;
      }
    }
  }
  for (let r = 0; r < runCount; r++) {
    const client = runs[r * 3] as number;
    if ((reached[r] as number) < (runs[r * 3 + 2] as number)) {
      const at = reached[r] as number;
      const next = refStart[r] as number;
      // The run waits either for its own earlier clocks or for what its next item points at.
      if (at > knownOf(client) || next >= (refEnd[r] as number)) return { client, clock: knownOf(client) };
      return { client: references[next] as number, clock: references[next + 1] as number };
    }
  }
  for (let i = 0; i < deletions.length; i += 3) {
    const target = deletions[i] as number;
    if ((deletions[i + 2] as number) > knownOf(target)) return { client: target, clock: knownOf(target) };
  }
  return null;
}
