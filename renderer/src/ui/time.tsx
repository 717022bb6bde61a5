import { createContext, type ReactNode, useContext, useEffect, useState } from 'react';

/** One clock for every relative date on screen, ticking often enough for "x minutes ago". */
export const NowContext = createContext<number>(Date.now());

export function NowProvider({ children }: { children: ReactNode }): ReactNode {
  const [now, setNow] = useState(Date.now);
  useEffect(() => {
    const timer = setInterval(() => setNow(Date.now()), 15_000);
    return () => clearInterval(timer);
  }, []);
  return <NowContext value={now}>{children}</NowContext>;
}

const relative = new Intl.RelativeTimeFormat(undefined, { numeric: 'auto' });
const absolute = new Intl.DateTimeFormat(undefined, { dateStyle: 'medium', timeStyle: 'medium' });

const UNITS: Array<[Intl.RelativeTimeFormatUnit, number]> = [
  ['year', 365 * 24 * 3600_000],
  ['month', 30 * 24 * 3600_000],
  ['day', 24 * 3600_000],
  ['hour', 3600_000],
  ['minute', 60_000],
];

export function formatRelative(ts: number, now: number): string {
  const delta = ts - now;
  if (Math.abs(delta) < 45_000) return delta > 0 ? 'in a moment' : 'just now';
  for (const [unit, size] of UNITS) {
    if (Math.abs(delta) >= size) return relative.format(Math.round(delta / size), unit);
  }
  return relative.format(Math.round(delta / 60_000), 'minute');
}

export const formatAbsolute = (ts: number): string => absolute.format(ts);

/** "3 minutes ago", with the exact date and time on hover and for assistive technology. */
export function RelativeTime({ ts }: { ts: number }): ReactNode {
  // The shared clock ticks every 15 s; a row that arrived since must not read as "in a moment".
  const now = Math.max(useContext(NowContext), Date.now());
  const exact = formatAbsolute(ts);
  return (
    <time dateTime={new Date(ts).toISOString()} title={exact}>
      {formatRelative(ts, now)}
    </time>
  );
}
