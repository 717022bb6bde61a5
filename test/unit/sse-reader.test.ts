import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { createSseParser, type SseEvent } from '../../renderer/src/api/sse-reader.js';

function parseChunks(chunks: readonly string[]): SseEvent[] {
  const events: SseEvent[] = [];
  const parser = createSseParser((event) => events.push(event));
  for (const chunk of chunks) parser.push(chunk);
  return events;
}

/** What the hub sends: ready, a heartbeat, two batches (one with two data lines). */
const HUB_STREAM =
  'event: ready\ndata: {}\n\n: ping\n\nevent: changes\ndata: {"changes":[{"topic":"boards"}]}\n\n' +
  'event: changes\ndata: {"changes":\ndata: []}\n\n';

const HUB_EVENTS: SseEvent[] = [
  { type: 'ready', data: '{}' },
  { type: 'changes', data: '{"changes":[{"topic":"boards"}]}' },
  { type: 'changes', data: '{"changes":\n[]}' },
];

describe('SSE parsing (sse-reader.ts)', () => {
  it('reads the hub’s events and skips heartbeat comments', () => {
    assert.deepEqual(parseChunks([HUB_STREAM]), HUB_EVENTS);
  });

  it('treats CRLF, LF and lone CR line breaks alike', () => {
    assert.deepEqual(parseChunks([HUB_STREAM.replaceAll('\n', '\r\n')]), HUB_EVENTS);
    assert.deepEqual(parseChunks([HUB_STREAM.replaceAll('\n', '\r')]), HUB_EVENTS);
  });

  it('gives the same events however the stream is cut into chunks, even between CR and LF', () => {
    for (const stream of [
      HUB_STREAM,
      HUB_STREAM.replaceAll('\n', '\r\n'),
      HUB_STREAM.replaceAll('\n', '\r'),
    ]) {
      for (let cut = 0; cut <= stream.length; cut++) {
        assert.deepEqual(parseChunks([stream.slice(0, cut), stream.slice(cut)]), HUB_EVENTS, `cut at ${cut}`);
      }
      assert.deepEqual(parseChunks([...stream]), HUB_EVENTS, 'one character at a time');
    }
  });

  it('a CR ending one chunk and an LF starting the next are one line break, not an empty line', () => {
    assert.deepEqual(parseChunks(['data: a\r', '\ndata: b\r', '\n', '\r\n']), [
      { type: 'message', data: 'a\nb' },
    ]);
  });

  it('an event without data is not dispatched; one without a type is a "message"', () => {
    assert.deepEqual(parseChunks(['event: ready\n\ndata: x\n\n']), [{ type: 'message', data: 'x' }]);
  });

  it('removes exactly one space after the colon; a line without a colon is a field with an empty value', () => {
    assert.deepEqual(parseChunks(['data:  two\ndata:none\ndata\n\n']), [
      { type: 'message', data: ' two\nnone\n' },
    ]);
  });

  it('ignores fields it does not use and a byte-order mark at the start', () => {
    assert.deepEqual(parseChunks(['\uFEFFid: 7\nretry: 100\nfoo: bar\ndata: y\n\n']), [
      { type: 'message', data: 'y' },
    ]);
  });

  it('does not dispatch an event the stream ended in the middle of', () => {
    assert.deepEqual(parseChunks(['event: changes\ndata: {"changes":[]}\n']), []);
  });
});
