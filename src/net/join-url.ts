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

export function httpBaseUrl(host: string, port: number): string {
  return `http://${hostForUrl(reachableHost(host))}:${port}`;
}

export function boardSocketUrl(host: string, port: number, boardId: string, token: string): string {
  return `ws://${hostForUrl(reachableHost(host))}:${port}${BOARD_PATH_PREFIX}${encodeURIComponent(boardId)}?token=${encodeURIComponent(token)}`;
}
