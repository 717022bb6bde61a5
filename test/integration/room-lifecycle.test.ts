import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { connectClient, connectSynced, tryUpgrade } from '../helpers/clients.js';
import { readStoredDoc, startTestHub, withDatabase } from '../helpers/test-hub.js';
import { sleep, waitFor } from '../helpers/wait.js';

function tailRows(dataDir: string, boardId: string): number {
  return withDatabase(dataDir, (db) => {
    const snapshot = db
      .prepare<[string], { upto_seq: number }>('SELECT upto_seq FROM doc_snapshots WHERE board_id = ?')
      .get(boardId);
    return db
      .prepare<[string, number], { n: number }>(
        'SELECT count(*) AS n FROM doc_updates WHERE board_id = ? AND seq > ?',
      )
      .get(boardId, snapshot?.upto_seq ?? 0)?.n as number;
  });
}

describe('room lifecycle', () => {
  it('loads a board once when many clients connect at the same moment', async () => {
    const hub = await startTestHub();
    try {
      const board = hub.createBoard();
      const token = await hub.share(board, 'edit');
      const clients = Array.from({ length: 8 }, () => connectClient(hub.wsBase, board, token));
      await waitFor('all synced', () => clients.every((c) => c.provider.synced));
      assert.equal(hub.hub.stats().roomLoads, 1);
      assert.equal(hub.hub.stats().roomsLoaded, 1);
      for (const c of clients) c.destroy();
    } finally {
      await hub.stop();
    }
  });

  it('never unloads while a client is connected; unloads after the idle time once all left, saving first', async () => {
    const hub = await startTestHub({ idleUnloadMs: 300 });
    try {
      const board = hub.createBoard();
      const token = await hub.share(board, 'edit');
      const client = await connectSynced(hub.wsBase, board, token);
      client.doc.getText('t').insert(0, 'kept');
      await waitFor('edit logged', () => tailRows(hub.dataDir, board) > 0);

      await sleep(900);
      assert.equal(hub.hub.stats().roomsLoaded, 1, 'still loaded while connected');

      client.destroy();
      await waitFor('room unloaded', () => hub.hub.stats().roomsLoaded === 0, 5000);
      // The final save folded the log into the snapshot.
      assert.equal(tailRows(hub.dataDir, board), 0);
      assert.equal(readStoredDoc(hub.dataDir, board).getText('t').toString(), 'kept');

      const again = await connectSynced(hub.wsBase, board, token);
      assert.equal(again.doc.getText('t').toString(), 'kept');
      assert.equal(hub.hub.stats().roomLoads, 2);
      again.destroy();
    } finally {
      await hub.stop();
    }
  });

  it('a board that fails to load refuses connections and is never overwritten', async () => {
    const hub = await startTestHub();
    try {
      const board = hub.createBoard();
      const token = await hub.share(board, 'edit');
      const corrupt = Buffer.from([0xff, 0xff, 0xff, 0xff, 0x0f, 0x01, 0x02]);
      withDatabase(hub.dataDir, (db) =>
        db
          .prepare('INSERT INTO doc_snapshots (board_id, data, upto_seq, updated_at) VALUES (?, ?, 0, 0)')
          .run(board, corrupt),
      );
      const refused = await tryUpgrade(`${hub.wsBase}/${board}?token=${token}`);
      assert.equal(refused.status, 503);
      assert.equal(JSON.parse(refused.body).error.code, 'BOARD_UNAVAILABLE');
      assert.equal(hub.hub.stats().roomsLoaded, 0);

      await hub.hub.stop();
      const stored = withDatabase(hub.dataDir, (db) =>
        db
          .prepare<[string], { data: Buffer }>('SELECT data FROM doc_snapshots WHERE board_id = ?')
          .get(board),
      );
      assert.deepEqual(stored?.data, corrupt, 'the unreadable snapshot is left as it was');
    } finally {
      await hub.stop();
    }
  });

  it('a deleted board closes its clients with 4404 and is saved and unloaded at once, not after the idle time', async () => {
    const hub = await startTestHub();
    try {
      const board = hub.createBoard();
      const client = await connectSynced(hub.wsBase, board, await hub.share(board, 'edit'));
      client.doc.getText('t').insert(0, 'kept in the trash');
      await waitFor('edit logged', () => tailRows(hub.dataDir, board) > 0);
      hub.hub.service.deleteBoard(board, { name: 'test' });
      await waitFor('close with 4404', () => client.closeEvents.find((e) => e.code === 4404));
      await waitFor('room unloaded', () => hub.hub.stats().roomsLoaded === 0);
      assert.equal(tailRows(hub.dataDir, board), 0, 'the final save folded the log into the snapshot');
      assert.equal(readStoredDoc(hub.dataDir, board).getText('t').toString(), 'kept in the trash');
      client.destroy();
    } finally {
      await hub.stop();
    }
  });

  it('a clean stop closes clients with 1001 (going away) and saves every board', async () => {
    const hub = await startTestHub();
    try {
      const board = hub.createBoard();
      const client = await connectSynced(hub.wsBase, board, await hub.share(board, 'edit'));
      client.doc.getMap('m').set('k', 'v');
      await sleep(50);
      await hub.hub.stop();
      assert.ok(client.closeEvents.some((e) => e.code === 1001));
      assert.equal(readStoredDoc(hub.dataDir, board).getMap('m').get('k'), 'v');
      client.destroy();
    } finally {
      await hub.stop();
    }
  });
});
