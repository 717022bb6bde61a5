import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { Keyring } from '../../src/auth/keyring.js';
import { signShareToken } from '../../src/auth/tokens.js';
import { closeCodeOf, connectSynced, openRaw, tryUpgrade } from '../helpers/clients.js';
import { makeTempDir } from '../helpers/temp-dir.js';
import { startTestHub, type TestHub, withDatabase } from '../helpers/test-hub.js';
import { sleep, waitFor } from '../helpers/wait.js';

const b64 = (value: unknown): string => Buffer.from(JSON.stringify(value)).toString('base64url');

function tamperPayload(token: string, change: (payload: Record<string, unknown>) => void): string {
  const [header, payload, signature] = token.split('.');
  const decoded = JSON.parse(Buffer.from(payload as string, 'base64url').toString()) as Record<
    string,
    unknown
  >;
  change(decoded);
  return `${header}.${b64(decoded)}.${signature}`;
}

function auditActions(dataDir: string, action: string): Array<{ detail: string }> {
  return withDatabase(dataDir, (db) =>
    db
      .prepare<[string], { detail: string }>('SELECT detail FROM audit_log WHERE action = ? ORDER BY id')
      .all(action),
  );
}

describe('the upgrade gate refuses before any WebSocket exists', () => {
  let hub: TestHub;
  let board: string;
  let otherBoard: string;
  let editToken: string;
  const urlFor = (boardId: string, token?: string): string =>
    `${hub.wsBase}/${boardId}${token === undefined ? '' : `?token=${encodeURIComponent(token)}`}`;

  before(async () => {
    hub = await startTestHub();
    board = hub.createBoard('Main');
    otherBoard = hub.createBoard('Other');
    editToken = await hub.share(board, 'edit');
  });
  after(() => hub.stop());

  it('accepts a valid token for its board (101)', async () => {
    assert.equal((await tryUpgrade(urlFor(board, editToken))).status, 101);
  });

  it('refuses a missing token with 401 and a JSON reason', async () => {
    const result = await tryUpgrade(urlFor(board));
    assert.equal(result.status, 401);
    assert.deepEqual(JSON.parse(result.body).error.code, 'TOKEN_MISSING');
  });

  it('refuses garbage and truncated tokens with 401', async () => {
    for (const token of ['garbage', 'a.b.c', editToken.slice(0, -10), '']) {
      assert.equal((await tryUpgrade(urlFor(board, token))).status, 401, token);
    }
  });

  it("refuses a token signed by another hub's key with 401", async () => {
    const foreign = makeTempDir();
    try {
      const shareId = hub.hub.service.listShares(board)[0]?.id as string;
      const keyring = Keyring.open(foreign.path);
      // Same claims, same issuer even: only the key differs.
      const forged = await signShareToken(keyring, hub.hub.service.hubId, {
        boardId: board,
        shareId,
        role: 'edit',
        expiresAt: null,
      });
      assert.equal((await tryUpgrade(urlFor(board, forged))).status, 401);
    } finally {
      foreign.remove();
    }
  });

  it('refuses an unsigned alg:none token with 401', async () => {
    const [, payload] = editToken.split('.');
    const unsigned = `${b64({ alg: 'none', typ: 'JWT' })}.${payload}.`;
    assert.equal((await tryUpgrade(urlFor(board, unsigned))).status, 401);
  });

  it('refuses a token whose payload was tampered with (401)', async () => {
    const upgraded = tamperPayload(await hub.share(board, 'view'), (p) => {
      p.role = 'edit';
    });
    assert.equal((await tryUpgrade(urlFor(board, upgraded))).status, 401);
    const moved = tamperPayload(editToken, (p) => {
      p.sub = otherBoard;
    });
    assert.equal((await tryUpgrade(urlFor(otherBoard, moved))).status, 401);
  });

  it('refuses a valid token used for another board with 403', async () => {
    const result = await tryUpgrade(urlFor(otherBoard, editToken));
    assert.equal(result.status, 403);
    assert.equal(JSON.parse(result.body).error.code, 'WRONG_BOARD');
  });

  it('refuses an unknown or deleted board with 404', async () => {
    const doomed = hub.createBoard('Doomed');
    const token = await hub.share(doomed, 'edit');
    assert.equal((await tryUpgrade(urlFor(doomed, token))).status, 101);
    withDatabase(hub.dataDir, (db) =>
      db.prepare('UPDATE boards SET deleted_at = ? WHERE id = ?').run(Date.now(), doomed),
    );
    const result = await tryUpgrade(urlFor(doomed, token));
    assert.equal(result.status, 404);
    assert.equal(JSON.parse(result.body).error.code, 'BOARD_NOT_FOUND');
  });

  it('refuses a revoked share with 401, even though the token itself is still valid', async () => {
    const token = await hub.share(board, 'edit', { label: 'to revoke' });
    const shareId = JSON.parse(Buffer.from(token.split('.')[1] as string, 'base64url').toString())
      .jti as string;
    withDatabase(hub.dataDir, (db) =>
      db.prepare('UPDATE shares SET revoked_at = ? WHERE id = ?').run(Date.now(), shareId),
    );
    const result = await tryUpgrade(urlFor(board, token));
    assert.equal(result.status, 401);
    assert.equal(JSON.parse(result.body).error.code, 'TOKEN_REVOKED');
  });

  it('refuses an expired token with 401', async () => {
    const token = await hub.share(board, 'edit', { ttlMs: 1000 });
    await sleep(1100);
    const result = await tryUpgrade(urlFor(board, token));
    assert.equal(result.status, 401);
    assert.equal(JSON.parse(result.body).error.code, 'TOKEN_EXPIRED');
  });

  it('refuses malformed paths with 400', async () => {
    for (const path of ['/ws/canvas/', '/ws/canvas/a%2', '/ws/canvas/bad!id', '/ws/other/abcdefgh', '/']) {
      const result = await tryUpgrade(`ws://127.0.0.1:${hub.port}${path}?token=${editToken}`);
      assert.equal(result.status, 400, path);
    }
  });

  it('records every refusal in the audit log, without the token', async () => {
    await waitFor('denied rows', () => auditActions(hub.dataDir, 'denied').length >= 10);
    const rows = withDatabase(hub.dataDir, (db) => db.prepare('SELECT * FROM audit_log').all());
    assert.ok(
      !JSON.stringify(rows).includes(editToken.split('.')[2] as string),
      'no token material in the audit log',
    );
  });
});

describe('token expiry on a live connection', () => {
  it('closes the connection with 4401 when its token expires, and the stock client stops retrying', async () => {
    const hub = await startTestHub();
    try {
      const board = hub.createBoard();
      const token = await hub.share(board, 'edit', { ttlMs: 1500 });
      const client = await connectSynced(hub.wsBase, board, token);
      await waitFor('close with 4401', () => client.closeEvents.find((e) => e.code === 4401), 5000);
      await sleep(500);
      assert.equal(client.provider.shouldConnect, false, 'a 44xx close stops reconnection');
      assert.equal(hub.hub.stats().connections, 0);
      client.destroy();
    } finally {
      await hub.stop();
    }
  });

  it('a raw socket past its expiry is closed with 4401 too', async () => {
    const hub = await startTestHub();
    try {
      const board = hub.createBoard();
      const ws = await openRaw(
        `${hub.wsBase}/${board}?token=${await hub.share(board, 'view', { ttlMs: 800 })}`,
      );
      assert.equal(await closeCodeOf(ws), 4401);
    } finally {
      await hub.stop();
    }
  });
});
