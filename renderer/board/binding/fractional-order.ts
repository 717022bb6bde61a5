/**
 * @module fractional-order
 * Orders elements by Excalidraw's fractional `index` and repairs duplicate or invalid indices the same
 * way on every client. Two clients inserting at one spot at once give two elements one index; a hostile
 * or old client may give none. The repair is a pure function of the stored elements (sorted by index,
 * then id, comparing UTF-16 code units as Excalidraw does), so every replica computes the same order.
 */

import { generateKeyBetween, generateNKeysBetween } from 'fractional-indexing';

interface Indexed {
  readonly id: string;
  readonly index: string | null;
}

/** A fractional index fractional-indexing (and so Excalidraw) accepts. */
export function isValidFractionalIndex(index: unknown): index is string {
  if (typeof index !== 'string' || index.length === 0) return false;
  try {
    generateKeyBetween(index, null);
    return true;
  } catch {
    return false;
  }
}

function compareCodeUnits(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

function compareForOrder(a: Indexed, b: Indexed, valid: ReadonlySet<Indexed>): number {
  const aValid = valid.has(a);
  const bValid = valid.has(b);
  // Elements without a usable index go last, ordered by id, like Excalidraw appends new ones.
  if (aValid !== bValid) return aValid ? -1 : 1;
  if (aValid && bValid) {
    const byIndex = compareCodeUnits(a.index as string, b.index as string);
    if (byIndex !== 0) return byIndex;
  }
  return compareCodeUnits(a.id, b.id);
}

/**
 * The elements in display order with strictly increasing valid indices: returns the ordered list
 * and, by id, the new index of each element whose stored index had to change.
 */
export function orderAndRepair<T extends Indexed>(
  elements: readonly T[],
): { ordered: T[]; repaired: Map<string, string> } {
  // Validity once per element, not once per comparison: a sort makes n·log n of them.
  const valid = new Set<Indexed>(elements.filter((element) => isValidFractionalIndex(element.index)));
  const ordered = [...elements].sort((a, b) => compareForOrder(a, b, valid));
  const repaired = new Map<string, string>();
  let previous: string | null = null;
  let position = 0;
  while (position < ordered.length) {
    const current = ordered[position] as T;
    if (valid.has(current) && (previous === null || (current.index as string) > previous)) {
      previous = current.index as string;
      position++;
      continue;
    }
    // A run of elements needing a new index ends at the next element whose index is above `previous`.
    let runEnd = position;
    while (runEnd < ordered.length) {
      const next = ordered[runEnd] as T;
      if (valid.has(next) && (previous === null || (next.index as string) > previous)) break;
      runEnd++;
    }
    const upper = runEnd < ordered.length ? ((ordered[runEnd] as T).index as string) : null;
    const keys = generateNKeysBetween(previous, upper, runEnd - position);
    for (const [offset, key] of keys.entries()) {
      repaired.set((ordered[position + offset] as T).id, key);
    }
    previous = keys[keys.length - 1] ?? previous;
    position = runEnd;
  }
  return { ordered, repaired };
}
