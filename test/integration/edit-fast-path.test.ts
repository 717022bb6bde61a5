import assert from 'node:assert/strict';
import { afterEach, beforeEach, describe, it } from 'node:test';
import * as Y from 'yjs';
import { createLogger } from '../../src/log.js';
import { GroupCommit } from '../../src/rooms/group-commit.js';
import type { Room } from '../../src/rooms/room.js';
import { RoomManager } from '../../src/rooms/room-manager.js';
import type { RoomMember } from '../../src/rooms/types.js';
import { openStores, type Stores } from '../../src/storage/stores.js';
import { decodeClientMessage } from '../../src/sync/protocol.js';
import { frameHeaderLength } from '../../src/sync/ws-frame.js';
import { makeTempDir } from '../helpers/temp-dir.js';

/**
 * The room's fast path for live edits (room.ts, takeExtendingEdit): an edit that extends the doc
 * exactly is logged and broadcast as sent, and applied after the broadcast. The room, the group
 * commit and SQLite are real; the members are the room's own RoomMember interface, recording
 * what the room sends them (sockets are covered by the end-to-end sync tests).
 */
class RecordingMember implements RoomMember {
  private static nextId = 1;
  readonly id = RecordingMember.nextId++;
  awarenessIds: number[] | null = null;
  readonly updates: Uint8Array[] = [];
  closedWith: number | null = null;
  readonly shareId: string;
  constructor(readonly role: 'edit' | 'view') {
    this.shareId = `share-${this.id}`;
  }
  send(_frame: Uint8Array): void {}
  sendFramed(frame: Buffer): void {
    const message = decodeClientMessage(frame.subarray(frameHeaderLength(frame)));
    if (message.kind === 'sync-update') this.updates.push(message.update);
  }
  close(code: number): void {
    this.closedWith = code;
  }
  refuseWrite(): void {}
  refusedFrom(): number | undefined {
    return undefined;
  }
  failProtocol(): void {
    this.closedWith = 1002;
  }
  exceedLimit(code: number): void {
    this.closedWith = code;
  }
}

const BOARD = 'fastpathboard000001';

/** A real data folder, group commit and room manager with one board; `close` removes it all. */
function openRooms(): { stores: Stores; commits: GroupCommit; rooms: RoomManager; close(): void } {
  const dir = makeTempDir();
  const stores = openStores(dir.path, { autoCheckpoint: false });
  const log = createLogger('silent');
  const commits = new GroupCommit(stores, log);
  const settings = {
    idleUnloadMs: 60_000,
    compactAfterUpdates: 1000,
    compactAfterBytes: 4 * 1024 * 1024,
    maxAwarenessStateBytes: 32 * 1024,
    maxAwarenessIdsPerConnection: 4,
    awarenessRelayIntervalMs: 50,
  };
  const rooms = new RoomManager(stores.updates, stores.clientIds, commits, settings, log);
  stores.boards.create(BOARD, 'fast path', Date.now());
  return {
    stores,
    commits,
    rooms,
    close: () => {
      rooms.unloadAll();
      commits.close();
      stores.close();
      dir.remove();
    },
  };
}

/** A stock client's doc and the updates it sends, one per transaction. */
function editorDoc(): { client: Y.Doc; sent: Uint8Array[] } {
  const client = new Y.Doc();
  const sent: Uint8Array[] = [];
  client.on('update', (update: Uint8Array) => sent.push(update));
  return { client, sent };
}

