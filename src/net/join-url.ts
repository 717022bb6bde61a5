import { hostname, networkInterfaces } from 'node:os';
import { hostLabel, isLoopbackHost, preferredAddress } from './lan/interfaces.js';
import type { AdvertisedAddress } from './lan/types.js';

/**
 * The address a guest should use. A hub bound to a wildcard address is reached through a LAN
 * address of this machine (the preferred one of the interfaces it announces on: never a docker
 * or VPN address when a real LAN is there); otherwise through the address it is bound to.
 */
export function reachableHost(boundHost: string, interfacePicks: readonly string[] = []): string {
  return preferredAddress(networkInterfaces(), { boundHost, picks: interfacePicks });
}

/** This machine's mDNS name, `NAME.local`; resolvable on the LAN while the hub announces itself. */
export function localHostname(): string {
  return `${hostLabel(hostname())}.local`;
}

/**
 * Where links should point: the reachable address, and the `.local` name as an alternative when
 * mDNS is on (a guest whose network renumbers keeps a working link; phones resolve `.local`).
 */
export function advertisedAddress(
  boundHost: string,
  interfacePicks: readonly string[],
  mdns: boolean,
): AdvertisedAddress {
  const host = reachableHost(boundHost, interfacePicks);
  return { host, alternatives: mdns && !isLoopbackHost(host) ? [localHostname()] : [] };
}

function hostForUrl(host: string): string {
  return host.includes(':') ? `[${host}]` : host;
}

export const BOARD_PATH_PREFIX = '/ws/canvas/';
/** Where a board's page lives: `/b/{boardId}` (served by board-page-routes.ts). */
export const BOARD_PAGE_PREFIX = '/b/';

export function httpBaseUrl(host: string, port: number): string {
  return `http://${hostForUrl(reachableHost(host))}:${port}`;
}

/**
 * The board's page, what people open: the token rides in the fragment, which a browser never
 * sends in a request line, a log or a Referer; the page hands it to the WebSocket itself.
 */
export function boardPageUrl(host: string, port: number, boardId: string, token: string): string {
  return `${httpBaseUrl(host, port)}${BOARD_PAGE_PREFIX}${encodeURIComponent(boardId)}#t=${encodeURIComponent(token)}`;
}

/** The board's WebSocket with its token in the query: for programs (a stock y-websocket client). */
export function boardSocketUrl(host: string, port: number, boardId: string, token: string): string {
  return `ws://${hostForUrl(reachableHost(host))}:${port}${BOARD_PATH_PREFIX}${encodeURIComponent(boardId)}?token=${encodeURIComponent(token)}`;
}
