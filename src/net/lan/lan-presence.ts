import { randomBytes } from 'node:crypto';
import { networkInterfaces as osNetworkInterfaces } from 'node:os';
import type { Keyring } from '../../auth/keyring.js';
import { type HubConfig, mdnsEnabled } from '../../config.js';
import { describeError } from '../../errors.js';
import type { Logger } from '../../log.js';
import type { PeerIdentityStore } from '../../storage/peer-identity-store.js';
import type { Stores } from '../../storage/stores.js';
import { VERSION } from '../../version.js';
import { localHostname } from '../join-url.js';
import { Announcer } from './announcer.js';
import { shortFingerprint } from './fingerprint.js';
import { storedDisplayName } from './hub-name.js';
import { fetchHubIdentity } from './identity.js';
import {
  chooseInterfaces,
  type InterfaceChoice,
  type NetworkInterfaces,
  sameSubnet,
  selectedOnly,
} from './interfaces.js';
import type { MdnsSocket } from './mdns-socket.js';
import { PeerBrowser, type Sighting } from './peer-browser.js';
import { type IdentityJudgement, judgeAndRecord } from './peer-identities.js';
import { type HubAdvert, LAN_PROTOCOL_VERSION, SERVICE_TYPE } from './records.js';
import type { LanDiagnostics, LanProblem, LanView, ManualPeer, PeerHub, PublicHubIdentity } from './types.js';

/**
 * The hub on the LAN: chooses interfaces, opens one mDNS socket per chosen interface, announces
 * the hub on them (unless browse-only, as for `boardhub peers`), keeps the list of other hubs,
 * re-checks hubs added by address, and reports all of it for `boardhub doctor`. Every 10 s it looks
 * at the interfaces again, so a laptop that joins the room's Wi-Fi after starting the hub is
 * announced there, and a changed key or address is re-announced.
 */
export interface LanPresenceOptions {
  hubId: string;
  /** The display name to announce (a " (2)" suffix is added on a conflict). */
  baseName(): string;
  version: string;
  fingerprint(): string;
  boundHost: string;
  port(): number;
  /** Open mDNS sockets at all. */
  mdns: boolean;
  /** Why mDNS is off, for diagnostics (when `mdns` is false). */
  mdnsOffReason?: string;
  /** Publish this hub (false: only browse, as a CLI command does). */
  announce: boolean;
  interfacePicks: readonly string[];
  ttlSeconds: number;
  /** `NAME.local` */
  hostname: string;
  identities: PeerIdentityStore;
  log: Logger;
  networkInterfaces?: () => NetworkInterfaces;
  /** Called when the peer list (as peers() shows it) changed. */
  onPeersChanged?(): void;
}

const REFRESH_MS = 10_000;
const MANUAL_CHECK_MS = 30_000;

interface ManualEntry {
  host: string;
  port: number;
  identity: PublicHubIdentity;
  lastSeen: number;
  reachable: boolean;
}

const newChallenge = (): string => randomBytes(18).toString('base64url');

export class LanPresence implements LanView {
  private readonly sockets = new Map<string, MdnsSocket>();
  private readonly browser: PeerBrowser;
  private readonly announcer: Announcer | null;
  private choices: InterfaceChoice[] = [];
  private readonly judgements = new Map<string, { fingerprint: string; judgement: IdentityJudgement }>();
  private readonly manual = new Map<string, ManualEntry>();
  private readonly reported = new Set<string>();
  private refreshTimer: NodeJS.Timeout | null = null;
  private manualTimer: NodeJS.Timeout | null = null;
  /**
   * The mDNS stack (bonjour-service, multicast-dns, dns-packet), loaded by start() only when mDNS
   * is on: a hub on loopback or with --no-mdns never opens a socket, so it keeps ~1 MB of code
   * out of its heap.
   */
  private openSocket: ((choice: InterfaceChoice) => MdnsSocket) | null = null;
  private started = false;
  private stopped = false;
  /** What peers() showed when last compared, to report changes only. */
  private peersSignature = '[]';

