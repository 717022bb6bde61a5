/**
 * Where the app's own pages live, and which URLs may leave it. The window only ever shows
 * `app://boardhub/…` (served from dist/renderer by app-protocol.ts); every other URL is either an
 * external http(s) link, handed to the system browser, or refused. Pure: tested in Node.
 */
export const APP_SCHEME = 'app';
export const APP_HOST = 'boardhub';
export const APP_START_URL = `${APP_SCHEME}://${APP_HOST}/`;

function parse(url: string): URL | null {
  try {
    return new URL(url);
  } catch {
    return null;
  }
}

/** True for `app://boardhub/…` exactly: no other host, no port, no credentials. */
export function isAppUrl(url: string): boolean {
  const parsed = parse(url);
  return (
    parsed !== null &&
    parsed.protocol === `${APP_SCHEME}:` &&
    parsed.hostname === APP_HOST &&
    parsed.port === '' &&
    parsed.username === '' &&
    parsed.password === ''
  );
}

/**
 * The URL to give the system browser for a link the page tried to open, or null when it must not
 * leave the app at all (file:, javascript:, custom protocols that would launch other programs).
 */
export function externalLinkTarget(url: string): string | null {
  const parsed = parse(url);
  if (parsed === null) return null;
  if (parsed.protocol !== 'http:' && parsed.protocol !== 'https:') return null;
  if (parsed.username !== '' || parsed.password !== '') return null;
  return parsed.href;
}
