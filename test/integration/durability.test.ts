import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type * as Y from 'yjs';
import { type ChildHub, createBoardWithShare, spawnChildHub } from '../helpers/child-hub.js';
import type { TestClient } from '../helpers/clients.js';
import { makeTempDir } from '../helpers/temp-dir.js';
import { readStoredDoc, startTestHub, type TestHub, withDatabase } from '../helpers/test-hub.js';
import { connectTracked } from '../helpers/tracked-clients.js';
import { waitFor } from '../helpers/wait.js';

const CLOSE_GOING_AWAY = 1001;

/** Resolves once `count` more changes have been made to `list` (from any source). */
function changesOf(list: Y.Array<number>, count: number): Promise<void> {
  return new Promise((resolve) => {
    let seen = 0;
    const observer = (): void => {
      if (++seen < count) return;
      list.unobserve(observer);
      resolve();
    };
    list.observe(observer);
  });
}

function countRows(dataDir: string, table: 'doc_updates' | 'doc_snapshots', boardId: string): number {
  return withDatabase(dataDir, (db) => {
    const row = db
      .prepare<[string], { n: number }>(`SELECT count(*) AS n FROM ${table} WHERE board_id = ?`)
      .get(boardId);
    return row?.n ?? 0;
  });
}

describe('nothing a peer has seen is lost', () => {
  it('kill -9 of the hub loses nothing that was broadcast', async (t) => {
    const dir = makeTempDir();
    const hubs: ChildHub[] = [];
    const clients: TestClient[] = [];
    let writerTimer: NodeJS.Timeout | undefined;
    try {
      hubs.push(await spawnChildHub(dir.path));
      const first = hubs[0] as ChildHub;
      const { board, token } = await createBoardWithShare(dir.path, 'Crash test', 'edit');
      const writer = await connectTracked(clients, first.wsBase, board, token);
      const reader = await connectTracked(clients, first.wsBase, board, token);

      // The reader records every item the hub has broadcast to it.
      const seen = new Map<string, number>();
      const readerItems = reader.doc.getMap<number>('items');
      readerItems.observe((event) => {
        for (const key of event.keysChanged) {
          const value = readerItems.get(key);
          if (value !== undefined) seen.set(key, value);
        }
      });
      // A stream of small distinct edits, one transaction (one frame) each.
      let written = 0;
      const writerItems = writer.doc.getMap<number>('items');
      writerTimer = setInterval(() => {
        for (let i = 0; i < 4; i++) {
          writerItems.set(`item-${written}`, written);
          written++;
        }
      }, 2);

      await waitFor('the reader to receive 400 items', () => seen.size >= 400, 30_000);
      first.signal('SIGKILL');
      const exit = await first.exit;
      assert.equal(exit.signal, 'SIGKILL');
      clearInterval(writerTimer);
      await waitFor('the reader to notice the hub is gone', () => reader.closeEvents.length > 0);
      const seenBeforeKill = new Map(seen);
      // Gone before the restart: their own copies must not refill the hub; only what it kept counts.
      writer.destroy();
      reader.destroy();

      hubs.push(await spawnChildHub(dir.path));
      const second = hubs[1] as ChildHub;
      const fresh = await connectTracked(clients, second.wsBase, board, token);
      const restored = fresh.doc.getMap<number>('items');
      const missing = [...seenBeforeKill.keys()].filter(
        (key) => restored.get(key) !== seenBeforeKill.get(key),
      );
      t.diagnostic(
        `writer sent ${written} items, the reader had seen ${seenBeforeKill.size} before the kill, ` +
          `${restored.size} are on the board after the restart`,
      );
      assert.deepEqual(missing, [], `${missing.length} items the reader had seen were lost`);
      assert.ok(restored.size >= seenBeforeKill.size);
    } finally {
      clearInterval(writerTimer);
      for (const client of clients) client.destroy();
      for (const hub of hubs) await hub.dispose();
      dir.remove();
    }
  });

  it('SIGTERM stops cleanly: connected clients get 1001, the process exits 0, and every edit is kept', async () => {
    const dir = makeTempDir();
    const hubs: ChildHub[] = [];
    const clients: TestClient[] = [];
    try {
      hubs.push(await spawnChildHub(dir.path));
      const first = hubs[0] as ChildHub;
      const { board, token } = await createBoardWithShare(dir.path, 'Clean stop', 'edit');
      const writer = await connectTracked(clients, first.wsBase, board, token);
      const reader = await connectTracked(clients, first.wsBase, board, token);

      const total = 300;
      const list = writer.doc.getArray<number>('list');
      for (let i = 0; i < total; i++) list.push([i]);
      writer.doc.getText('title').insert(0, 'kept across a clean stop');
      await waitFor(
        'the reader to receive every edit',
        () => reader.doc.getArray('list').length === total,
        20_000,
      );
      await waitFor('the reader to receive the title', () => reader.doc.getText('title').length > 0);

      first.signal('SIGTERM');
      const exit = await first.exit;
      assert.deepEqual(exit, { code: 0, signal: null }, first.output());
      for (const client of [writer, reader]) {
        await waitFor('the client to be closed', () => client.closeEvents[0]);
        assert.equal(client.closeEvents[0]?.code, CLOSE_GOING_AWAY);
      }
      writer.destroy();
      reader.destroy();

      // The stop saved the board as a snapshot (compaction on unload) and wrote its audit row.
      assert.equal(countRows(dir.path, 'doc_snapshots', board), 1);
      const stops = withDatabase(dir.path, (db) =>
        db.prepare("SELECT count(*) AS n FROM audit_log WHERE action = 'hub_stop'").get(),
      ) as { n: number };
      assert.equal(stops.n, 1);

      hubs.push(await spawnChildHub(dir.path));
      const second = hubs[1] as ChildHub;
      const fresh = await connectTracked(clients, second.wsBase, board, token);
      assert.deepEqual(
        fresh.doc.getArray<number>('list').toJSON(),
        Array.from({ length: total }, (_, i) => i),
      );
      assert.equal(fresh.doc.getText('title').toString(), 'kept across a clean stop');
    } finally {
      for (const client of clients) client.destroy();
      for (const hub of hubs) await hub.dispose();
      dir.remove();
    }
  });
});

