import { createInterface } from 'node:readline';
import WebSocket from 'ws';
import { WebsocketProvider } from 'y-websocket';
import * as Y from 'yjs';

/**
 * Runs inside a network namespace a test created (`ip netns exec NS node --import tsx …`), where
 * the test process itself cannot reach: it answers one JSON request per stdin line on stdout.
 *   {id, op: 'fetch', url, method?, headers?, body?}   -> {id, status, body}
 *   {id, op: 'yjs-write', wsBase, boardId, token, text} -> {id, ok} once a stock y-websocket
 *      client synced and sent the text (inserted into the root text "t"); it stays connected
 *   {id, op: 'close'}                                     -> exits
 */
interface Request {
  id: number;
  op: 'fetch' | 'yjs-write' | 'close';
  url?: string;
  method?: string;
  headers?: Record<string, string>;
  body?: string;
  wsBase?: string;
  boardId?: string;
  token?: string;
  text?: string;
}

const providers: WebsocketProvider[] = [];
const reply = (value: Record<string, unknown>): void => {
  process.stdout.write(`${JSON.stringify(value)}\n`);
};

async function handle(request: Request): Promise<Record<string, unknown>> {
  switch (request.op) {
    case 'fetch': {
      const response = await fetch(request.url ?? '', {
        method: request.method ?? 'GET',
        headers: request.headers,
        body: request.body,
        signal: AbortSignal.timeout(10_000),
      });
      return { status: response.status, body: await response.text() };
    }
    case 'yjs-write': {
      const doc = new Y.Doc();
      const provider = new WebsocketProvider(request.wsBase ?? '', request.boardId ?? '', doc, {
        WebSocketPolyfill: WebSocket as unknown as typeof globalThis.WebSocket,
        disableBc: true,
        params: { token: request.token ?? '' },
      });
      providers.push(provider);
      await new Promise<void>((resolve, reject) => {
        const timer = setTimeout(() => reject(new Error('the client did not sync within 15 s')), 15_000);
        provider.on('sync', (synced: boolean) => {
          if (!synced) return;
          clearTimeout(timer);
          resolve();
        });
      });
      doc.getText('t').insert(0, request.text ?? '');
      return { ok: true };
    }
    case 'close':
      for (const provider of providers) provider.destroy();
      setImmediate(() => process.exit(0));
      return { ok: true };
  }
}

createInterface({ input: process.stdin }).on('line', (line) => {
  const request = JSON.parse(line) as Request;
  handle(request).then(
    (result) => reply({ id: request.id, ...result }),
    (error: unknown) =>
      reply({ id: request.id, error: error instanceof Error ? error.message : String(error) }),
  );
});
