import type { Server } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import { describeError, HubError } from '../errors.js';
import { isLoopback } from './addresses.js';

/**
 * Where the hub's one HTTP server listens, and moving it: between 127.0.0.1 (this machine only)
 * and the LAN address (0.0.0.0) on the same port, while it runs. Connections already accepted
 * are not the listening socket's: they stay open across a move (WebSockets, event streams, the
 * request that asked for the move), so loopback clients never notice. Hiding the hub from the LAN
 * then ends what came from other machines (see dropRemoteHttp).
 */
export interface BoundAddress {
  host: string;
  port: number;
}

export class HubListener {
  /** Accepted connections, to end those from other machines when the hub hides from the LAN. */
  private readonly sockets = new Set<Socket>();
  /** Connections that became WebSockets: their rooms close them properly (with a close code). */
  private readonly upgraded = new WeakSet<Socket>();
  private bound: BoundAddress | null = null;

  constructor(private readonly server: Server) {
    const sockets = this.sockets;
    // One listener shared by every socket ('close' comes once; `this` is the socket), not a
    // closure and a once() wrapper each: ~200 bytes less per open connection.
    function forgetClosedSocket(this: Socket): void {
      sockets.delete(this);
    }
    server.on('connection', (socket: Socket) => {
      sockets.add(socket);
      socket.on('close', forgetClosedSocket);
    });
    server.on('upgrade', (_request, socket: Socket) => this.upgraded.add(socket));
  }

  /** Where the server listens now (null before listen()). */
  address(): BoundAddress | null {
    return this.bound;
  }

  /**
   * Listens on host:port. With `fallback`, a port in use is replaced by a free one (the caller
   * remembers it); without, PORT_IN_USE.
   */
  async listen(host: string, port: number, fallback: boolean): Promise<BoundAddress> {
    try {
      await this.listenOnce(host, port);
    } catch (error) {
      if (!(fallback && isPortInUse(error))) throw this.describe(error, host, port);
      try {
        await this.listenOnce(host, 0);
      } catch (retryError) {
        throw this.describe(retryError, host, 0);
      }
    }
    this.bound = { host, port: (this.server.address() as AddressInfo).port };
    return this.bound;
  }

  /**
   * Moves the listening socket to `host` on the same port. If the new address cannot be bound
   * (another program holds the port on some interface), the old one is bound again and the move
   * fails with PORT_IN_USE.
   */
  async rebind(host: string): Promise<BoundAddress> {
    const old = this.bound;
    if (!old) throw new HubError('INTERNAL', 'The hub is not listening.');
    if (old.host === host) return old;
    // Stops accepting only (and closes idle keep-alive sockets, which clients simply reopen).
    this.server.close();
    try {
      await this.listenOnce(host, old.port);
    } catch (error) {
      await this.listenOnce(old.host, old.port);
      throw this.describe(error, host, old.port);
    }
    this.bound = { host, port: old.port };
    return this.bound;
  }

  /** Ends plain HTTP connections (admin API, event streams) from other machines; not WebSockets. */
  dropRemoteHttp(): void {
    for (const socket of this.sockets) {
      if (!this.upgraded.has(socket) && !isLoopback(socket.remoteAddress)) socket.destroy();
    }
  }

  private listenOnce(host: string, port: number): Promise<void> {
    return new Promise((resolve, reject) => {
      const onError = (error: Error): void => {
        this.server.off('listening', onListening);
        reject(error);
      };
      const onListening = (): void => {
        this.server.off('error', onError);
        resolve();
      };
      this.server.once('error', onError);
      this.server.once('listening', onListening);
      // "localhost" may resolve to ::1 first; loopback clients and our links use 127.0.0.1.
      this.server.listen({ host: host === 'localhost' ? '127.0.0.1' : host, port });
    });
  }

  private describe(error: unknown, host: string, port: number): HubError {
    if (error instanceof HubError) return error;
    if (isPortInUse(error)) {
      return new HubError(
        'PORT_IN_USE',
        `Port ${port} on ${host} is already in use; choose another port (--port, or the hub's settings).`,
      );
    }
    return new HubError('INTERNAL', `Cannot listen on ${host}:${port}: ${describeError(error)}`);
  }
}

const isPortInUse = (error: unknown): boolean => (error as NodeJS.ErrnoException)?.code === 'EADDRINUSE';