  constructor(private readonly options: LanPresenceOptions) {
    this.browser = new PeerBrowser({
      onAdvert: (advert) => this.judge(advert),
      onChange: () => this.peersMaybeChanged(),
    });
    this.announcer = options.announce
      ? new Announcer({
          baseName: options.baseName,
          hubId: options.hubId,
          host: options.hostname,
          ttlSeconds: options.ttlSeconds,
          current: () => ({
            port: options.port(),
            addresses: this.announcedAddresses(),
            advert: {
              hubId: options.hubId,
              protocolVersion: LAN_PROTOCOL_VERSION,
              fingerprint: options.fingerprint(),
              version: options.version,
            },
          }),
          namesInUse: () =>
            this.browser
              .sightings()
              .filter((s) => !this.isSelf(s))
              .map((s) => s.advert.name),
          log: options.log,
        })
      : null;
  }

  /** Opens sockets and announces (resolves once the name is probed and announced). */
  async start(): Promise<void> {
    if (this.started) return;
    this.started = true;
    this.choices = this.chooseInterfaces();
    for (const record of this.options.identities.listManual()) {
      if (record.manualHost !== null && record.manualPort !== null) {
        void this.checkManual(record.hubId, record.manualHost, record.manualPort);
      }
    }
    this.manualTimer = setInterval(() => this.recheckManual(), MANUAL_CHECK_MS);
    this.manualTimer.unref();
    if (!this.options.mdns) return;
    const { MdnsSocket } = await import('./mdns-socket.js');
    if (this.stopped) return;
    this.openSocket = (choice) =>
      new MdnsSocket(choice.name, choice.address, (message) => this.report(message));
    if (selectedOnly(this.choices).length === 0) {
      this.report(
        'No LAN interface to announce on (only loopback or virtual interfaces); see boardhub doctor.',
      );
    }
    this.browser.start();
    this.reconcileSockets();
    await this.announcer?.start([...this.sockets.values()]);
    if (this.stopped) return;
    this.refreshTimer = setInterval(() => this.refresh(), REFRESH_MS);
    this.refreshTimer.unref();
  }

  /** Says goodbye on every socket and closes them. */
  async stop(): Promise<void> {
    if (this.stopped) return;
    this.stopped = true;
    if (this.refreshTimer) clearInterval(this.refreshTimer);
    if (this.manualTimer) clearInterval(this.manualTimer);
    await this.announcer?.stop();
    this.browser.stop();
    await Promise.all([...this.sockets.values()].map((socket) => socket.destroy()));
    this.sockets.clear();
  }

  announcedName(): string | null {
    return this.announcer?.announcedName() ?? null;
  }

  mdnsState(): 'announcing' | 'browsing' | 'off' {
    return !this.options.mdns ? 'off' : this.announcer ? 'announcing' : 'browsing';
  }

  /** The display name changed: announce under the new one (goodbye for the old name first). */
  async rename(): Promise<void> {
    if (this.started && !this.stopped) await this.announcer?.rename();
  }

  peers(): PeerHub[] {
    const byId = new Map<string, PeerHub>();
    for (const sighting of this.browser.sightings()) {
      if (this.isSelf(sighting)) continue;
      const existing = byId.get(sighting.advert.hubId);
      if (existing && existing.lastSeen >= sighting.lastSeen) {
        existing.addresses = this.orderAddresses([...existing.addresses, ...sighting.addresses]);
        continue;
      }
      const peer = this.peerFromSighting(sighting);
      if (existing) peer.addresses = this.orderAddresses([...peer.addresses, ...existing.addresses]);
      byId.set(peer.hubId, peer);
    }
    for (const [hubId, entry] of this.manual) {
      if (!byId.has(hubId)) byId.set(hubId, this.peerFromManual(entry));
    }
    return [...byId.values()].sort((a, b) => a.name.localeCompare(b.name) || a.hubId.localeCompare(b.hubId));
  }

  addManualPeer(peer: ManualPeer): PeerHub {
    const entry: ManualEntry = { ...peer, lastSeen: Date.now(), reachable: true };
    this.manual.set(peer.identity.id, entry);
    queueMicrotask(() => this.peersMaybeChanged());
    this.judge({
      hubId: peer.identity.id,
      name: peer.identity.name,
      fingerprint: peer.identity.fingerprint,
      protocolVersion: peer.identity.protocolVersion,
      version: peer.identity.version,
    });
    return this.peerFromManual(entry);
  }

