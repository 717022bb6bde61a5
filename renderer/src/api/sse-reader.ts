/**
 * Server-sent events, parsed the way the HTML standard's EventSource does it: we read the stream
 * with fetch (EventSource cannot send an Authorization header), so the parsing is ours.
 *
 * The stream is lines ending in CRLF, LF or CR. `field: value` lines build an event; an empty line
 * dispatches it (if it carried data); lines starting with ':' are comments (the hub's heartbeats).
 * A chunk may end anywhere, even between a CR and its LF, so partial lines wait for the next chunk.
 * Only `event` and `data` matter to us: the hub sends no ids (after a gap the client refetches
 * everything instead of replaying) and no `retry` (the client keeps its own backoff).
 */
export interface SseEvent {
  /** The `event:` field; "message" when the event had none. */
  type: string;
  /** The `data:` lines joined with "\n". */
  data: string;
}

export interface SseParser {
  /** Feeds the next piece of decoded text. */
  push(text: string): void;
}

export function createSseParser(onEvent: (event: SseEvent) => void): SseParser {
  let pending = '';
  let atStart = true;
  // A chunk ended in CR: an LF starting the next chunk belongs to that same line break.
  let skipLeadingLf = false;
  let type = '';
  let data: string[] = [];

  const dispatch = (): void => {
    if (data.length > 0) onEvent({ type: type === '' ? 'message' : type, data: data.join('\n') });
    type = '';
    data = [];
  };

  const processLine = (line: string): void => {
    if (line === '') {
      dispatch();
      return;
    }
    if (line.startsWith(':')) return;
    const colon = line.indexOf(':');
    const field = colon === -1 ? line : line.slice(0, colon);
    let value = colon === -1 ? '' : line.slice(colon + 1);
    if (value.startsWith(' ')) value = value.slice(1);
    if (field === 'event') type = value;
    else if (field === 'data') data.push(value);
  };

  return {
    push(text) {
      if (text === '') return;
      let input = skipLeadingLf && text.startsWith('\n') ? text.slice(1) : text;
      skipLeadingLf = false;
      if (atStart) {
        atStart = false;
        if (input.startsWith('\uFEFF')) input = input.slice(1);
      }
      // The leftover holds no line break (it was scanned last time): scan only the new text.
      let index = pending.length;
      pending += input;
      let lineStart = 0;
      for (; index < pending.length; index++) {
        const char = pending[index];
        if (char !== '\n' && char !== '\r') continue;
        processLine(pending.slice(lineStart, index));
        if (char === '\r') {
          if (index + 1 === pending.length) skipLeadingLf = true;
          else if (pending[index + 1] === '\n') index++;
        }
        lineStart = index + 1;
      }
      pending = pending.slice(lineStart);
    },
  };
}
