import type { LanPresence } from './lan-presence.js';
import type { LanDiagnostics, LanView, ManualPeer, PeerHub } from './types.js';

/**
 * The running hub's LAN presence across changes of visibility. A LanPresence is made for one bound
 * address (which interfaces, mDNS on or off) and ends for good when stopped, so becoming visible
 * or hidden replaces it by a new one for the new address; HubService keeps talking to this one
 * object. A rename only re-announces (the peer list stays).
 */
export class HubPresence implements LanView {
  private current: LanPresence;
  private running = false;
  /** Replacements run one after the other (two quick toggles must not leave two presences). */
  private queue: Promise<void> = Promise.resolve();

  constructor(
    private readonly make: (host: string) => LanPresence,
    host: string,
  ) {
    this.current = make(host);
  }

  async start(): Promise<void> {
    this.running = true;
    await this.current.start();
  }

  async stop(): Promise<void> {
    this.running = false;
    await this.queue;
    await this.current.stop();
  }

  /** Goodbye from the old presence, then a new one for `host` (announcing if mDNS is on for it). */
  rebind(host: string): Promise<void> {
    const next = this.queue.then(async () => {
      if (!this.running) return;
      await this.current.stop();
      this.current = this.make(host);
      await this.current.start();
    });
    this.queue = next.catch(() => undefined);
    return next;
  }

  rename(): Promise<void> {
    const next = this.queue.then(() => (this.running ? this.current.rename() : undefined));
    this.queue = next.catch(() => undefined);
    return next;
  }

  peers(): PeerHub[] {
    return this.current.peers();
  }

  diagnostics(): LanDiagnostics {
    return this.current.diagnostics();
  }

  announcedName(): string | null {
    return this.current.announcedName();
  }

  mdnsState(): LanDiagnostics['mdns'] {
    return this.current.mdnsState();
  }

  addManualPeer(peer: ManualPeer): PeerHub {
    return this.current.addManualPeer(peer);
  }

  removeManualPeer(hubId: string): void {
    this.current.removeManualPeer(hubId);
  }

  trusted(hubId: string): void {
    this.current.trusted(hubId);
  }
}
