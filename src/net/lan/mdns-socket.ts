import type { RemoteInfo } from 'node:dgram';
import { Browser } from 'bonjour-service';
import { Server } from 'bonjour-service/dist/lib/mdns-server.js';
import type { ServiceConfig, ServiceRecord } from 'bonjour-service/dist/lib/service.js';
import { describeError } from '../../errors.js';
import type { MdnsPacket, MdnsRecord } from './records.js';

/**
 * One mDNS socket on one interface: bonjour-service's responder (it answers queries for the
 * records we register) over multicast-dns, bound to 0.0.0.0:5353 and joined to 224.0.0.251 on
 * that interface's address only, sending out of that interface. We use bonjour-service's
 * responder and browser but not its publish(): in 1.4.4 that announces every non-internal address
 * (docker, VPN…) with fixed TTLs, and on a name conflict it logs to the console and sends goodbye
 * records for the name it lost, which makes peers drop the hub that legitimately owns it.
 *
 * The socket keeps the facts `boardhub doctor` shows: bound or failed (and why), multicast group
 * joined or not, when it last sent and heard something.
 */
export interface SocketStatus {
  interfaceName: string;
  address: string;
  state: 'starting' | 'ready' | 'failed';
  membership: 'pending' | 'joined' | 'failed';
  error: string | null;
  lastAnnounceAt: number | null;
  lastQuerySentAt: number | null;
  /** A response from another host (our own packets come back to us through multicast loopback). */
  lastResponseAt: number | null;
  lastQueryReceivedAt: number | null;
}

/** The part of multicast-dns we use (bonjour-service types it as any). */
export interface MulticastDns {
  on(event: 'response' | 'query', listener: (packet: MdnsPacket, rinfo: RemoteInfo) => void): void;
  on(event: 'ready' | 'networkInterface', listener: () => void): void;
  on(event: 'error' | 'warning', listener: (error: NodeJS.ErrnoException) => void): void;
  removeListener(event: string, listener: (...args: never[]) => void): void;
  query(name: string, type: string, callback: (error?: Error | null) => void): void;
  respond(packet: { answers: MdnsRecord[] }, callback: (error?: Error | null) => void): void;
  destroy(callback: () => void): void;
}

export const MDNS_PORT = 5353;
const SEND_TIMEOUT_MS = 1000;

function explainSocketError(error: NodeJS.ErrnoException): string {
  if (error.code === 'EADDRINUSE') {
    return `UDP port ${MDNS_PORT} (mDNS) is taken by a program that does not share it; stop it or run with --no-mdns`;
  }
  if (error.code === 'EACCES') return `not allowed to open UDP port ${MDNS_PORT} (mDNS)`;
  return describeError(error);
}

export class MdnsSocket {
  readonly mdns: MulticastDns;
  readonly status: SocketStatus;
  private readonly server: Server;
  private destroyed = false;

  constructor(
    readonly interfaceName: string,
    readonly address: string,
    onProblem: (message: string) => void,
  ) {
    this.status = {
      interfaceName,
      address,
      state: 'starting',
      membership: 'pending',
      error: null,
      lastAnnounceAt: null,
      lastQuerySentAt: null,
      lastResponseAt: null,
      lastQueryReceivedAt: null,
    };
    // multicast-dns options; bonjour-service passes them through but types them as a service config.
    const options = { interface: address, bind: '0.0.0.0', port: MDNS_PORT, reuseAddr: true, loopback: true };
    this.server = new Server(options as unknown as Partial<ServiceConfig>, (error: Error) => {
      this.status.error = describeError(error);
      onProblem(`mDNS send failed on ${interfaceName}: ${describeError(error)}`);
    });
    this.mdns = this.server.mdns as MulticastDns;
    this.mdns.on('ready', () => {
      this.status.state = 'ready';
    });
    this.mdns.on('networkInterface', () => {
      this.status.membership = 'joined';
    });
    this.mdns.on('error', (error) => {
      this.status.state = 'failed';
      this.status.error = explainSocketError(error);
      onProblem(`mDNS on ${interfaceName}: ${this.status.error}`);
    });
    this.mdns.on('warning', (error) => {
      if (error.syscall === 'addMembership' || /membership/i.test(error.message)) {
        this.status.membership = 'failed';
        this.status.error = `could not join the mDNS multicast group on ${interfaceName} (${address}): ${describeError(error)}`;
        onProblem(this.status.error);
      }
    });
    this.mdns.on('response', (_packet, rinfo) => {
      if (rinfo.address !== address) this.status.lastResponseAt = Date.now();
    });
    this.mdns.on('query', (_packet, rinfo) => {
      if (rinfo.address !== address) this.status.lastQueryReceivedAt = Date.now();
    });
  }

  /** Records this socket's responder answers queries with. */
  register(records: readonly MdnsRecord[]): void {
    this.server.register(records as unknown as ServiceRecord[]);
  }

  unregister(records: readonly MdnsRecord[]): void {
    this.server.unregister(records as unknown as ServiceRecord[]);
  }

  /** Multicasts records unasked (an announcement, or a goodbye with TTL 0); settles when sent. */
  send(records: readonly MdnsRecord[], kind: 'announce' | 'goodbye'): Promise<void> {
    if (this.destroyed || this.status.state === 'failed') return Promise.resolve();
    return new Promise((resolve) => {
      const timer = setTimeout(resolve, SEND_TIMEOUT_MS);
      this.mdns.respond({ answers: [...records] }, (error) => {
        clearTimeout(timer);
        if (error) this.status.error = `sending an mDNS ${kind} failed: ${describeError(error)}`;
        else if (kind === 'announce') this.status.lastAnnounceAt = Date.now();
        resolve();
      });
    });
  }

  /**
   * A bonjour-service browser for one service type over this socket (it sends its first query at
   * once). Made here so this module stays the only one that loads bonjour-service.
   */
  browse(type: string): Browser {
    return new Browser(this.mdns, { type });
  }

  query(name: string, type: string): void {
    if (this.destroyed || this.status.state === 'failed') return;
    this.mdns.query(name, type, (error) => {
      if (error) this.status.error = `sending an mDNS query failed: ${describeError(error)}`;
      else this.status.lastQuerySentAt = Date.now();
    });
  }

  destroy(): Promise<void> {
    if (this.destroyed) return Promise.resolve();
    this.destroyed = true;
    return new Promise((resolve) => {
      try {
        this.mdns.destroy(() => resolve());
      } catch {
        resolve();
      }
    });
  }
}