  removeManualPeer(hubId: string): void {
    this.manual.delete(hubId);
    this.peersMaybeChanged();
  }

  trusted(hubId: string): void {
    const cached = this.judgements.get(hubId);
    if (cached)
      this.judgements.set(hubId, {
        fingerprint: cached.fingerprint,
        judgement: { status: 'known', previousFingerprint: null },
      });
    this.peersMaybeChanged();
  }

  diagnostics(): LanDiagnostics {
    const sockets = [...this.sockets.values()].map((socket) => ({ ...socket.status }));
    const latest = (pick: (s: (typeof sockets)[number]) => number | null): number | null =>
      sockets.reduce<number | null>((max, s) => {
        const value = pick(s);
        return value !== null && (max === null || value > max) ? value : max;
      }, null);
    const problems: LanProblem[] = [];
    const choices = this.started ? this.choices : this.chooseInterfaces();
    if (!this.options.mdns) {
      problems.push({ code: 'MDNS_OFF', message: this.options.mdnsOffReason ?? 'mDNS is off.' });
    } else if (selectedOnly(choices).length === 0) {
      problems.push({
        code: 'NO_LAN_INTERFACE',
        message:
          'No LAN interface to announce on: only loopback or virtual (container, VM, VPN) interfaces are up. ' +
          'Connect to the room network, or name an interface with --mdns-interface.',
      });
    }
    for (const socket of sockets) {
      if (socket.state === 'failed') {
        problems.push({
          code: 'MDNS_SOCKET_FAILED',
          message: `${socket.interfaceName}: ${socket.error ?? 'failed'}`,
        });
      } else if (socket.membership === 'failed') {
        problems.push({
          code: 'MULTICAST_JOIN_FAILED',
          message: socket.error ?? `${socket.interfaceName}: join failed`,
        });
      }
    }
    const lastResponseAt = latest((s) => s.lastResponseAt);
    const lastQuerySentAt = latest((s) => s.lastQuerySentAt);
    if (this.options.mdns && sockets.length > 0 && lastQuerySentAt !== null && lastResponseAt === null) {
      problems.push({
        code: 'NO_MDNS_RESPONSES',
        message:
          'No other host answered over mDNS yet. If other hubs run on this network, multicast may be blocked ' +
          '(Wi-Fi client isolation, a firewall on UDP 5353): add them by address with `boardhub peers add HOST:PORT`.',
      });
    }
    return {
      mdns: this.mdnsState(),
      mdnsOffReason: this.options.mdns ? null : (this.options.mdnsOffReason ?? null),
      serviceType: SERVICE_TYPE,
      announcedName: this.announcedName(),
      hostname: this.options.mdns ? this.options.hostname : null,
      ttlSeconds: this.options.ttlSeconds,
      interfaces: choices,
      sockets,
      lastAnnounceAt: latest((s) => s.lastAnnounceAt),
      lastQuerySentAt,
      lastResponseAt,
      selfHeard: this.options.mdns ? this.browser.sightings().some((s) => this.isSelf(s)) : null,
      peers: this.peers(),
      problems,
    };
  }

  private chooseInterfaces(): InterfaceChoice[] {
    const read = this.options.networkInterfaces ?? osNetworkInterfaces;
    return chooseInterfaces(read(), {
      boundHost: this.options.boundHost,
      picks: this.options.interfacePicks,
    });
  }

  private announcedAddresses(): string[] {
    return [...new Set(selectedOnly(this.choices).map((choice) => choice.address))];
  }

