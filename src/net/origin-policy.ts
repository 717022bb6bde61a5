import { isIP } from 'node:net';
import { hostname } from 'node:os';

/**
 * Which browser origins may talk to the hub. A request without an Origin header is not from a
 * browser page (CLI, y-websocket in Node) and passes; a browser page must be one of the hub's own
 * (same host and port) or explicitly allowed. This stops a page on another site, opened by
 * someone on the LAN, from driving the hub through their browser.
 */
export class OriginPolicy {
  private readonly allowed: Set<string>;
  private readonly ownNames: Set<string>;

  constructor(allowedOrigins: readonly string[]) {
    this.allowed = new Set(allowedOrigins.map((origin) => new URL(origin).origin));
    const name = hostname().toLowerCase();
    this.ownNames = new Set(['localhost', name, `${name}.local`]);
  }

  /** `hostHeader` is the Host the browser addressed: a page served by the hub has that origin. */
  allows(origin: string | undefined, hostHeader: string | undefined): boolean {
    if (origin === undefined) return true;
    let parsed: URL;
    try {
      parsed = new URL(origin);
    } catch {
      return false;
    }
    if (this.allowed.has(parsed.origin)) return true;
    // Same origin as the hub's own pages, addressed by IP or by this machine's own name: a page
    // of another site made to resolve to us (DNS rebinding) has neither.
    return (
      hostHeader !== undefined &&
      parsed.protocol === 'http:' &&
      parsed.host === hostHeader &&
      (isIP(parsed.hostname.replace(/^\[|\]$/g, '')) !== 0 ||
        this.ownNames.has(parsed.hostname.toLowerCase()))
    );
  }
}

/**
 * A browser request made by another site's page: Sec-Fetch-Site says so even where no Origin is
 * sent (an `<img>`, a link, a no-cors fetch). `same-site` counts too: for an address like
 * 127.0.0.1 it means another port of this machine, a different origin all the same.
 */
export function isFromAnotherSite(secFetchSite: string | string[] | undefined): boolean {
  return secFetchSite === 'cross-site' || secFetchSite === 'same-site';
}

export const ANOTHER_SITE_REFUSAL =
  "Requests made by another website's page are refused; open the hub's own pages instead.";
