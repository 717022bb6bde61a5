import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { describe, it } from 'node:test';
import { bytesToBase64 } from '../../renderer/src/api/base64.js';

describe('base64 without Buffer (base64.ts)', () => {
  it('matches Node’s encoding for every length around the chunk size', () => {
    for (const length of [0, 1, 2, 3, 4, 5, 24_575, 24_576, 24_577, 24_578, 49_152, 100_001]) {
      const bytes = new Uint8Array(randomBytes(length));
      assert.equal(bytesToBase64(bytes), Buffer.from(bytes).toString('base64'), `length ${length}`);
    }
  });

  it('encodes a view into a larger buffer (only its own bytes)', () => {
    const backing = new Uint8Array(randomBytes(1000));
    const view = backing.subarray(17, 917);
    assert.equal(bytesToBase64(view), Buffer.from(view).toString('base64'));
  });

  it('encodes a 16 MB board without overflowing the stack', () => {
    const bytes = new Uint8Array(randomBytes(16 * 1024 * 1024));
    assert.equal(bytesToBase64(bytes), Buffer.from(bytes).toString('base64'));
  });
});
