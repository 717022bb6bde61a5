import assert from 'node:assert/strict';
import type { Socket } from 'node:net';
import { after, before, describe, it } from 'node:test';
import * as decoding from 'lib0/decoding';
import * as encoding from 'lib0/encoding';
import type WebSocket from 'ws';
import * as authProtocol from 'y-protocols/auth';
import * as syncProtocol from 'y-protocols/sync';
import * as Y from 'yjs';
import { closeCodeOf, connectSynced, openRaw, type TestClient } from '../helpers/clients.js';
import { readStoredDoc, startTestHub, type TestHub, withDatabase } from '../helpers/test-hub.js';
import { sleep, waitFor } from '../helpers/wait.js';

const MESSAGE_SYNC = 0;
const MESSAGE_AUTH = 2;

/**
 * A minimal y-websocket client over a raw socket, built from the stock y-protocols functions,
 * that also keeps every permission-denied reason the hub sends (stock clients only log them).
 */
class RawClient {
  readonly doc = new Y.Doc();
  readonly denied: string[] = [];
  synced = false;

  private constructor(readonly ws: WebSocket) {
    ws.on('message', (data: Buffer) => this.receive(new Uint8Array(data)));
    this.doc.on('update', (update: Uint8Array, origin: unknown) => {
      if (origin === this) return;
      const encoder = encoding.createEncoder();
      encoding.writeVarUint(encoder, MESSAGE_SYNC);
      syncProtocol.writeUpdate(encoder, update);
      ws.send(encoding.toUint8Array(encoder));
    });
  }

  static async connect(url: string): Promise<RawClient> {
    const client = new RawClient(await openRaw(url));
    const encoder = encoding.createEncoder();
    encoding.writeVarUint(encoder, MESSAGE_SYNC);
    syncProtocol.writeSyncStep1(encoder, client.doc);
    client.ws.send(encoding.toUint8Array(encoder));
    await waitFor('the raw client to sync', () => client.synced);
    return client;
  }

  /** Sends updates made elsewhere as sync update frames, in one TCP write (one hub turn). */
  sendTogether(updates: readonly Uint8Array[]): void {
    const socket = (this.ws as unknown as { _socket: Socket })._socket;
    socket.cork();
    for (const update of updates) {
      const encoder = encoding.createEncoder();
      encoding.writeVarUint(encoder, MESSAGE_SYNC);
      syncProtocol.writeUpdate(encoder, update);
      this.ws.send(encoding.toUint8Array(encoder));
    }
    socket.uncork();
  }

  close(): void {
    this.ws.close();
    this.doc.destroy();
  }

  private receive(frame: Uint8Array): void {
    const decoder = decoding.createDecoder(frame);
    const type = decoding.readVarUint(decoder);
    if (type === MESSAGE_SYNC) {
      const reply = encoding.createEncoder();
      encoding.writeVarUint(reply, MESSAGE_SYNC);
      const syncType = syncProtocol.readSyncMessage(decoder, reply, this.doc, this);
      if (syncType === syncProtocol.messageYjsSyncStep2) this.synced = true;
      if (encoding.length(reply) > 1) this.ws.send(encoding.toUint8Array(reply));
    } else if (type === MESSAGE_AUTH) {
      authProtocol.readAuthMessage(decoder, this.doc, (_doc, reason) => this.denied.push(reason));
    }
  }
}

/** Runs change() with the client's socket corked, so the hub reads all its frames in one turn. */
function inOneWrite(client: TestClient, change: () => void): void {
  const socket = (client.provider.ws as unknown as { _socket: Socket } | null)?._socket;
  assert.ok(socket, 'the client should be connected');
  socket.cork();
  try {
    change();
  } finally {
    socket.uncork();
  }
}

/** The update a doc emits for one local change. */
function updateFrom(doc: Y.Doc, change: () => void): Uint8Array {
  let captured: Uint8Array | null = null;
  const capture = (update: Uint8Array): void => {
    captured = update;
  };
  doc.on('update', capture);
  doc.transact(change);
  doc.off('update', capture);
  assert.ok(captured, 'the change should produce an update');
  return captured;
}

function replicaOf(source: Y.Doc): Y.Doc {
  const replica = new Y.Doc();
  Y.applyUpdate(replica, Y.encodeStateAsUpdate(source));
  return replica;
}

function auditDetails(dataDir: string, action: string, label: string): Array<Record<string, unknown>> {
  return withDatabase(dataDir, (db) =>
    db
      .prepare<[string, string], { detail: string }>(
        'SELECT detail FROM audit_log WHERE action = ? AND label = ? ORDER BY id',
      )
      .all(action, label)
      .map((row) => JSON.parse(row.detail) as Record<string, unknown>),
  );
}

