import assert from 'node:assert/strict';
import { createHmac, createPublicKey, generateKeyPairSync, type KeyObject } from 'node:crypto';
import { chmodSync, readFileSync, statSync, utimesSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { SignJWT } from 'jose';
import { Keyring } from '../../src/auth/keyring.js';
import {
  issuerFor,
  ShareTokenVerifier,
  signShareToken,
  TOKEN_AUDIENCE,
  verifyShareToken,
} from '../../src/auth/tokens.js';
import { type ErrorCode, HubError } from '../../src/errors.js';
import { makeTempDir } from '../helpers/temp-dir.js';

const HUB_ID = 'h_testhub0001';
const BOARD = 'b_board0000001';
const OTHER_BOARD = 'b_board0000002';
const SHARE = 's_share000000001';

const tempDirs: Array<{ remove(): void }> = [];
after(() => {
  for (const dir of tempDirs) dir.remove();
});

function tempDataDir(): string {
  const dir = makeTempDir('boardhub-tokens-');
  tempDirs.push(dir);
  return dir.path;
}

const nowSeconds = (): number => Math.floor(Date.now() / 1000);

const b64url = (value: string | Buffer): string => Buffer.from(value).toString('base64url');
const b64json = (value: unknown): string => b64url(JSON.stringify(value));

/** The claims a genuine share token of HUB_ID carries, for hand-built forgeries. */
function genuineClaims(overrides: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    role: 'edit',
    iss: issuerFor(HUB_ID),
    aud: TOKEN_AUDIENCE,
    sub: BOARD,
    jti: SHARE,
    iat: nowSeconds(),
    exp: nowSeconds() + 3600,
    ...overrides,
  };
}

function assertRefused(verify: () => unknown, code: ErrorCode): void {
  assert.throws(verify, (error: unknown) => {
    assert.ok(error instanceof HubError, `expected a HubError, got ${String(error)}`);
    assert.equal(error.code, code);
    return true;
  });
}

const modeOf = (path: string): number => statSync(path).mode & 0o777;

