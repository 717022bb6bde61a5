import type { ReactNode } from 'react';

/**
 * A wide table scrolls sideways inside this region instead of widening the page (800×600).
 * It is focusable so the keyboard can scroll it too.
 */
export function TableScroll({ label, children }: { label: string; children: ReactNode }): ReactNode {
  return (
    // biome-ignore lint/a11y/noNoninteractiveTabindex: a scrollable region must be reachable by keyboard
    <section className="table-scroll" aria-label={label} tabIndex={0}>
      {children}
    </section>
  );
}
