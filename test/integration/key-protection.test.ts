import assert from 'node:assert/strict';
import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import type { KeyProtector } from '../../src/auth/key-protector.js';
import { runCli } from '../helpers/cli.js';
import { connectSynced } from '../helpers/clients.js';
import { makeTempDir } from '../helpers/temp-dir.js';
import { startTestHub } from '../helpers/test-hub.js';

/**
 * Signing keys sealed by the desktop app's OS keychain. The protector here is a real one built on
 * node:crypto (AES-256-GCM with a key only this test holds), standing in for Electron's safeStorage.
 */
function aesProtector(key: Buffer = randomBytes(32)): KeyProtector & { sealed: number } {
  return {
    kind: 'os-keychain',
    sealed: 0,
    seal(plain) {
      this.sealed++;
      const iv = randomBytes(12);
      const cipher = createCipheriv('aes-256-gcm', key, iv);
      const body = Buffer.concat([cipher.update(plain), cipher.final()]);
      return Buffer.concat([iv, cipher.getAuthTag(), body]);
    },
    unseal(sealed) {
      const decipher = createDecipheriv('aes-256-gcm', key, sealed.subarray(0, 12));
      decipher.setAuthTag(sealed.subarray(12, 28));
      return Buffer.concat([decipher.update(sealed.subarray(28)), decipher.final()]);
    },
  };
}

interface KeyringJson {
  version: number;
  protection?: string;
  keys: Array<Record<string, unknown>>;
}

const readKeyring = (dataDir: string): { text: string; json: KeyringJson } => {
  const text = readFileSync(join(dataDir, 'keys', 'keyring.json'), 'utf8');
  return { text, json: JSON.parse(text) as KeyringJson };
};

describe('key protection', () => {
  it('with a protector the private keys are only stored sealed, and share links work as before', async () => {
    const protector = aesProtector();
    const hub = await startTestHub({}, undefined, { keyProtector: protector });
    try {
      const { text, json } = readKeyring(hub.dataDir);
      assert.equal(json.version, 2);
      assert.equal(json.protection, 'os-keychain');
      assert.doesNotMatch(text, /PRIVATE KEY/);
      assert.equal(typeof json.keys[0]?.sealedPrivateKey, 'string');
      assert.equal(hub.hub.service.getSettings().keyProtection, 'os-keychain');

      const boardId = hub.createBoard('Sealed');
      const guest = await connectSynced(hub.wsBase, boardId, await hub.share(boardId, 'edit'));
      guest.destroy();

      const rotated = hub.hub.service.rotateKey({ name: 'test' });
      assert.ok(readKeyring(hub.dataDir).json.keys.some((key) => key.kid === rotated.kid));
      assert.doesNotMatch(readKeyring(hub.dataDir).text, /PRIVATE KEY/);
      const afterRotation = await connectSynced(hub.wsBase, boardId, await hub.share(boardId, 'view'));
      afterRotation.destroy();
    } finally {
      await hub.stop();
    }
  });

  it('a plain keyring is sealed when first opened with a protector; links issued before keep working', async () => {
    const data = makeTempDir();
    try {
      const plain = await startTestHub({}, data.path);
      const boardId = plain.createBoard('Older links');
      const token = await plain.share(boardId, 'edit');
      assert.equal(plain.hub.service.getSettings().keyProtection, 'file');
      assert.match(readKeyring(data.path).text, /PRIVATE KEY/);
      await plain.stop();

      const sealed = await startTestHub({}, data.path, { keyProtector: aesProtector() });
      try {
        assert.doesNotMatch(readKeyring(data.path).text, /PRIVATE KEY/);
        assert.equal(sealed.hub.service.getSettings().keyProtection, 'os-keychain');
        const guest = await connectSynced(sealed.wsBase, boardId, token);
        guest.destroy();
      } finally {
        await sealed.stop();
      }
    } finally {
      data.remove();
    }
  });

  it('without the protector (the CLI), boards and keys can be listed but no link is signed', async () => {
    const data = makeTempDir();
    try {
      const hub = await startTestHub({}, data.path, { keyProtector: aesProtector() });
      const boardId = hub.createBoard('App board');
      await hub.stop();

      const created = await runCli([
        'share',
        'create',
        '--data',
        data.path,
        '--board',
        boardId,
        '--role',
        'edit',
      ]);
      assert.equal(created.code, 1);
      assert.match(created.stderr, /protected by the Boardhub desktop app's OS keychain/);
      assert.match(created.stderr, /create share links .* in the desktop app/);
      assert.match(created.stderr, /\[KEYS_PROTECTED\]/);
      assert.doesNotMatch(created.stderr, /\n\s+at /);
      const shares = await runCli(['share', 'list', '--board', boardId, '--data', data.path, '--json']);
      assert.equal(shares.code, 0, shares.stderr);
      assert.deepEqual(JSON.parse(shares.stdout), [], 'the refused share left no row behind');

      const rotated = await runCli(['key', 'rotate', '--data', data.path]);
      assert.equal(rotated.code, 1);
      assert.match(rotated.stderr, /KEYS_PROTECTED/);

      const boards = await runCli(['board', 'list', '--data', data.path, '--json']);
      assert.equal(boards.code, 0, boards.stderr);
      assert.deepEqual(
        (JSON.parse(boards.stdout) as Array<{ id: string }>).map((board) => board.id),
        [boardId],
      );
      const keys = await runCli(['key', 'list', '--data', data.path, '--json']);
      assert.equal(keys.code, 0, keys.stderr);
      assert.doesNotMatch(readKeyring(data.path).text, /PRIVATE KEY/, 'nothing was unsealed to disk');
    } finally {
      data.remove();
    }
  });

  it('keys sealed for another user (another protector key) are refused with a clear error', async () => {
    const data = makeTempDir();
    try {
      const first = await startTestHub({}, data.path, { keyProtector: aesProtector() });
      await first.stop();
      await assert.rejects(
        startTestHub({}, data.path, { keyProtector: aesProtector() }),
        (error: Error & { code?: string }) => {
          assert.equal(error.code, 'DATA_DIR_UNUSABLE');
          assert.match(error.message, /cannot be unsealed with this user's OS keychain/);
          return true;
        },
      );
    } finally {
      data.remove();
    }
  });
});
