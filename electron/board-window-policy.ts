/**
 * Where a board window may go. "Open board" shows the hub's own board page in a second window,
 * `http://127.0.0.1:PORT/b/{boardId}#t=…` (the hub on this machine, over loopback); that window
 * stays on exactly that origin (its page, its assets, its files endpoint), and everything else is
 * refused or, for an http(s) link, handed to the system browser. Pure: tested in Node.
 */

function parse(url: string): URL | null {
  try {
    return new URL(url);
  } catch {
    return null;
  }
}

/**
 * The origin a board window is locked to, from the URL the hub's openBoard returned; null for
 * anything that is not a board page of a hub on this machine's loopback address.
 */
export function boardWindowOrigin(url: string): string | null {
  const parsed = parse(url);
  if (parsed === null) return null;
  if (parsed.protocol !== 'http:' || parsed.hostname !== '127.0.0.1' || parsed.port === '') return null;
  if (parsed.username !== '' || parsed.password !== '') return null;
  if (!/^\/b\/[A-Za-z0-9_-]{1,64}$/.test(parsed.pathname)) return null;
  return parsed.origin;
}

/** True when `url` stays on the board window's origin (no credentials smuggled in). */
export function isBoardWindowUrl(url: string, origin: string | undefined): boolean {
  if (origin === undefined) return false;
  const parsed = parse(url);
  return parsed !== null && parsed.origin === origin && parsed.username === '' && parsed.password === '';
}
