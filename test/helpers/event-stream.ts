import { waitFor } from './wait.js';

/**
 * Reads GET /api/events the way the browser UI does (fetch streaming, with the admin token),
 * collecting each SSE frame as its raw text ("event: changes\ndata: {…}").
 */
export interface EventStreamReader {
  status: number;
  headers: Headers;
  frames: string[];
  /** Resolves when the server ended the stream. */
  ended: Promise<void>;
  /** The `changes` arrays of every `changes` frame so far, flattened. */
  changes(): Array<{ topic: string; boardId?: string }>;
  waitForFrame(what: string, match: (frame: string) => boolean): Promise<string>;
  close(): void;
}

export async function openEventStream(port: number, token: string): Promise<EventStreamReader> {
  const abort = new AbortController();
  const response = await fetch(`http://127.0.0.1:${port}/api/events`, {
    headers: { authorization: `Bearer ${token}` },
    signal: abort.signal,
  });
  const frames: string[] = [];
  const reader = response.body?.getReader();
  const decoder = new TextDecoder();
  let buffer = '';
  const ended = (async () => {
    if (!reader) return;
    try {
      for (;;) {
        const { done, value } = await reader.read();
        if (done) return;
        buffer += decoder.decode(value, { stream: true });
        let end = buffer.indexOf('\n\n');
        while (end !== -1) {
          frames.push(buffer.slice(0, end));
          buffer = buffer.slice(end + 2);
          end = buffer.indexOf('\n\n');
        }
      }
    } catch {
      // Aborted by close().
    }
  })();
  return {
    status: response.status,
    headers: response.headers,
    frames,
    ended,
    changes: () =>
      frames
        .filter((frame) => frame.startsWith('event: changes\n'))
        .flatMap(
          (frame) =>
            (JSON.parse(frame.slice(frame.indexOf('data: ') + 6)) as { changes: Array<{ topic: string }> })
              .changes,
        ),
    waitForFrame: (what, match) => waitFor(what, () => frames.find(match)),
    close: () => abort.abort(),
  };
}
