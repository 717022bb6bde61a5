import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import * as decoding from 'lib0/decoding';
import * as encoding from 'lib0/encoding';
import * as Y from 'yjs';
import { connectSynced, type TestClient } from '../helpers/clients.js';
import { frames, permissionDeniedReason, RawPeer, syncPayload } from '../helpers/raw-peer.js';
import { makeTempDir } from '../helpers/temp-dir.js';
import { readStoredDoc, startTestHub, type TestHub, withDatabase } from '../helpers/test-hub.js';
import { waitFor } from '../helpers/wait.js';

/**
 * A Yjs client id belongs to the link that first wrote it on the board, and nothing a refused
 * update carries is stored or broadcast: a hostile view or comment link can neither take over
 * an editor's clocks nor grow the board (issue 14, defects 1, 2 and 6).
 */

const MESSAGE_SYNC = 0;
const SYNC_STEP1 = 0;

/** One item for `client` at `clock`: a string under the root `root` (info 4: ContentString). */
function forgedString(client: number, clock: number, root: string, text: string): Uint8Array {
  const encoder = encoding.createEncoder();
  encoding.writeVarUint(encoder, 1); // one client
  encoding.writeVarUint(encoder, 1); // one struct
  encoding.writeVarUint(encoder, client);
  encoding.writeVarUint(encoder, clock);
  encoding.writeUint8(encoder, 4); // ContentString, no origins: the parent follows
  encoding.writeVarUint(encoder, 1); // parent is a root type, by name
  encoding.writeVarString(encoder, root);
  encoding.writeVarString(encoder, text);
  encoding.writeVarUint(encoder, 0); // empty delete set
  return encoding.toUint8Array(encoder);
}

/** One item for `client` at `clock`: a JSON value pushed to the root array `root` (info 8: ContentAny). */
function forgedAny(client: number, clock: number, root: string, value: string): Uint8Array {
  const encoder = encoding.createEncoder();
  encoding.writeVarUint(encoder, 1);
  encoding.writeVarUint(encoder, 1);
  encoding.writeVarUint(encoder, client);
  encoding.writeVarUint(encoder, clock);
  encoding.writeUint8(encoder, 8);
  encoding.writeVarUint(encoder, 1);
  encoding.writeVarString(encoder, root);
  encoding.writeVarUint(encoder, 1); // one value
  encoding.writeAny(encoder, value);
  encoding.writeVarUint(encoder, 0);
  return encoding.toUint8Array(encoder);
}

/** The hub's state vector, as its sync step 1 tells every newcomer. */
async function hubStateVector(peer: RawPeer): Promise<Map<number, number>> {
  const step1 = await peer.nextMessage(
    "the hub's sync step 1",
    (m) => m.type === MESSAGE_SYNC && m.syncType === SYNC_STEP1,
  );
  return Y.decodeStateVector(syncPayload(step1));
}

function ownersOf(dataDir: string, board: string): Array<{ client_id: number; share_id: string }> {
  return withDatabase(dataDir, (db) =>
    db
      .prepare('SELECT client_id, share_id FROM board_client_ids WHERE board_id = ? ORDER BY client_id')
      .all(board),
  ) as Array<{ client_id: number; share_id: string }>;
}

function storedRowCount(hub: TestHub, board: string): number {
  return withDatabase(hub.dataDir, (db) => {
    const logged = db.prepare('SELECT count(*) AS n FROM doc_updates WHERE board_id = ?').get(board) as {
      n: number;
    };
    const snapshots = db.prepare('SELECT count(*) AS n FROM doc_snapshots WHERE board_id = ?').get(board) as {
      n: number;
    };
    return logged.n + snapshots.n;
  });
}