  /** One socket per selected interface (on its first selected address). */
  private reconcileSockets(): void {
    const openSocket = this.openSocket;
    if (openSocket === null) return;
    const wanted = new Map<string, InterfaceChoice>();
    for (const choice of selectedOnly(this.choices)) {
      if (![...wanted.values()].some((c) => c.name === choice.name))
        wanted.set(`${choice.name}/${choice.address}`, choice);
    }
    for (const [key, socket] of this.sockets) {
      if (wanted.has(key)) continue;
      this.sockets.delete(key);
      this.browser.removeSocket(socket);
      void (this.announcer?.removeSocket(socket) ?? Promise.resolve()).then(() => socket.destroy());
    }
    for (const [key, choice] of wanted) {
      if (this.sockets.has(key)) continue;
      const socket = openSocket(choice);
      this.sockets.set(key, socket);
      this.browser.addSocket(socket);
      this.announcer?.addSocket(socket);
    }
  }

  private refresh(): void {
    if (this.stopped) return;
    try {
      const before = JSON.stringify(selectedOnly(this.choices));
      this.choices = this.chooseInterfaces();
      if (JSON.stringify(selectedOnly(this.choices)) !== before) {
        this.options.log.info(
          { interfaces: selectedOnly(this.choices).map((c) => `${c.name} ${c.address}`) },
          'LAN interfaces changed',
        );
        this.reconcileSockets();
      }
      this.announcer?.refresh();
      // Address renewals and silent expiry do not raise browser events.
      this.peersMaybeChanged();
    } catch (error) {
      this.options.log.error({ err: describeError(error) }, 'LAN refresh failed');
    }
  }

  private report(message: string): void {
    if (this.reported.has(message)) return;
    this.reported.add(message);
    this.options.log.warn(message);
  }

  private isSelf(sighting: Sighting): boolean {
    return sighting.advert.hubId === this.options.hubId;
  }

  private judge(advert: HubAdvert): IdentityJudgement {
    const cached = this.judgements.get(advert.hubId);
    if (cached && cached.fingerprint === advert.fingerprint) {
      // A key accepted meanwhile (`boardhub peers trust` in another process) clears the flag.
      if (cached.judgement.status !== 'changed') return cached.judgement;
      if (this.options.identities.get(advert.hubId)?.fingerprint !== advert.fingerprint)
        return cached.judgement;
      const known: IdentityJudgement = { status: 'known', previousFingerprint: null };
      this.judgements.set(advert.hubId, { fingerprint: advert.fingerprint, judgement: known });
      return known;
    }
    if (advert.hubId === this.options.hubId) return { status: 'known', previousFingerprint: null };
    let judgement: IdentityJudgement;
    try {
      judgement = judgeAndRecord(this.options.identities, advert, Date.now());
    } catch (error) {
      this.options.log.error({ err: describeError(error) }, 'could not record a peer identity');
      judgement = { status: 'new', previousFingerprint: null };
    }
    this.judgements.set(advert.hubId, { fingerprint: advert.fingerprint, judgement });
    if (judgement.status === 'changed') {
      this.options.log.warn(
        { hub: advert.hubId, name: advert.name },
        'a peer hub has a different key than before',
      );
    }
    return judgement;
  }

  private orderAddresses(addresses: string[]): string[] {
    const local = selectedOnly(this.choices);
    const onOurNetwork = (address: string): boolean => local.some((choice) => sameSubnet(address, choice));
    const unique = [...new Set(addresses)];
    return [...unique.filter(onOurNetwork), ...unique.filter((a) => !onOurNetwork(a))];
  }

  private peerFromSighting(sighting: Sighting): PeerHub {
    const { advert } = sighting;
    const judgement = this.judge(advert);
    return {
      hubId: advert.hubId,
      name: advert.name,
      host: sighting.host,
      addresses: this.orderAddresses(sighting.addresses),
      port: sighting.port,
      fingerprint: advert.fingerprint,
      fingerprintShort: shortFingerprint(advert.fingerprint),
      protocolVersion: advert.protocolVersion,
      version: advert.version,
      source: 'mdns',
      lastSeen: sighting.lastSeen,
      reachable: true,
      identity: judgement.status,
      previousFingerprintShort:
        judgement.previousFingerprint === null ? null : shortFingerprint(judgement.previousFingerprint),
    };
  }