const commentsOf = (doc: Y.Doc): Y.Array<Y.Map<unknown>> => doc.getArray<Y.Map<unknown>>('comments');
/** The text of the comment at index (it must exist). */
function bodyText(doc: Y.Doc, index: number): Y.Text {
  const body = commentsOf(doc).get(index)?.get('body');
  assert.ok(body instanceof Y.Text, `comment ${index} should have a body`);
  return body;
}
const bodyOf = (doc: Y.Doc, index: number): string | undefined =>
  commentsOf(doc).length > index ? bodyText(doc, index).toString() : undefined;

function newComment(author: string, text: string): Y.Map<unknown> {
  const comment = new Y.Map<unknown>();
  comment.set('author', author);
  comment.set('body', new Y.Text(text));
  return comment;
}

describe('comment role: a commenter may change only the root type "comments"', () => {
  let hub: TestHub;
  const cleanups: Array<() => void> = [];
  const track = <T extends { destroy(): void } | { close(): void }>(client: T): T => {
    cleanups.push(() => ('destroy' in client ? client.destroy() : client.close()));
    return client;
  };
  const urlFor = (board: string, token: string): string =>
    `${hub.wsBase}/${board}?token=${encodeURIComponent(token)}`;

  before(async () => {
    hub = await startTestHub();
  });
  after(async () => {
    for (const cleanup of cleanups) cleanup();
    await hub.stop();
  });

  /** A board with some editor content, an editor and a stock comment client, all in sync. */
  async function boardWithCommenter(
    label: string,
  ): Promise<{ board: string; editor: TestClient; commenter: TestClient }> {
    const board = hub.createBoard();
    const editor = track(await connectSynced(hub.wsBase, board, await hub.share(board, 'edit')));
    editor.doc.getText('board').insert(0, 'Sprint goals');
    commentsOf(editor.doc).push([newComment('Ed', 'Looks good')]);
    const commenter = track(
      await connectSynced(hub.wsBase, board, await hub.share(board, 'comment', { label })),
    );
    await waitFor('the commenter to see the board', () => bodyOf(commenter.doc, 0) === 'Looks good');
    return { board, editor, commenter };
  }

  /** Closes a stock client; per connection it made, how many writes its disconnect row says were refused. */
  async function refusedWritesOf(client: TestClient, label: string, connections = 1): Promise<number[]> {
    client.destroy();
    const rows = await waitFor('the disconnects to be audited', () => {
      const found = auditDetails(hub.dataDir, 'disconnect', label);
      return found.length >= connections ? found : null;
    });
    return rows.map((row) => row.refusedWrites as number);
  }

  it('a comment (a map with a nested text) reaches the editor and the database', async () => {
    const { board, editor, commenter } = await boardWithCommenter('Cy 1');
    commentsOf(commenter.doc).push([newComment('Cy', 'Why this order?')]);

    await waitFor('the editor to see the comment', () => bodyOf(editor.doc, 1) === 'Why this order?');
    assert.equal(commentsOf(editor.doc).get(1)?.get('author'), 'Cy');
    const stored = readStoredDoc(hub.dataDir, board);
    assert.equal(bodyOf(stored, 1), 'Why this order?');
    assert.equal(stored.getText('board').toString(), 'Sprint goals');
    assert.deepEqual(await refusedWritesOf(commenter, 'Cy 1'), [0]);
  });

  it('a commenter may also edit and delete comments, its own and others', async () => {
    const { board, editor, commenter } = await boardWithCommenter('Cy 2');
    const body = bodyText(commenter.doc, 0);
    body.insert(body.length, ', but why?');
    commentsOf(commenter.doc).get(0)?.set('resolved', true);
    await waitFor('the editor to see the edit', () => bodyOf(editor.doc, 0) === 'Looks good, but why?');
    await waitFor(
      'the editor to see the new key',
      () => commentsOf(editor.doc).get(0)?.get('resolved') === true,
    );

    commentsOf(commenter.doc).delete(0, 1);
    await waitFor('the editor to see the comment deleted', () => commentsOf(editor.doc).length === 0);
    await waitFor(
      'the deletion to be stored',
      () => commentsOf(readStoredDoc(hub.dataDir, board)).length === 0,
    );
    assert.deepEqual(await refusedWritesOf(commenter, 'Cy 2'), [0]);
  });

  it('quick edits typed in one go, each built on the one before, all arrive (one hub turn)', async () => {
    const { board, editor, commenter } = await boardWithCommenter('Cy 3');
    const comments = commentsOf(commenter.doc);
    // Separate transactions, so separate updates, all read by the hub in one event-loop turn:
    // each one's items have their origin in the one before, which the hub has not applied yet
    // when it receives them.
    inOneWrite(commenter, () => {
      comments.push([newComment('Cy', '')]);
      const body = bodyText(commenter.doc, 1);
      for (const char of 'Hello, world') body.insert(body.length, char);
      body.delete(0, 1);
      body.insert(0, 'J');
      comments.get(1)?.set('edited', true);
    });

    await waitFor('the editor to see every keystroke', () => bodyOf(editor.doc, 1) === 'Jello, world');
    assert.equal(commentsOf(editor.doc).get(1)?.get('edited'), true);
    await waitFor(
      'it all to be stored',
      () => bodyOf(readStoredDoc(hub.dataDir, board), 1) === 'Jello, world',
    );
    assert.deepEqual(await refusedWritesOf(commenter, 'Cy 3'), [0]);
  });

  it("a reconnect resending the board's delete set is not refused, and an offline comment gets through", async () => {
    const { board, editor, commenter } = await boardWithCommenter('Cy 4');
    editor.doc.getText('board').delete(0, 7);
    await waitFor(
      'the commenter to see the deletion',
      () => commenter.doc.getText('board').toString() === 'goals',
    );

    commenter.provider.disconnect();
    commentsOf(commenter.doc).push([newComment('Cy', 'written offline')]);
    await sleep(50);
    commenter.provider.connect();

    await waitFor('the editor to get the offline comment', () => bodyOf(editor.doc, 1) === 'written offline');
    await waitFor(
      'it to be stored',
      () => bodyOf(readStoredDoc(hub.dataDir, board), 1) === 'written offline',
    );
    assert.deepEqual(await refusedWritesOf(commenter, 'Cy 4', 2), [0, 0]);
  });

  it('changing anything else never reaches the editor nor the database, and the commenter is told', async () => {
    const board = hub.createBoard();
    const editor = track(await connectSynced(hub.wsBase, board, await hub.share(board, 'edit')));
    editor.doc.getText('board').insert(0, 'Sprint goals');
    editor.doc.getMap('cards').set('c1', 'first card');
    const raw = track(
      await RawClient.connect(urlFor(board, await hub.share(board, 'comment', { label: 'Mallory' }))),
    );
    await waitFor(
      'the raw client to see the board',
      () => raw.doc.getText('board').toString() === 'Sprint goals',
    );

    raw.doc.getText('board').insert(0, 'HACKED ');
    await waitFor('a permission-denied message', () => raw.denied.length === 1);
    assert.match(raw.denied[0] ?? '', /comment.*comments/);
    raw.doc.getMap('cards').delete('c1');
    await waitFor('a second permission-denied message', () => raw.denied.length === 2);

    editor.doc.getText('board').insert(12, '!');
    await waitFor('the editor edit to be stored', () =>
      readStoredDoc(hub.dataDir, board).getText('board').toString().endsWith('!'),
    );
    await sleep(100);
    assert.equal(editor.doc.getText('board').toString(), 'Sprint goals!');
    assert.equal(editor.doc.getMap('cards').get('c1'), 'first card');
    const stored = readStoredDoc(hub.dataDir, board);
    assert.equal(stored.getText('board').toString(), 'Sprint goals!');
    assert.equal(stored.getMap('cards').get('c1'), 'first card');

    raw.close();
    const refused = await waitFor('the refusals to be audited', () => {
      const rows = auditDetails(hub.dataDir, 'write_refused', 'Mallory');
      return rows.length > 0 ? rows : null;
    });
    assert.equal(refused[0]?.count, 2);
  });

  it("after a refused change, the commenter's later comments under the same client id are refused too (nothing stored), until it reloads", async () => {
    const { board, editor, commenter } = await boardWithCommenter('Cy 9');
    commenter.doc.getText('board').insert(0, 'HIJACK ');
    await sleep(100);
    // Its next clocks come after the refused ones, which the hub never stored: they cannot integrate.
    commentsOf(commenter.doc).push([newComment('Cy', 'after the gap')]);
    await sleep(300);
    assert.equal(editor.doc.getText('board').toString(), 'Sprint goals');
    assert.equal(bodyOf(editor.doc, 1), undefined);
    const stored = readStoredDoc(hub.dataDir, board);
    assert.equal(bodyOf(stored, 1), undefined);
    assert.equal(stored.getText('board').toString(), 'Sprint goals');
    assert.deepEqual(await refusedWritesOf(commenter, 'Cy 9'), [2]);

    // A reloaded page is a fresh doc with a fresh client id: its comments are stored again.
    const reloaded = track(await connectSynced(hub.wsBase, board, await hub.share(board, 'comment')));
    commentsOf(reloaded.doc).push([newComment('Cy', 'still here')]);
    await waitFor('the comment to reach the editor', () => bodyOf(editor.doc, 1) === 'still here');
    assert.equal(bodyOf(readStoredDoc(hub.dataDir, board), 1), 'still here');
  });

  it('a mixed update (a comment and a board change in one transaction) is refused whole', async () => {
    const board = hub.createBoard();
    const editor = track(await connectSynced(hub.wsBase, board, await hub.share(board, 'edit')));
    editor.doc.getText('board').insert(0, 'Sprint goals');
    const raw = track(await RawClient.connect(urlFor(board, await hub.share(board, 'comment'))));
    await waitFor(
      'the raw client to see the board',
      () => raw.doc.getText('board').toString() === 'Sprint goals',
    );

    raw.doc.transact(() => {
      commentsOf(raw.doc).push([newComment('Mallory', 'nothing to see here')]);
      raw.doc.getText('board').insert(0, 'HACKED ');
    });
    await waitFor('a permission-denied message', () => raw.denied.length === 1);

    editor.doc.getText('board').insert(12, '!');
    await waitFor('the editor edit to be stored', () =>
      readStoredDoc(hub.dataDir, board).getText('board').toString().endsWith('!'),
    );
    await sleep(100);
    for (const doc of [editor.doc, readStoredDoc(hub.dataDir, board)]) {
      assert.equal(doc.getText('board').toString(), 'Sprint goals!');
      assert.equal(commentsOf(doc).length, 0, 'not even the comment half');
    }
  });

  it('a malformed update in the same turn closes the commenter; its refusal counts once, its comments land', async () => {
    const board = hub.createBoard();
    const editor = track(await connectSynced(hub.wsBase, board, await hub.share(board, 'edit')));
    editor.doc.getText('board').insert(0, 'Sprint goals');
    const raw = track(
      await RawClient.connect(urlFor(board, await hub.share(board, 'comment', { label: 'Mal 2' }))),
    );
    await waitFor(
      'the raw client to see the board',
      () => raw.doc.getText('board').toString() === 'Sprint goals',
    );
    // Updates from two replicas (two client ids), so the refused one leaves no gap in the other's.
    const writer = replicaOf(raw.doc);
    const vandal = replicaOf(raw.doc);
    const first = updateFrom(writer, () => commentsOf(writer).push([newComment('Mal', 'first')]));
    const refused = updateFrom(vandal, () => vandal.getText('board').insert(0, 'HACKED '));
    const second = updateFrom(writer, () => bodyText(writer, 0).insert(5, ' and more'));
    const closed = closeCodeOf(raw.ws);

    // The malformed update makes the hub rebuild the doc and apply the batch again.
    raw.sendTogether([first, refused, Uint8Array.of(0xff, 0xff, 0xff), second]);
    assert.equal(await closed, 1002);
    await waitFor('the editor to get both comment updates', () => bodyOf(editor.doc, 0) === 'first and more');
    await waitFor(
      'them to be stored',
      () => bodyOf(readStoredDoc(hub.dataDir, board), 0) === 'first and more',
    );
    assert.equal(editor.doc.getText('board').toString(), 'Sprint goals');
    assert.equal(readStoredDoc(hub.dataDir, board).getText('board').toString(), 'Sprint goals');
    const rows = await waitFor('the refusal to be audited', () => {
      const found = auditDetails(hub.dataDir, 'write_refused', 'Mal 2');
      return found.length > 0 ? found : null;
    });
    assert.deepEqual(
      rows.map((row) => row.count),
      [1],
    );
  });

  it('a view client still may not comment', async () => {
    const board = hub.createBoard();
    const editor = track(await connectSynced(hub.wsBase, board, await hub.share(board, 'edit')));
    const viewer = track(await RawClient.connect(urlFor(board, await hub.share(board, 'view'))));
    commentsOf(viewer.doc).push([newComment('Vera', 'may I?')]);
    await waitFor('a permission-denied message', () => viewer.denied.length === 1);
    assert.match(viewer.denied[0] ?? '', /view/);
    editor.doc.getText('board').insert(0, 'after');
    await waitFor(
      'the editor edit to be stored',
      () => readStoredDoc(hub.dataDir, board).getText('board').toString() === 'after',
    );
    assert.equal(commentsOf(readStoredDoc(hub.dataDir, board)).length, 0);
    assert.equal(commentsOf(editor.doc).length, 0);
  });
});
