import { randomBytes } from 'node:crypto';
import { createServer } from 'node:net';
import { z } from 'zod';
import type { Keyring } from '../auth/keyring.js';
import { describeError, HubError } from '../errors.js';
import { httpBaseUrl } from '../net/join-url.js';
import { shortFingerprint } from '../net/lan/fingerprint.js';
import { CHALLENGE_PATTERN, fetchHubIdentity, identityProof } from '../net/lan/identity.js';
import { isLoopbackHost, isWildcardHost } from '../net/lan/interfaces.js';
import { type QrFormat, renderQr } from '../net/lan/qr.js';
import { LAN_PROTOCOL_VERSION } from '../net/lan/records.js';
import type { LanDiagnostics, LanView, PeerHub, PublicHubIdentity } from '../net/lan/types.js';
import { readRuntimeInfo } from '../runtime-file.js';
import type { AuditAction } from '../storage/audit-store.js';
import type { Stores } from '../storage/stores.js';
import { VERSION } from '../version.js';
import type { Actor } from './hub-service.js';

/**
 * The LAN use cases behind HubService: this hub's public identity, the peer list, hubs added by
 * address, identity trust, diagnostics and QR codes. The LAN presence itself (sockets, mDNS) is
 * given by the running hub, or by a CLI command that browses for a few seconds.
 */
export interface LanServiceContext {
  stores: Stores;
  keyring: Keyring;
  hubId: string;
  dataDir: string;
  lan?: LanView;
  /** Present when the hub runs in this process. */
  running: boolean;
  locate(): { host: string; port: number; alternatives?: string[] };
  displayName(): string;
  record(actor: Actor, action: AuditAction, detail: Record<string, unknown>): void;
  /** The peer list changed (for the management UI's live updates). */
  peersChanged(): void;
}

export interface DiagnosticProblem {
  code: string;
  message: string;
}

export interface HubDiagnostics {
  hub: {
    id: string;
    name: string;
    fingerprintShort: string;
    /** A hub serves this data folder (in this process or another). */
    running: boolean;
    pid: number | null;
    listen: string | null;
    url: string | null;
    alternativeUrls: string[];
    /** The running hub answered GET /api/hub (null: not checked). */
    answers: boolean | null;
  };
  lan: LanDiagnostics | null;
  problems: DiagnosticProblem[];
}

/** A hub's display name: one DNS label once dots are replaced (63 bytes). */
export const HubNameSchema = z
  .string()
  .trim()
  .min(1, 'a hub needs a name')
  .refine((name) => Buffer.byteLength(name) <= 63, 'at most 63 bytes');

const PEER_HOST = /^[A-Za-z0-9.:_%-]{1,253}$/;
const MAX_QR_TEXT = 2000;
const newChallenge = (): string => randomBytes(18).toString('base64url');

function portIsFree(host: string, port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const server = createServer();
    server.once('error', () => resolve(false));
    server.listen({ host, port, exclusive: true }, () => server.close(() => resolve(true)));
  });
}

export class LanService {
  constructor(private readonly context: LanServiceContext) {}

  hubIdentity(challenge?: string): PublicHubIdentity {
    const fingerprint = this.context.keyring.publicKeyFingerprint();
    const identity: PublicHubIdentity = {
      id: this.context.hubId,
      name: this.context.displayName(),
      version: VERSION,
      protocolVersion: LAN_PROTOCOL_VERSION,
      fingerprint,
      fingerprintShort: shortFingerprint(fingerprint),
    };
    if (challenge === undefined) return identity;
    if (!CHALLENGE_PATTERN.test(challenge)) {
      throw new HubError('INVALID_ARGUMENT', 'challenge: 16 to 128 characters of A-Z, a-z, 0-9, _ and -.');
    }
    const { privateKey } = this.context.keyring.currentSigningKey();
    return { ...identity, ...identityProof(privateKey, this.context.hubId, challenge) };
  }

  peers(): PeerHub[] {
    return this.context.lan?.peers() ?? [];
  }

  async addPeerByAddress(host: string, port: number, actor: Actor): Promise<PeerHub> {
    if (!PEER_HOST.test(host)) throw new HubError('INVALID_ARGUMENT', `Not a host name or address: ${host}`);
    if (!Number.isInteger(port) || port < 1 || port > 65535) {
      throw new HubError('INVALID_ARGUMENT', `Not a port number: ${port}`);
    }
    const identity = await fetchHubIdentity(host, port, newChallenge());
    if (identity.id === this.context.hubId) {
      throw new HubError('INVALID_ARGUMENT', `${host}:${port} is this hub.`);
    }
    const store = this.context.stores.peerIdentities;
    const peer = this.context.lan?.addManualPeer({ identity, host, port });
    if (!peer) {
      store.recordSighting({
        hubId: identity.id,
        name: identity.name,
        fingerprint: identity.fingerprint,
        seenAt: Date.now(),
      });
    }
    store.setManualAddress(identity.id, { host, port });
    this.context.record(actor, 'peer_add', { hubId: identity.id, name: identity.name, host, port });
    this.context.peersChanged();
    return (
      peer ?? {
        hubId: identity.id,
        name: identity.name,
        host: null,
        addresses: [host],
        port,
        fingerprint: identity.fingerprint,
        fingerprintShort: identity.fingerprintShort,
        protocolVersion: identity.protocolVersion,
        version: identity.version,
        source: 'manual',
        lastSeen: Date.now(),
        reachable: true,
        identity: 'new',
        previousFingerprintShort: null,
      }
    );
  }

