import type { HubOverview } from '../../../src/client/hub-client';

/** Where guests reach the hub, "192.168.1.20:7420": listenHost may or may not carry the port. */
export function lanAddress(overview: Pick<HubOverview, 'listenHost' | 'port'>): string {
  const host = overview.listenHost;
  const hasPort = /^[^:]+:\d+$/.test(host) || /^\[.*\]:\d+$/.test(host);
  if (hasPort) return host;
  return host.includes(':') ? `[${host}]:${overview.port}` : `${host}:${overview.port}`;
}
