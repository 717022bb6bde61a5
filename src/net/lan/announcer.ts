import type { Logger } from '../../log.js';
import type { MdnsSocket } from './mdns-socket.js';
import {
  type Announcement,
  announcementRecords,
  foreignClaim,
  goodbyeRecords,
  type HubAdvert,
  type MdnsPacket,
  type MdnsRecord,
  nameCandidate,
  serviceFqdn,
} from './records.js';

/**
 * Publishes this hub as `NAME._boardhub._tcp.local` on the given sockets (RFC 6762 8):
 *
 *   probing  -> ask three times, 250 ms apart, whether anyone answers for the name; if another
 *               hub does (or a peer we already list uses it), try "Name (2)", "Name (3)", …
 *   announced-> register the records with each socket's responder (it answers queries), then
 *               announce them unasked at 0, 1 and 3 s.
 *   stopped  -> the same records with TTL 0 (goodbye), so peers drop us at once.
 *   rename() -> goodbye for the old name, then probing again with the new display name.
 *
 * Two hubs that probed at the same moment can end up with one name; when a response shows another
 * hub claiming our name after we announced, the hub with the greater id moves to the next name
 * (without a goodbye, which would also remove the other hub from peers' lists).
 */
export interface AnnouncerOptions {
  /** The display name wanted (read when probing starts). */
  baseName(): string;
  hubId: string;
  /** HOST.local */
  host: string;
  ttlSeconds: number;
  /** Read at every (re)announcement: the port, addresses and key can change while we run. */
  current(): { port: number; addresses: string[]; advert: Omit<HubAdvert, 'name'> };
  /** Names other hubs are listed with now (skipped without probing). */
  namesInUse(): string[];
  log: Logger;
}

const PROBE_INTERVAL_MS = 250;
const PROBES = 3;
const ANNOUNCE_DELAYS_MS = [0, 1000, 3000];
const MAX_ATTEMPTS = 100;

type State = 'idle' | 'probing' | 'announced' | 'stopped';

export class Announcer {
  private state: State = 'idle';
  private readonly sockets = new Set<MdnsSocket>();
  private attempt = 1;
  private name: string | null = null;
  private records: MdnsRecord[] = [];
  private readonly timers = new Set<NodeJS.Timeout>();
  private readonly listeners = new Map<MdnsSocket, (packet: MdnsPacket) => void>();
  private lastDefenceAt = 0;
  /** Each probe run takes a number; a run that is no longer the latest stops (see rename). */
  private generation = 0;

  constructor(private readonly options: AnnouncerOptions) {}

  /** The name we are announced under, once probing found a free one. */
  announcedName(): string | null {
    return this.state === 'announced' ? this.name : null;
  }

  /** Probes for a free name and announces; resolves when announced (sockets may be none yet). */
  async start(sockets: readonly MdnsSocket[]): Promise<void> {
    for (const socket of sockets) this.watch(socket);
    await this.probeAndAnnounce();
  }

  addSocket(socket: MdnsSocket): void {
    if (this.state === 'stopped' || this.sockets.has(socket)) return;
    this.watch(socket);
    if (this.state === 'announced') {
      socket.register(this.records);
      this.announceOn([socket]);
    }
  }

  /** Sends goodbye on a socket that is going away (its interface left the selection). */
  async removeSocket(socket: MdnsSocket): Promise<void> {
    if (!this.sockets.has(socket)) return;
    this.unwatch(socket);
    if (this.state === 'announced') {
      await socket.send(goodbyeRecords(this.records), 'goodbye');
      socket.unregister(this.records);
    }
  }

  /**
   * The display name changed: says goodbye under the old name, then probes and announces the new
   * one (a probe in progress starts over with it).
   */
  async rename(): Promise<void> {
    if (this.state === 'idle' || this.state === 'stopped') return;
    if (this.state === 'announced') {
      const old = this.records;
      // Not 'announced' any more: pending announcements of the old records stop.
      this.state = 'idle';
      this.records = [];
      const sockets = [...this.sockets];
      await Promise.all(sockets.map((socket) => socket.send(goodbyeRecords(old), 'goodbye')));
      for (const socket of sockets) socket.unregister(old);
      // Stopped meanwhile, or a rename that came in during the goodbye already probes.
      if (this.state !== 'idle') return;
    }
    this.attempt = 1;
    await this.probeAndAnnounce();
  }

  /** Re-announces if the port, addresses or key changed since the last announcement. */
  refresh(): void {
    if (this.state !== 'announced' || this.name === null) return;
    const next = announcementRecords(this.announcement(this.name));
    if (JSON.stringify(next) === JSON.stringify(this.records)) return;
    this.replaceRecords(next);
    this.announceOn([...this.sockets]);
  }

  async stop(): Promise<void> {
    const wasAnnounced = this.state === 'announced';
    this.state = 'stopped';
    for (const timer of this.timers) clearTimeout(timer);
    this.timers.clear();
    const sockets = [...this.sockets];
    for (const socket of sockets) this.unwatch(socket);
    if (!wasAnnounced) return;
    const goodbye = goodbyeRecords(this.records);
    await Promise.all(sockets.map((socket) => socket.send(goodbye, 'goodbye')));
    for (const socket of sockets) socket.unregister(this.records);
  }

