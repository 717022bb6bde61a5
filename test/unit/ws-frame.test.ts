import assert from 'node:assert/strict';
import { createRequire } from 'node:module';
import { describe, it } from 'node:test';
import { frameBinaryMessage, frameHeaderLength } from '../../src/sync/ws-frame.js';

/** ws's own frame parser (a Writable), which @types/ws does not declare. */
interface FrameReceiver {
  on(event: 'message', listener: (data: Buffer, isBinary: boolean) => void): void;
  on(event: 'error', listener: (error: Error) => void): void;
  write(chunk: Buffer, callback: (error?: Error | null) => void): boolean;
}
const { Receiver } = createRequire(import.meta.url)('ws') as {
  Receiver: new (options: { isServer: boolean; maxPayload: number }) => FrameReceiver;
};

/** Parses frames the way a client's ws does (unmasked server frames) and returns the messages. */
function parse(bytes: Buffer): Promise<Buffer[]> {
  return new Promise((resolve, reject) => {
    const messages: Buffer[] = [];
    const receiver = new Receiver({ isServer: false, maxPayload: 0 });
    receiver.on('message', (data: Buffer, isBinary: boolean) => {
      assert.equal(isBinary, true);
      messages.push(data);
    });
    receiver.on('error', reject);
    receiver.write(bytes, (error) => (error ? reject(error) : resolve(messages)));
  });
}

describe('broadcast frames built once', () => {
  for (const size of [0, 1, 125, 126, 65_535, 65_536, 200_000]) {
    it(`a ${size}-byte message is one binary frame a ws client reads back intact`, async () => {
      const payload = Buffer.alloc(size);
      for (let i = 0; i < size; i++) payload[i] = (i * 31) & 0xff;
      const frame = frameBinaryMessage(payload);
      assert.equal(frame.byteLength - frameHeaderLength(frame), size);
      // Two frames back to back, as on a socket: each must end exactly where its length says.
      const messages = await parse(Buffer.concat([frame, frame]));
      assert.equal(messages.length, 2);
      for (const message of messages) assert.deepEqual(message, payload);
    });
  }
});
