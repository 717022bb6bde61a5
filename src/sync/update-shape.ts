/**
 * What a Yjs update adds and what it builds on, as recorded by assertWellFormedUpdate's walk of
 * its bytes (no Item objects built). With it the hub can tell, without applying the update,
 * whether the update extends a doc exactly: everything in it is new, and nothing of it would be
 * left waiting for a missing dependency. No I/O here.
 */
export class UpdateShape {
  /** Per client of the update: client, first clock, end clock (exclusive), flat. */
  readonly runs: number[] = [];
  /**
   * Ids the update's items point at (left and right origin, parent item): client, clock, and the
   * clock of the pointing item itself, flat.
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
  for (let i = 0; i < references.length; i += 3) {
    const target = references[i] as number;
    const clock = references[i + 1] as number;
    // Yjs itself does not wait for an item's own client's dependencies: they must precede it.
    const limit = target === client ? (references[i + 2] as number) : state(target);
    if (clock >= limit) return false;
  }
  for (let i = 0; i < deletions.length; i += 3) {
    const target = deletions[i] as number;
    if ((deletions[i + 2] as number) > (target === client ? end : state(target))) return false;
  }
  return true;
}