  private announcement(name: string): Announcement {
    const { port, addresses, advert } = this.options.current();
    return {
      name,
      host: this.options.host,
      port,
      addresses,
      ttlSeconds: this.options.ttlSeconds,
      advert: { ...advert, name },
    };
  }

  private ownClaim(): { hubId: string; host: string; port: number } {
    return { hubId: this.options.hubId, host: this.options.host, port: this.options.current().port };
  }

  private watch(socket: MdnsSocket): void {
    this.sockets.add(socket);
    const listener = (packet: MdnsPacket): void => this.onResponse(packet);
    this.listeners.set(socket, listener);
    socket.mdns.on('response', listener);
  }

  private unwatch(socket: MdnsSocket): void {
    this.sockets.delete(socket);
    const listener = this.listeners.get(socket);
    if (listener) socket.mdns.removeListener('response', listener);
    this.listeners.delete(socket);
  }

  private isCurrentProbe(generation: number): boolean {
    return this.state === 'probing' && generation === this.generation;
  }

  private async probeAndAnnounce(): Promise<void> {
    this.state = 'probing';
    const generation = ++this.generation;
    for (; this.attempt <= MAX_ATTEMPTS; this.attempt++) {
      if (!this.isCurrentProbe(generation)) return;
      const candidate = nameCandidate(this.options.baseName(), this.attempt);
      const fqdn = serviceFqdn(candidate).toLowerCase();
      if (this.options.namesInUse().some((name) => serviceFqdn(name).toLowerCase() === fqdn)) continue;
      const free = await this.nameIsFree(candidate, generation);
      // A newer run (rename) took over while we waited: leave `attempt` to it.
      if (!this.isCurrentProbe(generation)) return;
      if (!free) {
        this.options.log.info({ name: candidate }, 'mDNS name in use by another hub, trying the next');
        continue;
      }
      break;
    }
    if (!this.isCurrentProbe(generation)) return;
    this.name = nameCandidate(this.options.baseName(), Math.min(this.attempt, MAX_ATTEMPTS));
    this.replaceRecords(announcementRecords(this.announcement(this.name)));
    this.state = 'announced';
    this.announceOn([...this.sockets]);
    this.options.log.info({ name: this.name }, 'announced on the LAN over mDNS');
  }

  private nameIsFree(candidate: string, generation: number): Promise<boolean> {
    const fqdn = serviceFqdn(candidate);
    const sockets = [...this.sockets].filter((socket) => socket.status.state !== 'failed');
    if (sockets.length === 0 || !this.isCurrentProbe(generation))
      return Promise.resolve(this.isCurrentProbe(generation));
    return new Promise((resolve) => {
      let probes = 0;
      let timer: NodeJS.Timeout | undefined;
      const onResponse = (packet: MdnsPacket): void => {
        if (foreignClaim(packet, fqdn, this.ownClaim()) !== undefined) finish(false);
      };
      const finish = (free: boolean): void => {
        if (timer) {
          clearTimeout(timer);
          this.timers.delete(timer);
        }
        for (const socket of sockets) socket.mdns.removeListener('response', onResponse);
        resolve(free && this.isCurrentProbe(generation));
      };
      const probe = (): void => {
        if (!this.isCurrentProbe(generation)) {
          finish(false);
          return;
        }
        if (probes === PROBES) {
          finish(true);
          return;
        }
        probes++;
        for (const socket of sockets) socket.query(fqdn, 'ANY');
        timer = this.schedule(probe, PROBE_INTERVAL_MS);
      };
      for (const socket of sockets) socket.mdns.on('response', onResponse);
      timer = this.schedule(probe, Math.random() * PROBE_INTERVAL_MS);
    });
  }

  /** After announcing: another hub answering for our name (a simultaneous start). */
  private onResponse(packet: MdnsPacket): void {
    if (this.state !== 'announced' || this.name === null) return;
    const claimant = foreignClaim(packet, serviceFqdn(this.name), this.ownClaim());
    if (claimant === undefined) return;
    if (claimant === '' || claimant < this.options.hubId) {
      this.options.log.warn({ name: this.name, other: claimant }, 'another hub took our mDNS name; renaming');
      for (const socket of this.sockets) socket.unregister(this.records);
      this.records = [];
      this.attempt++;
      void this.probeAndAnnounce();
      return;
    }
    // We keep the name: tell caches again who owns it (at most once a second).
    if (Date.now() - this.lastDefenceAt < 1000) return;
    this.lastDefenceAt = Date.now();
    for (const socket of this.sockets) void socket.send(this.records, 'announce');
  }

  private replaceRecords(next: MdnsRecord[]): void {
    for (const socket of this.sockets) {
      socket.unregister(this.records);
      socket.register(next);
    }
    this.records = next;
  }

  private announceOn(sockets: MdnsSocket[]): void {
    const records = this.records;
    for (const delay of ANNOUNCE_DELAYS_MS) {
      this.schedule(() => {
        if (this.state !== 'announced' || this.records !== records) return;
        for (const socket of sockets) {
          if (this.sockets.has(socket)) void socket.send(records, 'announce');
        }
      }, delay);
    }
  }

  private schedule(run: () => void, delayMs: number): NodeJS.Timeout {
    const timer = setTimeout(() => {
      this.timers.delete(timer);
      run();
    }, delayMs);
    timer.unref();
    this.timers.add(timer);
    return timer;
  }
}