describe('compaction', () => {
  it('folds the update log into a snapshot and keeps every change', async () => {
    const dir = makeTempDir();
    const compactAfterUpdates = 10;
    const hubs: TestHub[] = [];
    const clients: TestClient[] = [];
    try {
      hubs.push(await startTestHub({ compactAfterUpdates }, dir.path));
      const first = hubs[0] as TestHub;
      const board = first.createBoard('Compacted');
      const token = await first.share(board, 'edit');
      const writer = await connectTracked(clients, first.wsBase, board, token);
      const reader = await connectTracked(clients, first.wsBase, board, token);

      // One update at a time, each seen by the reader before the next: each is its own commit.
      const total = 200;
      const list = writer.doc.getArray<number>('log');
      const readerList = reader.doc.getArray<number>('log');
      for (let i = 0; i < total; i++) {
        const arrived = changesOf(readerList, 1);
        list.push([i]);
        await arrived;
      }
      writer.doc.getMap('meta').set('done', true);
      await waitFor('the last update to arrive', () => reader.doc.getMap('meta').get('done') === true);

      const expected = Array.from({ length: total }, (_, i) => i);
      const logged = countRows(dir.path, 'doc_updates', board);
      assert.ok(logged < total, `${logged} rows logged for ${total + 1} updates`);
      assert.ok(logged < compactAfterUpdates, `the tail (${logged} rows) outgrew the compaction threshold`);
      assert.equal(countRows(dir.path, 'doc_snapshots', board), 1);
      assert.deepEqual(readStoredDoc(dir.path, board).getArray('log').toJSON(), expected);

      for (const client of clients.splice(0)) client.destroy();
      await first.hub.stop();
      hubs.push(await startTestHub({}, dir.path));
      const second = hubs[1] as TestHub;
      const fresh = await connectTracked(clients, second.wsBase, board, token);
      assert.deepEqual(fresh.doc.getArray('log').toJSON(), expected);
      assert.equal(fresh.doc.getMap('meta').get('done'), true);
    } finally {
      for (const client of clients) client.destroy();
      for (const hub of hubs) await hub.hub.stop();
      dir.remove();
    }
  });
});
