import type { InterfaceChoice } from './interfaces.js';
import type { SocketStatus } from './mdns-socket.js';

/** What the LAN side of a hub shows: other hubs, its own public identity, and its health. */

/** 'known': seen before with this key. 'new': first sighting. 'changed': see peer-identities.ts. */
export type IdentityStatus = 'new' | 'known' | 'changed';

export interface PeerHub {
  hubId: string;
  name: string;
  /** `NAME.local` from its mDNS records (null for a hub added by address). */
  host: string | null;
  /** Reachable addresses, those on one of our own networks first. */
  addresses: string[];
  port: number;
  fingerprint: string;
  fingerprintShort: string;
  protocolVersion: string;
  version: string | null;
  /** How we know it: heard over mDNS, or added by address (`peers add`). */
  source: 'mdns' | 'manual';
  lastSeen: number;
  /** False for an added hub whose last check failed (mDNS entries leave the list instead). */
  reachable: boolean;
  identity: IdentityStatus;
  /** The key this hub id (or the last hub with this name) had before, when identity is 'changed'. */
  previousFingerprintShort: string | null;
}

/** GET /api/hub: who this hub is. No secrets: anyone on the network may ask. */
export interface PublicHubIdentity {
  id: string;
  name: string;
  version: string;
  protocolVersion: string;
  fingerprint: string;
  fingerprintShort: string;
  /** With ?challenge=…: the public key (SPKI DER, base64) and a signature proving we hold it. */
  publicKey?: string;
  proof?: string;
}

export interface LanProblem {
  code:
    | 'NO_LAN_INTERFACE'
    | 'MDNS_SOCKET_FAILED'
    | 'MULTICAST_JOIN_FAILED'
    | 'MDNS_OFF'
    | 'NO_MDNS_RESPONSES';
  message: string;
}

export interface LanDiagnostics {
  mdns: 'announcing' | 'browsing' | 'off';
  /** Why mDNS is off, when it is. */
  mdnsOffReason: string | null;
  serviceType: string;
  announcedName: string | null;
  hostname: string | null;
  ttlSeconds: number;
  interfaces: InterfaceChoice[];
  sockets: SocketStatus[];
  lastAnnounceAt: number | null;
  lastQuerySentAt: number | null;
  lastResponseAt: number | null;
  /** This hub's own announcement was heard (multicast loops back); null when not browsing. */
  selfHeard: boolean | null;
  peers: PeerHub[];
  problems: LanProblem[];
}

/** Where guests reach the hub: the address for links, and alternatives (the `.local` name). */
export interface AdvertisedAddress {
  host: string;
  alternatives: string[];
}

/** The running hub's (or a CLI command's) LAN presence as HubService uses it. */
export interface LanView {
  peers(): PeerHub[];
  diagnostics(): LanDiagnostics;
  announcedName(): string | null;
  /** Whether mDNS is on, and whether this hub announces itself or only listens. */
  mdnsState(): LanDiagnostics['mdns'];
  /** Adds (or refreshes) a hub that was verified by address; it is re-checked while listed. */
  addManualPeer(peer: ManualPeer): PeerHub;
  removeManualPeer(hubId: string): void;
  /** The user accepted this peer's current key: it is no longer flagged. */
  trusted(hubId: string): void;
}

export interface ManualPeer {
  identity: PublicHubIdentity;
  host: string;
  port: number;
}
