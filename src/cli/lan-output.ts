import type { PeerHub } from '../net/lan/types.js';
import type { HubService } from '../service/hub-service.js';
import type { HubDiagnostics } from '../service/lan-service.js';
import { formatTime, printTable } from './output.js';

/** How LAN presence reads on a terminal: serve's banner, `peers`, `doctor`. */
export async function describeLanPresence(service: HubService, port: number): Promise<string> {
  const { hub, lan } = await service.diagnostics({ port });
  const lines = [`  name:    ${hub.name} (key ${hub.fingerprintShort})`];
  for (const url of hub.alternativeUrls) lines.push(`  also:    ${url}`);
  if (lan?.mdns === 'announcing') {
    const on = lan.interfaces.filter((i) => i.selected).map((i) => `${i.name} ${i.address}`);
    lines.push(
      `  mDNS:    announced as "${lan.announcedName ?? hub.name}" on ${on.join(', ') || 'no interface yet'}`,
    );
  } else if (lan) {
    lines.push(`  mDNS:    off — ${lan.mdnsOffReason ?? ''}`);
  }
  for (const problem of lan?.problems ?? []) {
    if (problem.code !== 'MDNS_OFF' && problem.code !== 'NO_MDNS_RESPONSES')
      lines.push(`  warning: ${problem.message}`);
  }
  return `${lines.join('\n')}\n`;
}

const age = (ms: number): string => {
  const seconds = Math.max(0, Math.round((Date.now() - ms) / 1000));
  return seconds < 60 ? `${seconds}s ago` : `${Math.round(seconds / 60)}m ago`;
};

export function printPeers(peers: PeerHub[]): void {
  printTable(
    peers.map((peer) => ({
      name: peer.name,
      address: `${peer.addresses[0] ?? peer.host ?? '?'}:${peer.port}`,
      key: peer.fingerprintShort,
      identity:
        peer.identity === 'changed' ? `CHANGED (was ${peer.previousFingerprintShort ?? '?'})` : peer.identity,
      via: peer.source === 'mdns' ? 'mDNS' : peer.reachable ? 'added' : 'added, unreachable',
      seen: age(peer.lastSeen),
      id: peer.hubId,
    })),
    'No other hubs found.',
  );
}

const when = (ms: number | null): string => (ms === null ? 'never' : `${formatTime(ms)} (${age(ms)})`);

export function printDiagnostics(report: HubDiagnostics): void {
  const { hub, lan } = report;
  const out: string[] = [];
  out.push(`hub      ${hub.name}  id ${hub.id}  key ${hub.fingerprintShort}`);
  out.push(
    hub.running
      ? `running  yes (process ${hub.pid ?? '?'}, ${hub.listen ?? '?'})${hub.answers === false ? ' — NOT ANSWERING' : ''}`
      : 'running  no hub serves this data folder',
  );
  if (hub.url)
    out.push(
      `link     ${hub.url}${hub.alternativeUrls.length > 0 ? `  (also ${hub.alternativeUrls.join(', ')})` : ''}`,
    );
  if (lan) {
    out.push(
      lan.mdns === 'browsing'
        ? 'mDNS     listened from this command (the running hub itself: GET /api/diagnostics)'
        : `mDNS     ${lan.mdns}${lan.mdnsOffReason ? ` — ${lan.mdnsOffReason}` : ''}`,
    );
    if (lan.announcedName)
      out.push(`name     announced as "${lan.announcedName}" (${lan.serviceType}, TTL ${lan.ttlSeconds} s)`);
    if (lan.hostname) out.push(`host     ${lan.hostname}`);
    if (lan.selfHeard !== null && hub.running) {
      out.push(
        `heard    ${lan.selfHeard ? "this hub's announcement is heard on the network" : "this hub's announcement was NOT heard"}`,
      );
    }
    out.push('', 'interfaces');
    for (const choice of lan.interfaces) {
      out.push(
        `  ${choice.selected ? '+' : '-'} ${choice.name.padEnd(12)} ${choice.address.padEnd(16)} ${choice.reason}`,
      );
    }
    if (lan.sockets.length > 0) {
      out.push('', 'multicast sockets (UDP 5353, group 224.0.0.251)');
      for (const socket of lan.sockets) {
        out.push(
          `  ${socket.interfaceName.padEnd(12)} ${socket.state}, group ${socket.membership}` +
            `${socket.error ? ` — ${socket.error}` : ''}`,
        );
      }
    }
    out.push(
      '',
      `last announce  ${when(lan.lastAnnounceAt)}`,
      `last query     ${when(lan.lastQuerySentAt)}`,
      `last response  ${when(lan.lastResponseAt)} (from another host)`,
    );
  }
  process.stdout.write(`${out.join('\n')}\n\npeers\n`);
  printPeers(lan?.peers ?? []);
  process.stdout.write(report.problems.length === 0 ? '\nno problems found\n' : '\nproblems\n');
  for (const problem of report.problems) process.stdout.write(`  ${problem.code}: ${problem.message}\n`);
}