  /** Forgets a hub added by address (it is no longer re-checked or listed). */
  removePeer(hubId: string, actor: Actor): void {
    const store = this.context.stores.peerIdentities;
    const known = store.get(hubId);
    if (!known || known.manualHost === null) {
      throw new HubError('PEER_NOT_FOUND', `No hub ${hubId} was added by address.`);
    }
    store.setManualAddress(hubId, null);
    this.context.lan?.removeManualPeer(hubId);
    this.context.record(actor, 'peer_remove', { hubId, name: known.name });
    this.context.peersChanged();
  }

  /** Accepts the key a listed peer has now, after a 'changed identity' flag was checked by a person. */
  trustPeer(hubId: string, actor: Actor): PeerHub {
    const peer = this.peers().find((p) => p.hubId === hubId);
    if (!peer) throw new HubError('PEER_NOT_FOUND', `Hub ${hubId} is not in the peer list now.`);
    const store = this.context.stores.peerIdentities;
    const before = store.get(hubId);
    store.trust(hubId, peer.fingerprint);
    this.context.lan?.trusted(hubId);
    this.context.record(actor, 'peer_trust', {
      hubId,
      name: peer.name,
      fingerprint: peer.fingerprint,
      previous: before?.fingerprint ?? null,
    });
    this.context.peersChanged();
    return { ...peer, identity: 'known', previousFingerprintShort: null };
  }

  async shareQr(url: string, format: QrFormat): Promise<string | Buffer> {
    let parsed: URL;
    try {
      parsed = new URL(url);
    } catch {
      throw new HubError('INVALID_ARGUMENT', 'Not a URL.');
    }
    if (!['ws:', 'wss:', 'http:', 'https:'].includes(parsed.protocol)) {
      throw new HubError('INVALID_ARGUMENT', 'A join link starts with ws://, wss://, http:// or https://.');
    }
    if (url.length > MAX_QR_TEXT)
      throw new HubError('INVALID_ARGUMENT', 'The link is too long for a QR code.');
    return renderQr(url, format);
  }

  /** What `boardhub doctor` shows: is a hub serving this folder, does it answer, and the LAN view. */
  async diagnostics(options: { port: number }): Promise<HubDiagnostics> {
    const problems: DiagnosticProblem[] = [];
    const runtime = this.context.running ? undefined : readRuntimeInfo(this.context.dataDir);
    const running = this.context.running || runtime !== undefined;
    const located = this.context.locate();
    let answers: boolean | null = null;
    if (runtime) {
      const host = isWildcardHost(runtime.host) ? '127.0.0.1' : runtime.host;
      try {
        const identity = await fetchHubIdentity(host, runtime.port, newChallenge());
        answers = identity.id === this.context.hubId;
        if (!answers) {
          problems.push({
            code: 'HUB_MISMATCH',
            message: `Port ${runtime.port} is answered by another hub (${identity.id}), not the one of this data folder.`,
          });
        }
      } catch (error) {
        answers = false;
        problems.push({
          code: 'HUB_NOT_ANSWERING',
          message: `The hub (process ${runtime.pid}) does not answer on ${runtime.host}:${runtime.port}: ${describeError(error)}`,
        });
      }
    } else if (!running && !(await portIsFree('0.0.0.0', options.port))) {
      problems.push({
        code: 'PORT_IN_USE',
        message: `Port ${options.port} is in use by another program: start the hub with --port <another>.`,
      });
    }
    if (running && isLoopbackHost(located.host)) {
      problems.push({
        code: 'LOOPBACK_ONLY',
        message:
          'The hub listens on this machine only: guests cannot reach it. Make it visible on the LAN in its settings, or start it with --host 0.0.0.0.',
      });
    }
    const fingerprint = this.context.keyring.publicKeyFingerprint();
    const lan = this.context.lan?.diagnostics() ?? null;
    return {
      hub: {
        id: this.context.hubId,
        name: this.context.displayName(),
        fingerprintShort: shortFingerprint(fingerprint),
        running,
        pid: this.context.running ? process.pid : (runtime?.pid ?? null),
        listen: runtime
          ? `${runtime.host}:${runtime.port}`
          : this.context.running
            ? `${located.host}:${located.port}`
            : null,
        url: running ? httpBaseUrl(located.host, located.port) : null,
        alternativeUrls: running
          ? (located.alternatives ?? []).map((host) => httpBaseUrl(host, located.port))
          : [],
        answers,
      },
      lan,
      problems: [...problems, ...(lan?.problems ?? [])],
    };
  }
}