describe('share tokens and the keyring that signs them', () => {
  const dataDir = tempDataDir();
  const keyring = Keyring.open(dataDir);
  const { kid, privateKey } = keyring.currentSigningKey();
  const publicKey: KeyObject = createPublicKey(privateKey);

  describe('the keyring', () => {
    it('keeps keys/keyring.json readable by its owner only (file 0600, folder 0700)', () => {
      const previous = process.umask(0);
      try {
        const dir = tempDataDir();
        Keyring.open(dir);
        assert.equal(modeOf(join(dir, 'keys')).toString(8), '700');
        assert.equal(modeOf(join(dir, 'keys', 'keyring.json')).toString(8), '600');
      } finally {
        process.umask(previous);
      }
      assert.equal(modeOf(join(dataDir, 'keys')).toString(8), '700');
      assert.equal(modeOf(join(dataDir, 'keys', 'keyring.json')).toString(8), '600');
    });

    it('tightens permissions that were loosened since', () => {
      const dir = tempDataDir();
      Keyring.open(dir);
      chmodSync(join(dir, 'keys'), 0o755);
      chmodSync(join(dir, 'keys', 'keyring.json'), 0o644);
      Keyring.open(dir);
      assert.equal(modeOf(join(dir, 'keys')).toString(8), '700');
      assert.equal(modeOf(join(dir, 'keys', 'keyring.json')).toString(8), '600');
    });

    it('opening it again gives the same key, and tokens of one verify with the other', async () => {
      const again = Keyring.open(dataDir);
      assert.equal(again.currentSigningKey().kid, kid);
      assert.equal(again.publicKeyFingerprint(), keyring.publicKeyFingerprint());
      assert.match(keyring.publicKeyFingerprint(), /^[0-9a-f]{64}$/);
      const token = await signShareToken(keyring, HUB_ID, {
        boardId: BOARD,
        shareId: SHARE,
        role: 'view',
        expiresAt: null,
      });
      assert.equal(verifyShareToken(again, HUB_ID, token).boardId, BOARD);
    });

    it('a key retired since (by another process editing the keyring) verifies nothing, without a restart', async () => {
      const dir = tempDataDir();
      const live = Keyring.open(dir);
      const token = await signShareToken(live, HUB_ID, {
        boardId: BOARD,
        shareId: SHARE,
        role: 'edit',
        expiresAt: null,
      });
      assert.equal(verifyShareToken(live, HUB_ID, token).shareId, SHARE);

      const file = join(dir, 'keys', 'keyring.json');
      const stored = JSON.parse(readFileSync(file, 'utf8')) as { keys: Array<{ retiredAt: number | null }> };
      for (const key of stored.keys) key.retiredAt = Date.now();
      writeFileSync(file, JSON.stringify(stored));
      utimesSync(file, new Date(), new Date(Date.now() + 5_000));
      assertRefused(() => verifyShareToken(live, HUB_ID, token), 'TOKEN_INVALID');
    });

    it('another data folder gets another key', () => {
      const other = Keyring.open(tempDataDir());
      assert.notEqual(other.currentSigningKey().kid, kid);
      assert.notEqual(other.publicKeyFingerprint(), keyring.publicKeyFingerprint());
    });
  });

  describe('a genuine token', () => {
    it('verifies and yields its board, share id and expiry', async () => {
      const expiresAt = nowSeconds() + 3600;
      const token = await signShareToken(keyring, HUB_ID, {
        boardId: BOARD,
        shareId: SHARE,
        role: 'edit',
        expiresAt,
      });
      assert.deepEqual(verifyShareToken(keyring, HUB_ID, token), {
        boardId: BOARD,
        shareId: SHARE,
        expiresAt,
        keyId: keyring.currentSigningKey().kid,
      });
    });

    it('without expiry verifies with expiresAt null', async () => {
      const token = await signShareToken(keyring, HUB_ID, {
        boardId: BOARD,
        shareId: SHARE,
        role: 'view',
        expiresAt: null,
      });
      assert.deepEqual(verifyShareToken(keyring, HUB_ID, token), {
        boardId: BOARD,
        shareId: SHARE,
        expiresAt: null,
        keyId: keyring.currentSigningKey().kid,
      });
    });

    it('is an EdDSA JWT naming its key, and never contains the private key', async () => {
      const token = await signShareToken(keyring, HUB_ID, {
        boardId: BOARD,
        shareId: SHARE,
        role: 'comment',
        expiresAt: null,
      });
      const [header, payload] = token.split('.') as [string, string];
      assert.deepEqual(JSON.parse(Buffer.from(header, 'base64url').toString()), {
        alg: 'EdDSA',
        kid,
        typ: 'JWT',
      });
      const claims = JSON.parse(Buffer.from(payload, 'base64url').toString()) as Record<string, unknown>;
      assert.equal(claims.iss, issuerFor(HUB_ID));
      assert.equal(claims.aud, TOKEN_AUDIENCE);
      assert.equal(claims.sub, BOARD);
      assert.equal(claims.jti, SHARE);
      assert.equal(claims.role, 'comment');
    });
  });

  describe('refused tokens', () => {
    it('an expired token is TOKEN_EXPIRED', async () => {
      const token = await signShareToken(keyring, HUB_ID, {
        boardId: BOARD,
        shareId: SHARE,
        role: 'edit',
        expiresAt: nowSeconds() - 60,
      });
      assertRefused(() => verifyShareToken(keyring, HUB_ID, token), 'TOKEN_EXPIRED');
    });

    it("a token signed by another hub's keyring is TOKEN_INVALID", async () => {
      const otherHub = Keyring.open(tempDataDir());
      const token = await signShareToken(otherHub, HUB_ID, {
        boardId: BOARD,
        shareId: SHARE,
        role: 'edit',
        expiresAt: null,
      });
      assertRefused(() => verifyShareToken(keyring, HUB_ID, token), 'TOKEN_INVALID');
    });

    it("another hub's key under this hub's kid is TOKEN_INVALID (bad signature)", async () => {
      const { privateKey: foreignKey } = generateKeyPairSync('ed25519');
      const token = await new SignJWT(genuineClaims())
        .setProtectedHeader({ alg: 'EdDSA', kid, typ: 'JWT' })
        .sign(foreignKey);
      assertRefused(() => verifyShareToken(keyring, HUB_ID, token), 'TOKEN_INVALID');
    });

    it('the same key but another hub id (issuer) is TOKEN_INVALID', async () => {
      const token = await signShareToken(keyring, 'h_someotherhub', {
        boardId: BOARD,
        shareId: SHARE,
        role: 'edit',
        expiresAt: null,
      });
      assertRefused(() => verifyShareToken(keyring, HUB_ID, token), 'TOKEN_INVALID');
    });

    it('the right key and issuer but another audience is TOKEN_INVALID', async () => {
      const token = await new SignJWT(genuineClaims({ aud: 'boardhub:admin' }))
        .setProtectedHeader({ alg: 'EdDSA', kid, typ: 'JWT' })
        .sign(privateKey);
      assertRefused(() => verifyShareToken(keyring, HUB_ID, token), 'TOKEN_INVALID');
    });

    it('a signed token without its board (sub) or share (jti) is TOKEN_INVALID', async () => {
      for (const missing of ['sub', 'jti']) {
        const claims = genuineClaims();
        delete claims[missing];
        const token = await new SignJWT(claims)
          .setProtectedHeader({ alg: 'EdDSA', kid, typ: 'JWT' })
          .sign(privateKey);
        assertRefused(() => verifyShareToken(keyring, HUB_ID, token), 'TOKEN_INVALID');
      }
    });

    it('an unsigned `alg: none` token is TOKEN_INVALID', async () => {
      const forged = [
        `${b64json({ alg: 'none', typ: 'JWT' })}.${b64json(genuineClaims())}.`,
        `${b64json({ alg: 'none', typ: 'JWT', kid })}.${b64json(genuineClaims())}.`,
        `${b64json({ alg: 'None', kid })}.${b64json(genuineClaims())}.`,
      ];
      for (const token of forged) {
        assertRefused(() => verifyShareToken(keyring, HUB_ID, token), 'TOKEN_INVALID');
      }
    });

    it('a tampered payload (sub changed to another board, signature kept) is TOKEN_INVALID', async () => {
      const token = await signShareToken(keyring, HUB_ID, {
        boardId: BOARD,
        shareId: SHARE,
        role: 'view',
        expiresAt: null,
      });
      const [header, payload, signature] = token.split('.') as [string, string, string];
      const claims = JSON.parse(Buffer.from(payload, 'base64url').toString()) as Record<string, unknown>;
      assert.equal(claims.sub, BOARD);
      const tamperedBoard = `${header}.${b64json({ ...claims, sub: OTHER_BOARD })}.${signature}`;
      assertRefused(() => verifyShareToken(keyring, HUB_ID, tamperedBoard), 'TOKEN_INVALID');
      const tamperedRole = `${header}.${b64json({ ...claims, role: 'edit' })}.${signature}`;
      assertRefused(() => verifyShareToken(keyring, HUB_ID, tamperedRole), 'TOKEN_INVALID');
      const noSignature = `${header}.${payload}.`;
      assertRefused(() => verifyShareToken(keyring, HUB_ID, noSignature), 'TOKEN_INVALID');
    });

    it('an HS256 token whose secret is the public key (algorithm confusion) is TOKEN_INVALID', async () => {
      const publicKeyEncodings: Buffer[] = [
        Buffer.from(publicKey.export({ type: 'spki', format: 'pem' })),
        publicKey.export({ type: 'spki', format: 'der' }),
        Buffer.from(publicKey.export({ format: 'jwk' }).x ?? '', 'base64url'),
      ];
      for (const secret of publicKeyEncodings) {
        const signingInput = `${b64json({ alg: 'HS256', typ: 'JWT', kid })}.${b64json(genuineClaims())}`;
        const mac = createHmac('sha256', secret).update(signingInput).digest('base64url');
        assertRefused(() => verifyShareToken(keyring, HUB_ID, `${signingInput}.${mac}`), 'TOKEN_INVALID');
      }
    });

    it('an unknown or missing kid is TOKEN_INVALID, even with a valid signature by the real key', async () => {
      for (const header of [
        { alg: 'EdDSA', kid: 'no-such-key', typ: 'JWT' },
        { alg: 'EdDSA', kid: 'constructor', typ: 'JWT' },
        { alg: 'EdDSA', kid: '__proto__', typ: 'JWT' },
        { alg: 'EdDSA', typ: 'JWT' },
      ]) {
        const token = await new SignJWT(genuineClaims()).setProtectedHeader(header).sign(privateKey);
        assertRefused(() => verifyShareToken(keyring, HUB_ID, token), 'TOKEN_INVALID');
      }
    });

    it('garbage strings are TOKEN_INVALID', async () => {
      const garbage = [
        '',
        'garbage',
        'a.b.c',
        '...',
        'a.b',
        'a.b.c.d.e',
        `${b64json({ alg: 'EdDSA', kid })}.not-base64-json.sig`,
        `${b64json('just a string')}.${b64json(genuineClaims())}.sig`,
        `${b64json({ alg: 'EdDSA', kid })}.${b64json([1, 2, 3])}.sig`,
        '\u0000\u0001\u0002',
        '🎨.🎨.🎨',
        'x'.repeat(100_000),
      ];
      for (const token of garbage) {
        assertRefused(() => verifyShareToken(keyring, HUB_ID, token), 'TOKEN_INVALID');
      }
    });
  });

  describe('the verifier that remembers checked signatures', () => {
    const sign = (overrides: Partial<{ shareId: string; expiresAt: number | null }> = {}) =>
      signShareToken(keyring, HUB_ID, {
        boardId: BOARD,
        shareId: SHARE,
        role: 'edit',
        expiresAt: null,
        ...overrides,
      });

    it('answers like verifyShareToken, the first time and again', async () => {
      const verifier = new ShareTokenVerifier(keyring, HUB_ID);
      const expiresAt = nowSeconds() + 3600;
      const token = await sign({ expiresAt });
      const expected = verifyShareToken(keyring, HUB_ID, token);
      assert.deepEqual(verifier.verify(token), expected);
      assert.deepEqual(verifier.verify(token), expected);
      assert.equal(verifier.remembered, 1);
    });

    it('refuses a remembered token once it has expired', async () => {
      const verifier = new ShareTokenVerifier(keyring, HUB_ID);
      const expiresAt = nowSeconds() + 60;
      const token = await sign({ expiresAt });
      assert.equal(verifier.verify(token, expiresAt - 1).expiresAt, expiresAt);
      assertRefused(() => verifier.verify(token, expiresAt), 'TOKEN_EXPIRED');
    });

    it('refuses a remembered token not yet valid until its time comes', async () => {
      const verifier = new ShareTokenVerifier(keyring, HUB_ID);
      const notBefore = nowSeconds() + 60;
      const token = await new SignJWT(genuineClaims({ nbf: notBefore }))
        .setProtectedHeader({ alg: 'EdDSA', kid, typ: 'JWT' })
        .sign(privateKey);
      assertRefused(() => verifier.verify(token), 'TOKEN_INVALID');
      assertRefused(() => verifier.verify(token), 'TOKEN_INVALID');
      assert.equal(verifier.verify(token, notBefore).shareId, SHARE);
    });

    it('refuses a remembered token at once when its key is retired by another process', async () => {
      const dir = tempDataDir();
      const live = Keyring.open(dir);
      const verifier = new ShareTokenVerifier(live, HUB_ID);
      const token = await signShareToken(live, HUB_ID, {
        boardId: BOARD,
        shareId: SHARE,
        role: 'edit',
        expiresAt: null,
      });
      assert.equal(verifier.verify(token).shareId, SHARE);
      assert.equal(verifier.remembered, 1);

      const file = join(dir, 'keys', 'keyring.json');
      const stored = JSON.parse(readFileSync(file, 'utf8')) as { keys: Array<{ retiredAt: number | null }> };
      for (const key of stored.keys) key.retiredAt = Date.now();
      writeFileSync(file, JSON.stringify(stored));
      utimesSync(file, new Date(), new Date(Date.now() + 5_000));
      assertRefused(() => verifier.verify(token), 'TOKEN_INVALID');
      assert.equal(verifier.remembered, 0);
    });

    it('remembers only tokens whose signature verified, and at most its capacity', async () => {
      const verifier = new ShareTokenVerifier(keyring, HUB_ID, 2);
      const genuine = await sign();
      const [header, payload] = genuine.split('.');
      const forged = `${header}.${payload}.${b64url(Buffer.alloc(64, 7))}`;
      const tampered = `${header}.${b64json(genuineClaims({ sub: OTHER_BOARD }))}.${genuine.split('.')[2]}`;
      for (const token of [forged, tampered, forged])
        assertRefused(() => verifier.verify(token), 'TOKEN_INVALID');
      assert.equal(verifier.remembered, 0);

      const tokens = [
        genuine,
        await sign({ shareId: 's_share000000002' }),
        await sign({ shareId: 's_share000000003' }),
      ];
      for (const token of tokens) verifier.verify(token);
      assert.equal(verifier.remembered, 2);
      // The evicted one is checked afresh and still accepted.
      assert.equal(verifier.verify(genuine).shareId, SHARE);
      assert.equal(verifier.remembered, 2);
    });
  });
});
