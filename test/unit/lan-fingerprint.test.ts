import assert from 'node:assert/strict';
import { createHash, generateKeyPairSync } from 'node:crypto';
import { describe, it } from 'node:test';
import { base32, isFingerprint, shortFingerprint } from '../../src/net/lan/fingerprint.js';
import { fingerprintOf, identityProof, proofHolds } from '../../src/net/lan/identity.js';
import type { PublicHubIdentity } from '../../src/net/lan/types.js';

describe('the short form of a key fingerprint', () => {
  it('base32 follows RFC 4648 (test vectors, no padding)', () => {
    const vectors: Array<[string, string]> = [
      ['', ''],
      ['f', 'MY'],
      ['fo', 'MZXQ'],
      ['foo', 'MZXW6'],
      ['foob', 'MZXW6YQ'],
      ['fooba', 'MZXW6YTB'],
      ['foobar', 'MZXW6YTBOI'],
    ];
    for (const [input, expected] of vectors) assert.equal(base32(Buffer.from(input)), expected, input);
  });

  it('is five groups of four base32 characters taken from the start of the SHA-256', () => {
    const fingerprint = createHash('sha256').update('a hub key').digest('hex');
    const short = shortFingerprint(fingerprint);
    assert.match(short, /^[A-Z2-7]{4}(-[A-Z2-7]{4}){4}$/);
    assert.equal(short.replace(/-/g, ''), base32(Buffer.from(fingerprint, 'hex')).slice(0, 20));
  });

  it('differs for different keys and is stable for one key', () => {
    const a = createHash('sha256').update('key a').digest('hex');
    const b = createHash('sha256').update('key b').digest('hex');
    assert.notEqual(shortFingerprint(a), shortFingerprint(b));
    assert.equal(shortFingerprint(a), shortFingerprint(a));
  });

  it('refuses anything that is not a hex SHA-256', () => {
    assert.equal(isFingerprint('ab'.repeat(32)), true);
    for (const bad of ['', 'AB'.repeat(32), 'ab'.repeat(31), `${'ab'.repeat(31)}zz`]) {
      assert.equal(isFingerprint(bad), false, bad);
      assert.throws(() => shortFingerprint(bad), TypeError);
    }
  });
});

describe('proof that a hub holds the key behind its fingerprint', () => {
  const { privateKey, publicKey } = generateKeyPairSync('ed25519');
  const challenge = 'c'.repeat(24);
  const identity = (overrides: Partial<PublicHubIdentity> = {}): PublicHubIdentity => ({
    id: 'h_hub',
    name: 'Room',
    version: '0.1.0',
    protocolVersion: '1',
    fingerprint: fingerprintOf(publicKey),
    fingerprintShort: shortFingerprint(fingerprintOf(publicKey)),
    ...identityProof(privateKey, 'h_hub', challenge),
    ...overrides,
  });

  it('holds for the key holder and the challenge it was asked', () => {
    assert.equal(proofHolds(identity(), challenge), true);
  });

  it('fails for another challenge (a replayed answer), another hub id, or a fingerprint of another key', () => {
    const other = generateKeyPairSync('ed25519');
    assert.equal(proofHolds(identity(), 'd'.repeat(24)), false);
    assert.equal(proofHolds(identity({ id: 'h_other' }), challenge), false);
    assert.equal(proofHolds(identity({ fingerprint: fingerprintOf(other.publicKey) }), challenge), false);
    assert.equal(
      proofHolds(identity({ ...identityProof(other.privateKey, 'h_hub', challenge) }), challenge),
      false,
    );
  });

  it('fails without a proof or with garbage', () => {
    assert.equal(proofHolds(identity({ proof: undefined }), challenge), false);
    assert.equal(proofHolds(identity({ publicKey: 'bm90IGEga2V5' }), challenge), false);
  });
});