describe('live edits that extend the doc: logged and broadcast as sent, applied after', () => {
  let close: () => void;
  let stores: Stores;
  let commits: GroupCommit;
  let rooms: RoomManager;
  let room: Room;
  let editor: RecordingMember;
  let reader: RecordingMember;
  let client: Y.Doc;
  let sent: Uint8Array[];

  const loggedUpdates = (): Buffer[] =>
    stores.db
      .prepare<[string], { data: Buffer }>('SELECT data FROM doc_updates WHERE board_id = ? ORDER BY seq')
      .all(BOARD)
      .map((row) => row.data);
  const storedDoc = (): Y.Doc => {
    const doc = new Y.Doc();
    const stored = stores.updates.load(BOARD);
    if (stored.snapshot) Y.applyUpdate(doc, stored.snapshot);
    for (const update of stored.tail) Y.applyUpdate(doc, update);
    return doc;
  };
  const edit = (update: Uint8Array): void => room.receive(editor, { kind: 'sync-update', update });

  beforeEach(() => {
    ({ stores, commits, rooms, close } = openRooms());
    room = rooms.acquire(BOARD);
    editor = new RecordingMember('edit');
    reader = new RecordingMember('view');
    room.join(editor);
    room.join(reader);
    ({ client, sent } = editorDoc());
  });

  afterEach(() => close());

  it('stores and relays the bytes the editor sent, without an echo, and the doc has them after', () => {
    client.getText('t').insert(0, 'hello');
    edit(sent[0] as Uint8Array);
    commits.flushNow();
    assert.deepEqual(reader.updates, [sent[0]]);
    assert.equal(editor.updates.length, 0);
    assert.deepEqual(
      loggedUpdates().map((row) => new Uint8Array(row)),
      [sent[0]],
    );

    client.getText('t').insert(5, ' world');
    edit(sent[1] as Uint8Array);
    commits.flushNow();
    assert.deepEqual(reader.updates[1], sent[1]);
    assert.equal(storedDoc().getText('t').toString(), 'hello world');
    // The room's own doc applied both: a newcomer's sync step 2 carries them.
    const newcomer = new RecordingMember('view');
    const replies: Uint8Array[] = [];
    newcomer.send = (frame: Uint8Array): void => {
      const message = decodeClientMessage(frame);
      if (message.kind === 'sync-step2') replies.push(message.update);
    };
    room.join(newcomer);
    room.receive(newcomer, { kind: 'sync-step1', stateVector: Y.encodeStateVector(new Y.Doc()) });
    const copy = new Y.Doc();
    Y.applyUpdate(copy, replies[0] as Uint8Array);
    assert.equal(copy.getText('t').toString(), 'hello world');
  });

  it('two edits in one turn take the general path: one merged row, one frame', () => {
    client.getArray('a').push([1]);
    client.getArray('a').push([2]);
    edit(sent[0] as Uint8Array);
    edit(sent[1] as Uint8Array);
    commits.flushNow();
    assert.equal(loggedUpdates().length, 1);
    assert.equal(reader.updates.length, 1);
    assert.deepEqual(storedDoc().getArray('a').toArray(), [1, 2]);
  });

  it('an edit whose predecessor never came goes the general way and is refused as malformed', () => {
    client.getArray('a').push([1]);
    client.getArray('a').push([2]);
    edit(sent[1] as Uint8Array);
    commits.flushNow();
    assert.equal(editor.closedWith, 1002);
    assert.equal(loggedUpdates().length, 0);
    assert.equal(reader.updates.length, 0);
  });

  it('if applying after the broadcast fails anyway, the edit leaves the log and everyone resyncs', () => {
    client.getArray('a').push(['kept']);
    edit(sent[0] as Uint8Array);
    commits.flushNow();

    // Fault injection into the room's real doc: its next transaction throws, as a Yjs bug would.
    const doc = (room as unknown as { doc: Y.Doc }).doc;
    doc.once('beforeTransaction', () => {
      throw new Error('injected fault');
    });
    client.getArray('a').push(['lost']);
    edit(sent[1] as Uint8Array);
    commits.flushNow();

    assert.equal(reader.updates.length, 2, 'it was broadcast before the apply');
    assert.equal(reader.closedWith, 1011);
    assert.equal(editor.closedWith, 1011);
    assert.equal(loggedUpdates().length, 1, 'unlogged again');
    assert.deepEqual(storedDoc().getArray('a').toArray(), ['kept']);
    assert.equal(room.state, 'live', 'the board stays loadable');
    assert.equal(rooms.acquire(BOARD), room);
  });
});

describe('a board just loaded from its snapshot', () => {
  it('sends a new client the stored snapshot as is, and a fresh encoding once anything changed', () => {
    const { stores, commits, rooms, close } = openRooms();
    try {
      const editor = new RecordingMember('edit');
      const { client, sent } = editorDoc();
      let room = rooms.acquire(BOARD);
      room.join(editor);
      client.getArray('a').push(['before restart']);
      room.receive(editor, { kind: 'sync-update', update: sent[0] as Uint8Array });
      commits.flushNow();
      room.leave(editor);
      room.unload(); // final save: a snapshot, no tail

      room = rooms.acquire(BOARD);
      const snapshot = stores.db
        .prepare<[string], { data: Buffer }>('SELECT data FROM doc_snapshots WHERE board_id = ?')
        .get(BOARD)?.data;
      const stepTwo = (viewer: RecordingMember, stateVector: Uint8Array): Uint8Array => {
        const replies: Uint8Array[] = [];
        viewer.send = (frame: Uint8Array): void => {
          const message = decodeClientMessage(frame);
          if (message.kind === 'sync-step2') replies.push(message.update);
        };
        room.join(viewer);
        room.receive(viewer, { kind: 'sync-step1', stateVector });
        return replies[0] as Uint8Array;
      };
      const empty = Y.encodeStateVector(new Y.Doc());
      assert.deepEqual(Buffer.from(stepTwo(new RecordingMember('view'), empty)), snapshot);

      const returning = stepTwo(new RecordingMember('view'), Y.encodeStateVector(client));
      assert.notDeepEqual(Buffer.from(returning), snapshot, 'a client with content gets only its diff');

      room.join(editor);
      client.getArray('a').push(['after restart']);
      room.receive(editor, { kind: 'sync-update', update: sent[1] as Uint8Array });
      commits.flushNow();
      const fresh = new Y.Doc();
      Y.applyUpdate(fresh, stepTwo(new RecordingMember('view'), empty));
      assert.deepEqual(fresh.getArray('a').toArray(), ['before restart', 'after restart']);
    } finally {
      close();
    }
  });
});
