import assert from 'node:assert/strict';
import { rmSync } from 'node:fs';
import { after, before, describe, it } from 'node:test';
import * as Y from 'yjs';
import { connectClient, connectSynced, type TestClient } from '../helpers/clients.js';
import { readStoredDoc, startTestHub, type TestHub } from '../helpers/test-hub.js';
import { sleep, waitFor } from '../helpers/wait.js';

describe('live sync with stock y-websocket clients', () => {
  let hub: TestHub;
  const clients: TestClient[] = [];
  const track = (client: TestClient): TestClient => {
    clients.push(client);
    return client;
  };

  before(async () => {
    hub = await startTestHub();
  });
  after(async () => {
    for (const client of clients) client.destroy();
    await hub.stop();
  });

  it('two editors converge, each seeing the other live', async () => {
    const board = hub.createBoard();
    const token = await hub.share(board, 'edit');
    const alice = track(await connectSynced(hub.wsBase, board, token));
    const bob = track(await connectSynced(hub.wsBase, board, token));

    alice.doc.getText('notes').insert(0, 'from alice ');
    bob.doc.getMap('cards').set('c1', 'from bob');
    await waitFor('bob to see alice', () => bob.doc.getText('notes').toString() === 'from alice ');
    await waitFor('alice to see bob', () => alice.doc.getMap('cards').get('c1') === 'from bob');
    assert.deepEqual(Y.encodeStateVector(alice.doc), Y.encodeStateVector(bob.doc));
  });

  it('shares awareness (presence) between clients, including view-only ones', async () => {
    const board = hub.createBoard();
    const editor = track(await connectSynced(hub.wsBase, board, await hub.share(board, 'edit')));
    const viewer = track(await connectSynced(hub.wsBase, board, await hub.share(board, 'view')));

    viewer.provider.awareness.setLocalStateField('user', { name: 'Vera' });
    await waitFor('editor to see the viewer', () =>
      [...editor.provider.awareness.getStates().values()].some((s) => s.user?.name === 'Vera'),
    );
    viewer.destroy();
    await waitFor('viewer presence to go when it leaves', () =>
      [...editor.provider.awareness.getStates().values()].every((s) => s.user?.name !== 'Vera'),
    );
  });

  it("a view-only client's edits are dropped: never reach others nor the database", async () => {
    const board = hub.createBoard();
    const editor = track(await connectSynced(hub.wsBase, board, await hub.share(board, 'edit')));
    const viewer = track(await connectSynced(hub.wsBase, board, await hub.share(board, 'view')));
    const commenter = track(await connectSynced(hub.wsBase, board, await hub.share(board, 'comment')));

    editor.doc.getText('t').insert(0, 'shared');
    await waitFor('viewer to receive edits', () => viewer.doc.getText('t').toString() === 'shared');
    viewer.doc.getText('t').insert(0, 'VIEWER ');
    commenter.doc.getText('t').insert(0, 'COMMENTER ');
    editor.doc.getText('t').insert(6, '!');
    await waitFor('viewer to receive later edits', () =>
      viewer.doc.getText('t').toString().endsWith('shared!'),
    );
    await sleep(200);

    assert.equal(editor.doc.getText('t').toString(), 'shared!');
    assert.equal(readStoredDoc(hub.dataDir, board).getText('t').toString(), 'shared!');
    // A late joiner gets the durable state, without the refused edits.
    const late = track(await connectSynced(hub.wsBase, board, await hub.share(board, 'view')));
    assert.equal(late.doc.getText('t').toString(), 'shared!');
  });

  it('a reconnecting client gets the full current state, including what it missed', async () => {
    const board = hub.createBoard();
    const token = await hub.share(board, 'edit');
    const stayer = track(await connectSynced(hub.wsBase, board, token));
    const leaver = track(await connectSynced(hub.wsBase, board, token));
    stayer.doc.getArray('list').push(['one']);
    await waitFor('leaver to see one', () => leaver.doc.getArray('list').length === 1);

    leaver.provider.disconnect();
    stayer.doc.getArray('list').push(['two', 'three']);
    leaver.doc.getArray('list').push(['offline']);
    await sleep(100);
    leaver.provider.connect();

    const expected = 4;
    await waitFor(
      'both to have all four items',
      () =>
        leaver.doc.getArray('list').length === expected && stayer.doc.getArray('list').length === expected,
    );
    assert.deepEqual(leaver.doc.getArray('list').toJSON(), stayer.doc.getArray('list').toJSON());
  });

  it('a brand-new client receives everything already on the board', async () => {
    const board = hub.createBoard();
    const token = await hub.share(board, 'edit');
    const writer = track(await connectSynced(hub.wsBase, board, token));
    for (let i = 0; i < 50; i++) writer.doc.getMap('m').set(`k${i}`, i);
    await waitFor('writes to be stored', () => readStoredDoc(hub.dataDir, board).getMap('m').size === 50);
    const fresh = track(connectClient(hub.wsBase, board, token));
    await waitFor('fresh client to get 50 keys', () => fresh.doc.getMap('m').size === 50);
  });
});

describe('hub restart', () => {
  it('keeps every board and its content across a clean restart', async () => {
    const first = await startTestHub();
    const dataDir = first.dataDir;
    const boards = [first.createBoard('A'), first.createBoard('B')];
    const tokens = await Promise.all(boards.map((b) => first.share(b, 'edit')));
    const writers = await Promise.all(
      boards.map((b, i) => connectSynced(first.wsBase, b, tokens[i] as string)),
    );
    writers.forEach((w, i) => {
      w.doc.getText('t').insert(0, `board ${i}`);
    });
    await waitFor('both boards stored', () =>
      boards.every((b, i) => readStoredDoc(dataDir, b).getText('t').toString() === `board ${i}`),
    );
    for (const w of writers) w.destroy();
    await first.hub.stop();

    const second = await startTestHub({}, dataDir);
    try {
      assert.deepEqual(
        second.hub.service
          .listBoards()
          .map((b) => b.name)
          .sort(),
        ['A', 'B'],
      );
      for (const [i, board] of boards.entries()) {
        const reader = await connectSynced(second.wsBase, board, tokens[i] as string);
        assert.equal(reader.doc.getText('t').toString(), `board ${i}`);
        reader.destroy();
      }
    } finally {
      await second.stop();
      // second was given the folder, so it leaves it; the folder is first's to remove.
      rmSync(dataDir, { recursive: true, force: true });
    }
  });
});
