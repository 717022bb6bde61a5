import { networkInterfaces } from 'node:os';

/**
 * The address a guest should use. A hub bound to a wildcard address is reached through a LAN
 * address of this machine; otherwise through the address it is bound to.
 */
export function reachableHost(boundHost: string): string {
  if (boundHost !== '0.0.0.0' && boundHost !== '::') return boundHost;
  for (const addresses of Object.values(networkInterfaces())) {
    for (const address of addresses ?? []) {
      if (address.family === 'IPv4' && !address.internal) return address.address;
    }
  }
  return '127.0.0.1';
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
