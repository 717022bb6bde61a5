import { describeError } from '../errors.js';
import type { Logger } from '../log.js';
import { CloseCode } from '../sync/close-codes.js';
import type { ClientConnection } from '../sync/connection.js';
import { isLoopback } from './addresses.js';
import type { EventStreams } from './api/event-routes.js';
import type { HubPresence } from './lan/hub-presence.js';
import { isLoopbackHost } from './lan/interfaces.js';
import type { HubListener } from './listener.js';

/**
 * Visible on the LAN, or on this machine only, switched while the hub runs (the settings'
 * lanVisible). Showing moves the listener to the LAN address and starts announcing over mDNS
 * (unless mDNS is forced off); hiding moves it back to loopback, says goodbye over mDNS and ends
 * everything that came from another machine: WebSockets with 1001 "hub hidden from the LAN",
 * event streams and API connections at once. Loopback clients keep their connections throughout.
 */
export interface VisibilityOptions {
  listener: HubListener;
  presence: HubPresence;
  streams: EventStreams;
  connections: ReadonlySet<ClientConnection>;
  /** What to bind when visible (0.0.0.0 or the LAN address given) and when hidden. */
  hosts: { lan: string; loopback: string };
  /** The listener moved: remember the host, rewrite the runtime file. */
  moved(host: string): void;
  /** The presence was rebuilt for the new host (mDNS state and peers may differ). */
  presenceChanged(): void;
  log: Logger;
}

export const HIDDEN_REASON = 'hub hidden from the LAN';

export class Visibility {
  constructor(private readonly options: VisibilityOptions) {}

  get visible(): boolean {
    const bound = this.options.listener.address();
    return bound !== null && !isLoopbackHost(bound.host);
  }

  /** Rebinds (PORT_IN_USE if the LAN address cannot be bound: nothing changes then). */
  async set(visible: boolean): Promise<void> {
    if (visible === this.visible) return;
    const { listener, hosts, presence, log } = this.options;
    const host = visible ? hosts.lan : hosts.loopback;
    await listener.rebind(host);
    this.options.moved(host);
    if (!visible) this.dropRemote();
    log.info({ host }, visible ? 'hub visible on the LAN' : 'hub hidden from the LAN');
    // Announcing takes a second of probing: the caller's answer does not wait for it.
    presence.rebind(host).then(
      () => this.options.presenceChanged(),
      (error: unknown) => log.error({ err: describeError(error) }, 'LAN presence could not follow the move'),
    );
  }

  private dropRemote(): void {
    for (const connection of this.options.connections) {
      if (!isLoopback(connection.identity.ip ?? undefined))
        connection.close(CloseCode.goingAway, HIDDEN_REASON);
    }
    this.options.streams.closeRemote();
    this.options.listener.dropRemoteHttp();
  }
}