describe('client-id ownership and refused updates', () => {
  let hub: TestHub;
  const clients: TestClient[] = [];
  const peers: RawPeer[] = [];
  const track = <T extends TestClient>(client: T): T => {
    clients.push(client);
    return client;
  };
  const openPeer = async (board: string, token: string): Promise<RawPeer> => {
    const peer = await RawPeer.open(`${hub.wsBase}/${board}?token=${token}`);
    peers.push(peer);
    return peer;
  };

  before(async () => {
    hub = await startTestHub();
  });

  after(async () => {
    for (const peer of peers) await peer.close();
    for (const client of clients) client.destroy();
    await hub.stop();
  });

  it("a view link cannot take over an online editor's client id: every edit the editor makes is stored", async () => {
    const board = hub.createBoard();
    const editor = track(await connectSynced(hub.wsBase, board, await hub.share(board, 'edit')));
    const text = editor.doc.getText('board');
    text.insert(0, 'start;');
    const editorId = editor.doc.clientID;
    await waitFor('the first edit to be stored', () =>
      readStoredDoc(hub.dataDir, board).getText('board').toString().startsWith('start;'),
    );

    const attacker = await openPeer(board, await hub.share(board, 'view'));
    const clock = (await hubStateVector(attacker)).get(editorId) ?? 0;
    assert.ok(clock > 0, 'the hub revealed the editor clock');
    attacker.send(frames.update(forgedString(editorId, clock, 'zz', 'x'.repeat(1000))));
    const denied = await attacker.nextMessage(
      'a permission-denied answer',
      (m) => permissionDeniedReason(m) !== null,
    );
    assert.match(permissionDeniedReason(denied) ?? '', /belongs to another link/);

    const edits = 60;
    for (let i = 0; i < edits; i++) text.insert(text.length, `e${i};`);
    const expected = text.toString();
    await waitFor(
      'every edit to be stored',
      () => readStoredDoc(hub.dataDir, board).getText('board').toString() === expected,
    );

    const stored = readStoredDoc(hub.dataDir, board);
    assert.equal(stored.getText('zz').toString(), '', 'nothing of the refused update is stored');
    const fresh = track(await connectSynced(hub.wsBase, board, await hub.share(board, 'view')));
    assert.equal(fresh.doc.getText('board').toString(), expected);
    assert.equal(fresh.doc.getText('zz').toString(), '');
  });

  it("a view link cannot take over an offline editor's next clocks: every offline edit is on the hub after reconnecting", async () => {
    const board = hub.createBoard();
    const editor = track(await connectSynced(hub.wsBase, board, await hub.share(board, 'edit')));
    const text = editor.doc.getText('board');
    text.insert(0, 'online;');
    await waitFor(
      'the online edit to be stored',
      () => readStoredDoc(hub.dataDir, board).getText('board').toString() === 'online;',
    );
    editor.provider.disconnect();
    for (const word of ['one;', 'two;', 'three;']) text.insert(text.length, word);

    const attacker = await openPeer(board, await hub.share(board, 'view'));
    const clock = (await hubStateVector(attacker)).get(editor.doc.clientID) ?? 0;
    attacker.send(frames.update(forgedString(editor.doc.clientID, clock, 'zz', 'y'.repeat(1000))));
    await attacker.nextMessage('a permission-denied answer', (m) => permissionDeniedReason(m) !== null);

    editor.provider.connect();
    await waitFor(
      'every offline edit to be stored',
      () => readStoredDoc(hub.dataDir, board).getText('board').toString() === 'online;one;two;three;',
    );
    const fresh = track(await connectSynced(hub.wsBase, board, await hub.share(board, 'view')));
    assert.equal(fresh.doc.getText('board').toString(), 'online;one;two;three;');
    assert.equal(editor.doc.getText('board').toString(), 'online;one;two;three;');
  });

  it("a comment link's struct forged for an editor's client id under `comments` is refused", async () => {
    const board = hub.createBoard();
    const editor = track(await connectSynced(hub.wsBase, board, await hub.share(board, 'edit')));
    editor.doc.getText('board').insert(0, 'Agenda');
    await waitFor(
      'the edit to be stored',
      () => readStoredDoc(hub.dataDir, board).getText('board').toString() === 'Agenda',
    );
    const rowsBefore = storedRowCount(hub, board);

    const attacker = await openPeer(board, await hub.share(board, 'comment'));
    const clock = (await hubStateVector(attacker)).get(editor.doc.clientID) ?? 0;
    attacker.send(frames.update(forgedAny(editor.doc.clientID, clock, 'comments', 'forged')));
    const denied = await attacker.nextMessage(
      'a permission-denied answer',
      (m) => permissionDeniedReason(m) !== null,
    );
    assert.match(permissionDeniedReason(denied) ?? '', /belongs to another link/);
    assert.equal(storedRowCount(hub, board), rowsBefore);

    editor.doc.getText('board').insert(6, '!');
    await waitFor(
      'the editor next edit to be stored',
      () => readStoredDoc(hub.dataDir, board).getText('board').toString() === 'Agenda!',
    );
    assert.deepEqual(readStoredDoc(hub.dataDir, board).getArray('comments').toJSON(), []);
  });

  it('a frame naming a million made-up client ids from a view link stores nothing and closes that connection', async () => {
    const board = hub.createBoard();
    const editor = track(await connectSynced(hub.wsBase, board, await hub.share(board, 'edit')));
    editor.doc.getText('board').insert(0, 'content');
    await waitFor(
      'the edit to be stored',
      () => readStoredDoc(hub.dataDir, board).getText('board').toString() === 'content',
    );
    const rowsBefore = storedRowCount(hub, board);

    const encoder = encoding.createEncoder();
    const ids = 1_000_000;
    encoding.writeVarUint(encoder, ids);
    for (let i = 0; i < ids; i++) {
      encoding.writeVarUint(encoder, 1); // one struct
      encoding.writeVarUint(encoder, 10_000 + i); // a made-up client id
      encoding.writeVarUint(encoder, 0);
      encoding.writeUint8(encoder, 0); // GC
      encoding.writeVarUint(encoder, 1);
    }
    encoding.writeVarUint(encoder, 0);
    const attacker = await openPeer(board, await hub.share(board, 'view'));
    attacker.send(frames.update(encoding.toUint8Array(encoder)));
    assert.equal(await attacker.closed(60_000), 1002);
    assert.match(attacker.closeReason, /more than 10000 client ids/);

    const health = await fetch(`http://127.0.0.1:${hub.port}/healthz`);
    assert.equal(health.status, 200);
    assert.equal(storedRowCount(hub, board), rowsBefore, 'doc_updates unchanged');
    editor.doc.getText('board').insert(7, '!');
    await waitFor(
      'the editor to keep working',
      () => readStoredDoc(hub.dataDir, board).getText('board').toString() === 'content!',
    );
  });

  it('a view link whose refused changes pass the budget is closed with 1008 and audited once; nothing is stored', async () => {
    const board = hub.createBoard();
    const rowsBefore = storedRowCount(hub, board);
    const attacker = await openPeer(board, await hub.share(board, 'view', { label: 'Flooder' }));
    await hubStateVector(attacker);
    const chunk = 'z'.repeat(1024 * 1024);
    for (let i = 0; i < 10; i++)
      attacker.send(frames.update(forgedString(77, i * chunk.length, 'zz', chunk)));
    assert.equal(await attacker.closed(60_000), 1008);
    assert.match(attacker.closeReason, /too many refused changes/);
    assert.equal(storedRowCount(hub, board), rowsBefore);
    const rows = await waitFor('the protocol error to be audited', () => {
      const found = withDatabase(hub.dataDir, (db) =>
        db
          .prepare(
            "SELECT detail FROM audit_log WHERE action = 'protocol_error' AND board_id = ? AND label = 'Flooder'",
          )
          .all(board),
      ) as Array<{ detail: string }>;
      return found.length > 0 ? found : null;
    });
    assert.equal(rows.length, 1);
  });

  it('an update whose origin points at a missing item is refused before it touches the room: no reload, not even on resend', async () => {
    const board = hub.createBoard();
    const editor = track(await connectSynced(hub.wsBase, board, await hub.share(board, 'edit')));
    editor.doc.getText('board').insert(0, 'kept');
    await waitFor(
      'the edit to be stored',
      () => readStoredDoc(hub.dataDir, board).getText('board').toString() === 'kept',
    );
    const rowsBefore = storedRowCount(hub, board);
    const reloadsBefore = hub.hub.stats().roomReloads;
    assert.equal(typeof reloadsBefore, 'number');

    // 01 01 <client> 00 84 <client 999999> 05 01 78 00, from its varints.
    const client = 4242;
    const encoder = encoding.createEncoder();
    encoding.writeVarUint(encoder, 1);
    encoding.writeVarUint(encoder, 1);
    encoding.writeVarUint(encoder, client);
    encoding.writeVarUint(encoder, 0);
    encoding.writeUint8(encoder, 0x84); // ContentString with a left origin
    encoding.writeVarUint(encoder, 999_999);
    encoding.writeVarUint(encoder, 5);
    encoding.writeVarString(encoder, 'x');
    encoding.writeVarUint(encoder, 0);
    const update = encoding.toUint8Array(encoder);
    const decoder = decoding.createDecoder(update);
    assert.equal(decoding.readVarUint(decoder), 1);
    assert.equal(update.byteLength, 13);

    const editToken = await hub.share(board, 'edit');
    for (let attempt = 0; attempt < 2; attempt++) {
      const sender = await openPeer(board, editToken);
      sender.send(frames.update(update));
      assert.equal(await sender.closed(), 1002);
      assert.match(sender.closeReason, /does not have/);
    }
    assert.equal(hub.hub.stats().roomReloads, reloadsBefore, 'the board was never reloaded');
    assert.equal(storedRowCount(hub, board), rowsBefore);
    assert.deepEqual(editor.closeEvents, []);
    editor.doc.getText('board').insert(4, '!');
    await waitFor(
      'the editor to keep working',
      () => readStoredDoc(hub.dataDir, board).getText('board').toString() === 'kept!',
    );
  });
});

