import type { ServerResponse } from 'node:http';
import type { FastifyInstance } from 'fastify';
import type { HubChange } from '../../client/hub-client.js';
import type { HubChangesListener } from '../../service/hub-events.js';
import { isLoopback } from '../addresses.js';

/**
 * GET /api/events: the hub's changes as Server-Sent Events, for the management UI in a browser
 * (read with fetch streaming: it must send the admin token, which EventSource cannot). The wire:
 *
 *   event: ready\ndata: {}\n\n                                    once, when the stream opens
 *   event: changes\ndata: {"changes":[{"topic":"boards"},…]}\n\n   one per coalesced batch
 *   : ping\n\n                                                    every 15 s, so proxies and the
 *                                                                 client notice a dead stream
 *
 * A change says what to refetch, never the data, so a client that reconnects just refetches.
 * Streams end when the hub stops and unsubscribe when the client goes away.
 */
export const SSE_READY = 'event: ready\ndata: {}\n\n';
export const SSE_PING = ': ping\n\n';
export const sseChanges = (changes: readonly HubChange[]): string =>
  `event: changes\ndata: ${JSON.stringify({ changes })}\n\n`;

const HEARTBEAT_MS = 15_000;
/** A client this far behind is not reading: end its stream (it reconnects and refetches). */
const MAX_BUFFERED_BYTES = 1024 * 1024;

export interface ChangeSource {
  subscribe(listener: HubChangesListener): () => void;
}

interface OpenStream {
  response: ServerResponse;
  remoteAddress: string | undefined;
  close(): void;
}

/** The open event streams, so the hub can end them (all on stop, remote ones when hidden). */
export class EventStreams {
  private readonly open = new Set<OpenStream>();

  constructor(
    private readonly source: ChangeSource,
    private readonly heartbeatMs = HEARTBEAT_MS,
  ) {}

  get size(): number {
    return this.open.size;
  }

  attach(response: ServerResponse, remoteAddress: string | undefined): void {
    response.writeHead(200, {
      'Content-Type': 'text/event-stream',
      'Cache-Control': 'no-store',
      'X-Accel-Buffering': 'no',
    });
    const write = (chunk: string): void => {
      if (response.writableLength > MAX_BUFFERED_BYTES) {
        stream.close();
        return;
      }
      response.write(chunk);
    };
    const unsubscribe = this.source.subscribe((changes) => write(sseChanges(changes)));
    const heartbeat = setInterval(() => write(SSE_PING), this.heartbeatMs);
    heartbeat.unref();
    const stream: OpenStream = {
      response,
      remoteAddress,
      close: () => {
        if (!this.open.delete(stream)) return;
        unsubscribe();
        clearInterval(heartbeat);
        response.end();
      },
    };
    this.open.add(stream);
    response.on('close', stream.close);
    response.write(SSE_READY);
  }

  /** Ends every stream (hub stop: before the HTTP server closes, which would wait for them). */
  closeAll(): void {
    for (const stream of [...this.open]) stream.close();
  }

  /** Ends the streams of other machines (the hub was hidden from the LAN). */
  closeRemote(): void {
    for (const stream of [...this.open]) if (!isLoopback(stream.remoteAddress)) stream.close();
  }
}

export function registerEventRoutes(app: FastifyInstance, streams: EventStreams): void {
  app.get('/api/events', async (request, reply) => {
    // The response outlives this handler: fastify must neither send nor time it out.
    reply.hijack();
    request.raw.socket.setTimeout(0);
    streams.attach(reply.raw, request.socket.remoteAddress);
  });
}
