import type { Browser, Service } from 'bonjour-service';
import type { MdnsSocket } from './mdns-socket.js';
import {
  type HubAdvert,
  type MdnsPacket,
  parseAdvertTxt,
  SERVICE_NAME,
  SERVICE_TYPE,
  sightings,
} from './records.js';

/**
 * Keeps the live list of other hubs heard over mDNS. One bonjour-service Browser per socket
 * assembles services from responses and drops one at once when it says goodbye (TTL 0). On top:
 *
 * - Freshness: every response that shows a service alive (an announcement, or an answer to anyone's
 *   query) renews its last-seen time, TTL and addresses. (bonjour-service 1.4.4 keeps the time of
 *   the first sighting only, so its expiry would drop live hubs.)
 * - Expiry: a service not renewed within its TTL is dropped (a hub that crashed or left the network).
 *   At 80 % and 90 % of the TTL we ask again, so live hubs answer in time (RFC 6762 5.2).
 * - Re-querying: we ask for all hubs at start, after 1, 3, 9 and 27 s, then every minute, so a hub
 *   whose announcements we missed is found.
 */
export interface Sighting {
  advert: HubAdvert;
  fqdn: string;
  host: string;
  port: number;
  addresses: string[];
  lastSeen: number;
  ttlSeconds: number;
}

export interface PeerBrowserOptions {
  /** Called when a hub appears or its advert (name, key…) changes. */
  onAdvert(advert: HubAdvert): void;
  /** Called when the list may have changed: a hub appeared, left, expired or changed its records. */
  onChange?(): void;
}

const TICK_MS = 250;
/** After start; then every REQUERY_EVERY_MS. */
const REQUERY_AFTER_START_MS = [1000, 3000, 9000, 27000];
const REQUERY_EVERY_MS = 60_000;
const MAINTENANCE_POINTS = [0.8, 0.9];

interface Browsing {
  browser: Browser;
  onResponse: (packet: MdnsPacket) => void;
  lastQueryAt: number;
}

export class PeerBrowser {
  private readonly browsing = new Map<MdnsSocket, Browsing>();
  private timer: NodeJS.Timeout | null = null;
  private startedAt = 0;
  private nextRequeryAt = 0;
  private requeries = 0;

  constructor(private readonly options: PeerBrowserOptions) {}

  start(): void {
    this.startedAt = Date.now();
    this.scheduleRequery(this.startedAt);
    this.timer = setInterval(() => this.tick(), TICK_MS);
    this.timer.unref();
  }

  stop(): void {
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
    for (const socket of [...this.browsing.keys()]) this.removeSocket(socket);
  }

  addSocket(socket: MdnsSocket): void {
    if (this.browsing.has(socket)) return;
    // The Browser sends its first query at once.
    const browser = socket.browse(SERVICE_NAME);
    const notify = (service: Service): void => {
      const advert = parseAdvertTxt(service.txt);
      if (advert) this.options.onAdvert(advert);
    };
    const changed = (): void => this.options.onChange?.();
    browser.on('up', notify);
    browser.on('txt-update', notify);
    browser.on('up', changed);
    browser.on('down', changed);
    browser.on('txt-update', changed);
    browser.on('srv-update', changed);
    const onResponse = (packet: MdnsPacket): void => this.renew(browser, packet);
    socket.mdns.on('response', onResponse);
    this.browsing.set(socket, { browser, onResponse, lastQueryAt: Date.now() });
  }

  removeSocket(socket: MdnsSocket): void {
    const browsing = this.browsing.get(socket);
    if (!browsing) return;
    browsing.browser.stop();
    browsing.browser.removeAllListeners();
    socket.mdns.removeListener('response', browsing.onResponse);
    this.browsing.delete(socket);
  }

  /** Every hub currently heard, one entry per socket that heard it (merged by the caller). */
  sightings(): Sighting[] {
    const found: Sighting[] = [];
    for (const { browser } of this.browsing.values()) {
      for (const service of browser.services) {
        const advert = parseAdvertTxt(service.txt);
        if (!advert || service.port === undefined) continue;
        found.push({
          advert,
          fqdn: service.fqdn,
          host: service.host,
          port: service.port,
          addresses: (service.addresses ?? []).filter((a) => !a.includes(':')),
          lastSeen: service.lastSeen ?? 0,
          ttlSeconds: service.ttl ?? 0,
        });
      }
    }
    return found;
  }

  private renew(browser: Browser, packet: MdnsPacket): void {
    const now = Date.now();
    for (const seen of sightings(packet)) {
      for (const service of browser.services) {
        if (service.fqdn.toLowerCase() !== seen.fqdn) continue;
        service.lastSeen = now;
        service.ttl = seen.ttlSeconds;
        if (seen.addresses) service.addresses = seen.addresses;
      }
    }
  }

  private tick(): void {
    const now = Date.now();
    const requeryAll = now >= this.nextRequeryAt;
    if (requeryAll) {
      this.requeries++;
      this.scheduleRequery(now);
    }
    for (const [socket, browsing] of this.browsing) {
      const { browser } = browsing;
      const due =
        requeryAll || browser.services.some((service) => this.maintenanceDue(service, browsing, now));
      if (due) {
        socket.query(SERVICE_TYPE, 'PTR');
        browsing.lastQueryAt = now;
      }
      browser.expire();
    }
  }

  private scheduleRequery(now: number): void {
    const afterStart = REQUERY_AFTER_START_MS[this.requeries];
    this.nextRequeryAt = afterStart !== undefined ? this.startedAt + afterStart : now + REQUERY_EVERY_MS;
  }

  private maintenanceDue(service: Service, browsing: Browsing, now: number): boolean {
    if (service.lastSeen === undefined || !service.ttl) return false;
    const ttlMs = service.ttl * 1000;
    return MAINTENANCE_POINTS.some((fraction) => {
      const point = (service.lastSeen ?? 0) + fraction * ttlMs;
      return now >= point && browsing.lastQueryAt < point;
    });
  }
}
