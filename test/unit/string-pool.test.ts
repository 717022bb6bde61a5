import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { StringPool } from '../../src/net/string-pool.js';

describe('string pool', () => {
  // Which copy comes back cannot be observed from JavaScript; bench/micro/connection-memory.ts
  // measures what sharing saves. Here: values come back unchanged, and the pool stays bounded.
  it('gives back an equal string, and null as null', () => {
    const pool = new StringPool(8);
    pool.intern(['127.0.0', '1'].join('.'));
    assert.equal(pool.intern(['127', '0.0.1'].join('.')), '127.0.0.1');
    assert.equal(pool.intern(null), null);
  });

  it('stays within its limit: a flood of distinct values starts it over', () => {
    const pool = new StringPool(3);
    for (let i = 0; i < 100; i++) assert.equal(pool.intern(`value-${i}`), `value-${i}`);
    const size = (pool as unknown as { strings: Map<string, string> }).strings.size;
    assert.ok(size <= 3, `size ${size}`);
  });
});