describe('client-id ownership is stored', () => {
  it('the first writer of an id is stored with its update, holds after a restart, and purge removes it', async () => {
    const dir = makeTempDir();
    let hub: TestHub | null = await startTestHub({}, dir.path);
    const clients: TestClient[] = [];
    let attacker: RawPeer | null = null;
    try {
      const board = hub.createBoard();
      const editor = await connectSynced(hub.wsBase, board, await hub.share(board, 'edit', { label: 'Ed' }));
      clients.push(editor);
      editor.doc.getText('board').insert(0, 'mine');
      await waitFor(
        'the edit to be stored',
        () => readStoredDoc(dir.path, board).getText('board').toString() === 'mine',
      );
      const shareId = withDatabase(dir.path, (db) =>
        db.prepare("SELECT id FROM shares WHERE board_id = ? AND label = 'Ed'").get(board),
      ) as { id: string };
      assert.deepEqual(ownersOf(dir.path, board), [{ client_id: editor.doc.clientID, share_id: shareId.id }]);
      editor.destroy();
      clients.length = 0;
      await hub.stop();
      hub = null;

      hub = await startTestHub({}, dir.path);
      const editorId = ownersOf(dir.path, board)[0]?.client_id as number;
      attacker = await RawPeer.open(`${hub.wsBase}/${board}?token=${await hub.share(board, 'edit')}`);
      const clock = (await hubStateVector(attacker)).get(editorId) ?? 0;
      attacker.send(frames.update(forgedString(editorId, clock, 'board', 'taken')));
      const denied = await attacker.nextMessage(
        'a permission-denied answer',
        (m) => permissionDeniedReason(m) !== null,
      );
      assert.match(permissionDeniedReason(denied) ?? '', /belongs to another link/);
      await attacker.close();

      hub.hub.service.deleteBoard(board, { name: 'test' });
      hub.hub.service.purgeBoard(board, { name: 'test' });
      assert.deepEqual(ownersOf(dir.path, board), []);
    } finally {
      await attacker?.close();
      for (const client of clients) client.destroy();
      await hub?.stop();
      dir.remove();
    }
  });
});