  private peerFromManual(entry: ManualEntry): PeerHub {
    const { identity } = entry;
    const judgement = this.judge({
      hubId: identity.id,
      name: identity.name,
      fingerprint: identity.fingerprint,
      protocolVersion: identity.protocolVersion,
      version: identity.version,
    });
    return {
      hubId: identity.id,
      name: identity.name,
      host: null,
      addresses: [entry.host],
      port: entry.port,
      fingerprint: identity.fingerprint,
      fingerprintShort: shortFingerprint(identity.fingerprint),
      protocolVersion: identity.protocolVersion,
      version: identity.version,
      source: 'manual',
      lastSeen: entry.lastSeen,
      reachable: entry.reachable,
      identity: judgement.status,
      previousFingerprintShort:
        judgement.previousFingerprint === null ? null : shortFingerprint(judgement.previousFingerprint),
    };
  }

  private recheckManual(): void {
    for (const record of this.options.identities.listManual()) {
      if (record.manualHost !== null && record.manualPort !== null) {
        void this.checkManual(record.hubId, record.manualHost, record.manualPort);
      }
    }
  }

  /** Re-verifies a hub added by address; it stays listed, marked unreachable, when the check fails. */
  private async checkManual(hubId: string, host: string, port: number): Promise<void> {
    try {
      const identity = await fetchHubIdentity(host, port, newChallenge());
      if (this.stopped) return;
      if (identity.id !== hubId)
        throw new Error(`another hub (${identity.id}) answers at ${host}:${port} now`);
      this.manual.set(hubId, { host, port, identity, lastSeen: Date.now(), reachable: true });
      this.peersMaybeChanged();
    } catch (error) {
      if (this.stopped) return;
      const known = this.manual.get(hubId);
      const record = this.options.identities.get(hubId);
      if (known) known.reachable = false;
      else if (record) {
        this.manual.set(hubId, {
          host,
          port,
          lastSeen: record.lastSeen,
          reachable: false,
          identity: {
            id: hubId,
            name: record.name,
            version: '',
            protocolVersion: LAN_PROTOCOL_VERSION,
            fingerprint: record.fingerprint,
            fingerprintShort: shortFingerprint(record.fingerprint),
          },
        });
      }
      this.options.log.debug({ hub: hubId, err: describeError(error) }, 'added hub not reachable');
      this.peersMaybeChanged();
    }
  }

  /** Reports a change of the peer list; times (lastSeen) alone do not count. */
  private peersMaybeChanged(): void {
    if (this.stopped || !this.options.onPeersChanged) return;
    const signature = JSON.stringify(this.peers().map(({ lastSeen: _lastSeen, ...rest }) => rest));
    if (signature === this.peersSignature) return;
    this.peersSignature = signature;
    this.options.onPeersChanged();
  }
}

export interface LanPresenceInput {
  config: Pick<HubConfig, 'host' | 'mdns' | 'mdnsInterfaces' | 'mdnsTtlSeconds'>;
  /** The name to announce; default: the stored display name. */
  baseName?: () => string;
  onPeersChanged?: () => void;
  hubId: string;
  keyring: Keyring;
  stores: Stores;
  log: Logger;
  port(): number;
  /** Publish this hub (the running hub) or only browse (a CLI command). */
  announce: boolean;
}

/** The LAN presence of a hub as its configuration asks (mDNS on exactly when mdnsEnabled()). */
export function createLanPresence(input: LanPresenceInput): LanPresence {
  const { config } = input;
  const mdns = mdnsEnabled(config);
  return new LanPresence({
    hubId: input.hubId,
    baseName: input.baseName ?? (() => storedDisplayName(input.stores.meta)),
    version: VERSION,
    fingerprint: () => input.keyring.publicKeyFingerprint(),
    boundHost: config.host,
    port: input.port,
    mdns,
    mdnsOffReason:
      config.mdns === false
        ? 'mDNS is off (--no-mdns): other hubs do not see this one; guests need its address.'
        : `The hub listens on ${config.host} (this machine only), so it is not announced; make it visible on the LAN (settings, or --host 0.0.0.0).`,
    announce: input.announce,
    interfacePicks: config.mdnsInterfaces,
    ttlSeconds: config.mdnsTtlSeconds,
    hostname: localHostname(),
    identities: input.stores.peerIdentities,
    log: input.log,
    onPeersChanged: input.onPeersChanged,
  });
}
