import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import * as encoding from 'lib0/encoding';
import * as Y from 'yjs';
import { type ChildHub, createBoardWithShare, spawnChildHub } from '../helpers/child-hub.js';
import type { TestClient } from '../helpers/clients.js';
import { sameHistory, visibleContent } from '../helpers/doc-content.js';
import { FrameFuzzer, seededRandom } from '../helpers/fuzz-frames.js';
import {
  frames,
  MESSAGE_AUTH,
  MESSAGE_AWARENESS,
  MESSAGE_SYNC,
  permissionDeniedReason,
  RawPeer,
  type ServerMessage,
  syncPayload,
} from '../helpers/raw-peer.js';
import { makeTempDir } from '../helpers/temp-dir.js';
import { readStoredDoc, startTestHub, type TestHub, withDatabase } from '../helpers/test-hub.js';
import { connectTracked } from '../helpers/tracked-clients.js';
import { sleep, waitFor } from '../helpers/wait.js';

const CLOSE_PROTOCOL_ERROR = 1002;
const CLOSE_UNSUPPORTED_DATA = 1003;
const CLOSE_ABNORMAL = 1006;
const CLOSE_MESSAGE_TOO_BIG = 1009;

interface AuditRow {
  action: string;
  label: string | null;
  detail: Record<string, unknown>;
}

function auditRows(dataDir: string, boardId: string, action: string): AuditRow[] {
  return withDatabase(dataDir, (db) =>
    db
      .prepare<[string, string], { action: string; label: string | null; detail: string }>(
        'SELECT action, label, detail FROM audit_log WHERE board_id = ? AND action = ? ORDER BY id',
      )
      .all(boardId, action)
      .map((row) => ({ ...row, detail: JSON.parse(row.detail) as Record<string, unknown> })),
  );
}

/** Audit rows are group-committed at the end of the hub's event-loop turn: poll for them. */
function waitForAudit(dataDir: string, boardId: string, action: string, count = 1): Promise<AuditRow[]> {
  return waitFor(`${count} '${action}' audit row(s)`, () => {
    const rows = auditRows(dataDir, boardId, action);
    return rows.length >= count ? rows : undefined;
  });
}

const isSyncStep2 = (message: ServerMessage): boolean =>
  message.type === MESSAGE_SYNC && message.syncType === 1;

/**
 * Two updates by client 4242: a real first list item, then a hand-made second item (origin: the
 * first) whose "any" content holds zero values, i.e. an item of length 0. Yjs applies it without
 * complaint, but its struct store is broken from then on: encoding the doc throws, and merging
 * both items in one transaction throws while the transaction is cleaned up.
 */
function zeroLengthItemUpdates(): [Uint8Array, Uint8Array] {
  const author = new Y.Doc();
  author.clientID = 4242;
  const updates: Uint8Array[] = [];
  author.on('update', (update: Uint8Array) => updates.push(update));
  author.getArray('list').push([0]);
  author.destroy();
  const encoder = encoding.createEncoder();
  encoding.writeVarUint(encoder, 1); // one client
  encoding.writeVarUint(encoder, 1); // one struct
  encoding.writeVarUint(encoder, 4242); // client
  encoding.writeVarUint(encoder, 1); // clock
  encoding.writeUint8(encoder, 0x80 | 8); // an item with an origin, content "any"
  encoding.writeVarUint(encoder, 4242); // origin: client 4242, clock 0
  encoding.writeVarUint(encoder, 0);
  encoding.writeVarUint(encoder, 0); // zero values
  encoding.writeVarUint(encoder, 0); // empty delete set
  return [updates[0] as Uint8Array, encoding.toUint8Array(encoder)];
}

/**
 * Two delete-set-only updates for client 7. The first deletes 4096 items from clock 2^59, written
 * as a 9-byte varUint whose low bytes are all zero: lib0 checks the range before each byte but
 * not after the last, so the out-of-range clock is accepted and kept as a pending deletion. The
 * second, an ordinary deletion for the same client, makes Yjs merge the pending deletions; from
 * then on encoding the doc throws "Integer out of Range".
 */
function outOfRangeDeleteUpdates(): [Uint8Array, Uint8Array] {
  const deletes = (writeRange: (encoder: encoding.Encoder) => void): Uint8Array => {
    const encoder = encoding.createEncoder();
    encoding.writeVarUint(encoder, 0); // no structs
    encoding.writeVarUint(encoder, 1); // delete set: one client
    encoding.writeVarUint(encoder, 7); // client
    encoding.writeVarUint(encoder, 1); // one range
    writeRange(encoder);
    return encoding.toUint8Array(encoder);
  };
  return [
    deletes((encoder) => {
      encoding.writeUint8Array(encoder, Uint8Array.of(0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x08));
      encoding.writeVarUint(encoder, 4096);
    }),
    deletes((encoder) => {
      encoding.writeVarUint(encoder, 47);
      encoding.writeVarUint(encoder, 1);
    }),
  ];
}

describe('a live hub facing broken, hostile and view-only clients', () => {
  let hub: TestHub;
  const clients: TestClient[] = [];
  const peers: RawPeer[] = [];
  const track = (peer: RawPeer): RawPeer => {
    peers.push(peer);
    return peer;
  };
  const join = (boardId: string, token: string): Promise<TestClient> =>
    connectTracked(clients, hub.wsBase, boardId, token);
  const rawUrl = (boardId: string, token: string): string =>
    `${hub.wsBase}/${boardId}?token=${encodeURIComponent(token)}`;

  before(async () => {
    hub = await startTestHub({ maxPayloadBytes: 64 * 1024 });
  });
  after(async () => {
    for (const client of clients) client.destroy();
    await Promise.all(peers.map((peer) => peer.close()));
    await hub.stop();
  });

  it('a malformed message closes that connection with 1002 and an audit row; another client is unaffected', async () => {
    const board = hub.createBoard();
    const editToken = await hub.share(board, 'edit', { label: 'bystander' });
    const bystander = await join(board, editToken);
    const witness = await join(board, editToken);
    const attacker = track(
      await RawPeer.open(rawUrl(board, await hub.share(board, 'edit', { label: 'attacker' }))),
    );

    // A sync update that announces 10 bytes of update and carries 2.
    attacker.send(Uint8Array.of(MESSAGE_SYNC, 2, 10, 1, 2));
    assert.equal(await attacker.closed(), CLOSE_PROTOCOL_ERROR);

    const [row] = await waitForAudit(hub.dataDir, board, 'protocol_error');
    assert.equal(row?.label, 'attacker');
    assert.match(String(row?.detail.reason), /truncated/);

    bystander.doc.getText('t').insert(0, 'still here');
    await waitFor(
      'the witness to see the bystander',
      () => witness.doc.getText('t').toString() === 'still here',
    );
    assert.deepEqual(bystander.closeEvents, []);
    assert.equal(bystander.provider.wsconnected, true);
  });

  it('an unknown message type closes with 1002 and is audited', async () => {
    const board = hub.createBoard();
    const token = await hub.share(board, 'edit');
    // 2 (auth) is server-to-client only; 4 and 300 (a two-byte varUint) are not in the protocol.
    const unknownTypes = [Uint8Array.of(2, 0), Uint8Array.of(4), Uint8Array.of(0xac, 0x02, 0)];
    for (const frame of unknownTypes) {
      const peer = track(await RawPeer.open(rawUrl(board, token)));
      peer.send(frame);
      assert.equal(await peer.closed(), CLOSE_PROTOCOL_ERROR, `frame ${Buffer.from(frame).toString('hex')}`);
    }
    const rows = await waitForAudit(hub.dataDir, board, 'protocol_error', unknownTypes.length);
    assert.deepEqual(
      rows.map((row) => row.detail.reason),
      ['unknown message type 2', 'unknown message type 4', 'unknown message type 300'],
    );
  });

  it('a text frame closes with 1003 and is audited', async () => {
    const board = hub.createBoard();
    const peer = track(await RawPeer.open(rawUrl(board, await hub.share(board, 'edit'))));
    peer.send('{"type":"sync"}');
    assert.equal(await peer.closed(), CLOSE_UNSUPPORTED_DATA);
    const [row] = await waitForAudit(hub.dataDir, board, 'protocol_error');
    assert.equal(row?.detail.reason, 'text frame');
  });

  it('a frame larger than maxPayloadBytes closes with 1009 and is audited', async () => {
    const board = hub.createBoard();
    const peer = track(await RawPeer.open(rawUrl(board, await hub.share(board, 'edit'))));
    const tooBig = frames.update(new Uint8Array(64 * 1024 + 1));
    peer.send(tooBig);
    assert.equal(await peer.closed(), CLOSE_MESSAGE_TOO_BIG);
    const [row] = await waitForAudit(hub.dataDir, board, 'protocol_error');
    assert.equal(row?.detail.reason, 'frame too large');
    // Nothing of it reached the board.
    assert.deepEqual(visibleContent(readStoredDoc(hub.dataDir, board)), {});
  });

  it('an update the hub could not serve again (a zero-length item) is refused: edits and new clients still flow', async () => {
    const board = hub.createBoard();
    const token = await hub.share(board, 'edit');
    const editor = await join(board, token);
    const other = await join(board, token);

    const [firstItem, zeroLengthItem] = zeroLengthItemUpdates();
    const attacker = track(await RawPeer.open(rawUrl(board, token)));
    attacker.send(frames.update(firstItem));
    await waitFor(
      'the first item to be stored',
      () => readStoredDoc(hub.dataDir, board).getArray('list').length,
    );
    // In a turn of its own (in the same turn as the first item it crashes the hub: see below).
    attacker.send(frames.update(zeroLengthItem));
    attacker.send(frames.queryAwareness());
    await attacker.until('the hub to handle it', () => attacker.isClosed || attacker.messages.length > 0);
    await sleep(50);

    editor.doc.getText('t').insert(0, 'after the attack');
    await waitFor(
      'the other client to get the edit',
      () => other.doc.getText('t').toString() === 'after the attack',
    );
    await waitFor(
      'the edit to be stored',
      () => readStoredDoc(hub.dataDir, board).getText('t').toString() === 'after the attack',
    );
    const newcomer = await join(board, token);
    assert.equal(newcomer.doc.getText('t').toString(), 'after the attack');
    assert.deepEqual(editor.closeEvents, []);
  });

  it('a connection closed for a malformed awareness update leaves no presence behind', async () => {
    const board = hub.createBoard();
    const token = await hub.share(board, 'edit');
    const observer = await join(board, token);
    observer.provider.awareness.setLocalStateField('user', { name: 'observer' });

    // Two entries: a well-formed presence for client 777, then one whose state is not JSON.
    const encoder = encoding.createEncoder();
    encoding.writeVarUint(encoder, 2);
    encoding.writeVarUint(encoder, 777);
    encoding.writeVarUint(encoder, 1);
    encoding.writeVarString(encoder, JSON.stringify({ user: { name: 'ghost' } }));
    encoding.writeVarUint(encoder, 778);
    encoding.writeVarUint(encoder, 1);
    encoding.writeVarString(encoder, '{not json');
    const attacker = track(await RawPeer.open(rawUrl(board, token)));
    attacker.send(frames.awareness(encoding.toUint8Array(encoder)));
    assert.equal(await attacker.closed(), CLOSE_PROTOCOL_ERROR);
    await waitForAudit(hub.dataDir, board, 'disconnect');

    // A newcomer gets everyone's presence on joining: the observer's, and nothing of the attacker.
    const newcomer = await join(board, token);
    const states = newcomer.provider.awareness.getStates();
    await waitFor('the newcomer to see the observer', () =>
      [...states.values()].some((state) => state.user?.name === 'observer'),
    );
    assert.deepEqual(
      [...states.keys()].filter((id) => id === 777 || id === 778),
      [],
      'presence from a refused awareness update must not be served',
    );
  });

  it("a view-only client's real change is answered with permission-denied, and it stays connected", async () => {
    const board = hub.createBoard();
    const editor = await join(board, await hub.share(board, 'edit'));
    editor.doc.getText('t').insert(0, 'seeded');
    await waitFor(
      'the seed to be stored',
      () => readStoredDoc(hub.dataDir, board).getText('t').toString() === 'seeded',
    );

    const viewer = track(await RawPeer.open(rawUrl(board, await hub.share(board, 'view'))));
    viewer.send(frames.syncStep1());
    const boardState = syncPayload(await viewer.nextMessage('the full state', isSyncStep2));

    // A real change made by a real Y.Doc on top of the board's state.
    const local = new Y.Doc();
    Y.applyUpdate(local, boardState);
    const before = Y.encodeStateVector(local);
    local.getText('t').insert(0, 'VIEWER ');
    const change = Y.encodeStateAsUpdate(local, before);

    const mark = viewer.messages.length;
    viewer.send(frames.update(change));
    const denial = await viewer.nextMessage('permission denied', (m) => m.type === MESSAGE_AUTH, mark);
    assert.equal(denial.frame[0], MESSAGE_AUTH);
    assert.equal(denial.frame[1], 0, 'auth message type 0 = permission denied');
    assert.match(permissionDeniedReason(denial) ?? '', /view/);

    // Still connected, and the change is nowhere: not in what the hub serves, not on disk.
    const afterMark = viewer.messages.length;
    viewer.send(frames.syncStep1());
    const served = new Y.Doc();
    Y.applyUpdate(served, syncPayload(await viewer.nextMessage('a fresh step 2', isSyncStep2, afterMark)));
    assert.equal(served.getText('t').toString(), 'seeded');
    assert.equal(viewer.isOpen, true);
    await sleep(100);
    assert.equal(readStoredDoc(hub.dataDir, board).getText('t').toString(), 'seeded');
    assert.equal(editor.doc.getText('t').toString(), 'seeded');
    local.destroy();
    served.destroy();
  });

  it("a view-only client resending the board's own state (as every reconnect does) is not refused", async () => {
    const board = hub.createBoard();
    const editor = await join(board, await hub.share(board, 'edit'));
    editor.doc.getText('t').insert(0, 'abcdef');
    editor.doc.getText('t').delete(1, 2);
    editor.doc.getMap('m').set('k', 1);
    await waitFor(
      'the edits to be stored',
      () => readStoredDoc(hub.dataDir, board).getMap('m').get('k') === 1,
    );

    const viewer = track(await RawPeer.open(rawUrl(board, await hub.share(board, 'view'))));
    viewer.send(frames.syncStep1());
    const boardState = syncPayload(await viewer.nextMessage('the full state', isSyncStep2));

    const mark = viewer.messages.length;
    viewer.send(frames.syncStep2(boardState));
    viewer.send(frames.update(boardState));
    // A step 1 round trip proves the hub has handled both frames before we look.
    viewer.send(frames.syncStep1());
    await viewer.nextMessage('the step 2 answer', isSyncStep2, mark);
    await sleep(50);
    assert.deepEqual(
      viewer.messages.slice(mark).filter((m) => m.type === MESSAGE_AUTH),
      [],
      'no permission-denied for a no-op',
    );
    assert.equal(viewer.isOpen, true);
    await viewer.close();
    const rows = await waitForAudit(hub.dataDir, board, 'disconnect');
    assert.equal(rows[0]?.detail.refusedWrites, 0);
    assert.deepEqual(auditRows(hub.dataDir, board, 'write_refused'), []);
  });

  it('an update whose dependencies the hub lacks is refused as malformed and never stored; a viewer resyncing is not refused', async () => {
    const board = hub.createBoard();
    // An editor whose first update never arrived: the second one depends on it.
    const author = new Y.Doc();
    const updates: Uint8Array[] = [];
    author.on('update', (update: Uint8Array) => updates.push(update));
    author.getText('t').insert(0, 'a');
    author.getText('t').insert(1, 'b');
    const editor = track(await RawPeer.open(rawUrl(board, await hub.share(board, 'edit'))));
    editor.send(frames.update(updates[1] as Uint8Array));
    assert.equal(await editor.closed(), 1002);
    assert.equal(readStoredDoc(hub.dataDir, board).store.pendingStructs, null, 'nothing waits in storage');

    const viewer = await join(board, await hub.share(board, 'view'));
    viewer.provider.disconnect();
    viewer.provider.connect();
    await waitFor('the viewer to resync', () => viewer.provider.synced);
    viewer.provider.disconnect();
    // The editor's disconnect and the viewer's two.
    const rows = await waitForAudit(hub.dataDir, board, 'disconnect', 3);
    assert.deepEqual(
      rows.filter((row) => row.detail.role === 'view').map((row) => row.detail.refusedWrites),
      [0, 0],
    );
    author.destroy();
  });
});

describe('hostile editors cannot take the hub or a board down', () => {
  it('a delete set with an out-of-range clock is refused: the board keeps serving new clients, also after a restart', async () => {
    const dir = makeTempDir();
    const hubs: TestHub[] = [];
    const clients: TestClient[] = [];
    let attacker: RawPeer | null = null;
    try {
      hubs.push(await startTestHub({}, dir.path));
      const first = hubs[0] as TestHub;
      const board = first.createBoard();
      const token = await first.share(board, 'edit');
      const [outOfRange, ordinary] = outOfRangeDeleteUpdates();
      attacker = await RawPeer.open(`${first.wsBase}/${board}?token=${encodeURIComponent(token)}`);
      attacker.send(frames.update(outOfRange));
      attacker.send(frames.update(ordinary));
      attacker.send(frames.queryAwareness());
      await sleep(200);

      const newcomer = await connectTracked(clients, first.wsBase, board, token);
      newcomer.doc.getText('t').insert(0, 'still served');
      await waitFor(
        'the edit to be stored',
        () => readStoredDoc(dir.path, board).getText('t').toString() === 'still served',
      );
      for (const client of clients.splice(0)) client.destroy();
      await attacker.close();
      await first.hub.stop();

      hubs.push(await startTestHub({}, dir.path));
      const second = hubs[1] as TestHub;
      const afterRestart = await connectTracked(clients, second.wsBase, board, token);
      assert.equal(afterRestart.doc.getText('t').toString(), 'still served');
    } finally {
      for (const client of clients) client.destroy();
      await attacker?.close();
      for (const hub of hubs) await hub.hub.stop();
      dir.remove();
    }
  });

  it('an edit client sending updates that break Yjs in one batch does not crash the hub process', async () => {
    const dir = makeTempDir();
    let child: ChildHub | null = null;
    let attacker: RawPeer | null = null;
    const clients: TestClient[] = [];
    try {
      child = await spawnChildHub(dir.path);
      const { board, token } = await createBoardWithShare(dir.path, 'Target', 'edit');
      const [firstItem, zeroLengthItem] = zeroLengthItemUpdates();
      attacker = await RawPeer.open(`${child.wsBase}/${board}?token=${encodeURIComponent(token)}`);
      // One TCP write: the hub reads both in one event-loop turn and applies them as one batch.
      attacker.sendTogether([frames.update(firstItem), frames.update(zeroLengthItem)]);

      const exited = await Promise.race([child.exit, sleep(1_000).then(() => null)]);
      assert.equal(exited, null, `the hub process died:\n${child.output()}`);
      const health = await fetch(`${child.httpBase}/healthz`);
      assert.equal(health.status, 200);
      const witness = await connectTracked(clients, child.wsBase, board, token);
      witness.doc.getText('t').insert(0, 'alive');
      await waitFor(
        'the edit to be stored',
        () => readStoredDoc(dir.path, board).getText('t').toString() === 'alive',
      );
    } finally {
      for (const client of clients) client.destroy();
      await attacker?.close();
      await child?.dispose();
      dir.remove();
    }
  });
});

describe('dead connections are found by ping/pong', () => {
  it('a client that stops answering pings is terminated within a few intervals and audited; a live one stays', async () => {
    const hub = await startTestHub({ pingIntervalMs: 100 });
    let silent: RawPeer | null = null;
    const clients: TestClient[] = [];
    try {
      const board = hub.createBoard();
      const live = await connectTracked(
        clients,
        hub.wsBase,
        board,
        await hub.share(board, 'edit', { label: 'live' }),
      );
      const silentToken = await hub.share(board, 'edit', { label: 'silent' });
      silent = await RawPeer.open(`${hub.wsBase}/${board}?token=${encodeURIComponent(silentToken)}`, {
        autoPong: false,
      });

      // Generous bound (50 intervals) for a noisy machine; the hub needs two.
      assert.equal(await silent.closed(5_000), CLOSE_ABNORMAL);
      const rows = await waitForAudit(hub.dataDir, board, 'disconnect');
      assert.deepEqual(
        rows.map((row) => row.label),
        ['silent'],
      );

      await sleep(500);
      assert.deepEqual(live.closeEvents, []);
      assert.equal(live.provider.wsconnected, true);
      assert.equal(hub.hub.stats().connections, 1);
    } finally {
      for (const client of clients) client.destroy();
      await silent?.close();
      await hub.stop();
    }
  });
});

interface FuzzReport {
  framesSent: number;
  connections: number;
  closes: Map<number, number>;
  problems: string[];
}

const hex = (bytes: Uint8Array): string => {
  const text = Buffer.from(bytes).toString('hex');
  return text.length > 160 ? `${text.slice(0, 160)}…(${bytes.length} bytes)` : text;
};

/**
 * One fuzzing connection after another: sends a frame, then a query-awareness probe whose answer
 * shows the hub has handled it. A close with 1002 is the expected answer to garbage; any other
 * close code, or silence, is a hub bug and is reported with the frames that led to it.
 */
async function fuzzWorker(options: {
  url: string;
  role: string;
  fuzzer: FrameFuzzer;
  budget: { take(): boolean };
  report: FuzzReport;
  allowedCloseCodes: ReadonlySet<number>;
}): Promise<void> {
  const { url, role, fuzzer, budget, report, allowedCloseCodes } = options;
  const recent: string[] = [];
  let peer: RawPeer | null = null;
  try {
    while (budget.take()) {
      if (peer === null || peer.isClosed) {
        try {
          peer = await RawPeer.open(url);
        } catch (error) {
          report.problems.push(
            `${role}: could not reconnect: ${String(error)}; last frames:\n${recent.join('\n')}`,
          );
          return;
        }
        report.connections++;
        recent.length = 0;
      }
      const { kind, frame } = fuzzer.next();
      recent.push(`  ${kind}: ${hex(frame)}`);
      if (recent.length > 8) recent.shift();
      const mark = peer.messages.length;
      peer.send(frame);
      peer.send(frames.queryAwareness());
      report.framesSent++;
      const current = peer;
      try {
        await current.until(
          'the probe answer or a close',
          () => current.isClosed || current.messages.slice(mark).some((m) => m.type === MESSAGE_AWARENESS),
          10_000,
        );
      } catch {
        report.problems.push(`${role}: the hub stopped answering; last frames:\n${recent.join('\n')}`);
        return;
      }
      if (current.closeCode !== null) {
        const code = current.closeCode;
        report.closes.set(code, (report.closes.get(code) ?? 0) + 1);
        if (!allowedCloseCodes.has(code)) {
          report.problems.push(
            `${role}: closed with ${code} "${current.closeReason}"; last frames:\n${recent.join('\n')}`,
          );
        }
      }
    }
  } finally {
    await peer?.close();
  }
}

describe('fuzzing the wire protocol', () => {
  it('thousands of random and mutated frames neither break the hub nor disturb a connected editor', async (t) => {
    const seed = Number(process.env.FUZZ_SEED ?? Math.floor(Math.random() * 2 ** 31));
    const frameLimit = Number(process.env.FUZZ_FRAMES ?? 6000);
    const timeLimitMs = Number(process.env.FUZZ_MS ?? 20_000);
    t.diagnostic(`fuzz seed ${seed} (rerun with FUZZ_SEED=${seed})`);

    // A low compaction threshold runs compaction under fuzz too, and keeps the hub's rebuild of a
    // board after each malformed update (snapshot + tail) short enough for thousands of frames.
    const hub = await startTestHub({ compactAfterUpdates: 50 });
    const clients: TestClient[] = [];
    const fuzzers: FrameFuzzer[] = [];
    let editorTimer: NodeJS.Timeout | undefined;
    try {
      const board = hub.createBoard();
      const editToken = await hub.share(board, 'edit', { label: 'fuzz-editor' });
      const viewToken = await hub.share(board, 'view', { label: 'fuzz-viewer' });
      const editor = await connectTracked(
        clients,
        hub.wsBase,
        board,
        await hub.share(board, 'edit', { label: 'editor' }),
      );
      const editorStatuses: string[] = [];
      editor.provider.on('status', ({ status }) => editorStatuses.push(status));
      // Its presence makes every query-awareness probe get an answer.
      editor.provider.awareness.setLocalStateField('user', { name: 'long-lived editor' });
      let editorEdits = 0;
      editorTimer = setInterval(() => {
        editor.doc.getMap('live').set(`e${editorEdits}`, editorEdits);
        editorEdits++;
      }, 20);

      const deadline = Date.now() + timeLimitMs;
      let remaining = frameLimit;
      const budget = { take: () => remaining-- > 0 && Date.now() < deadline };
      const report: FuzzReport = { framesSent: 0, connections: 0, closes: new Map(), problems: [] };
      const url = (token: string): string => `${hub.wsBase}/${board}?token=${encodeURIComponent(token)}`;
      const workers = ['edit', 'edit', 'edit', 'edit', 'view'].map((role, index) => {
        const fuzzer = new FrameFuzzer(seededRandom(seed + index));
        fuzzers.push(fuzzer);
        return fuzzWorker({
          url: url(role === 'edit' ? editToken : viewToken),
          role: `${role} worker ${index}`,
          fuzzer,
          budget,
          report,
          allowedCloseCodes: new Set([CLOSE_PROTOCOL_ERROR]),
        });
      });
      // Settle all before judging, so no worker is still sending when the hub is stopped.
      for (const result of await Promise.allSettled(workers)) {
        if (result.status === 'rejected') throw result.reason;
      }
      clearInterval(editorTimer);
      t.diagnostic(
        `sent ${report.framesSent} frames over ${report.connections} connections; closes: ${JSON.stringify(
          Object.fromEntries(report.closes),
        )}; editor made ${editorEdits} edits meanwhile`,
      );
      assert.deepEqual(report.problems, [], `seed ${seed}`);
      assert.ok(report.framesSent >= 1000, `only ${report.framesSent} frames were sent in the time allowed`);
      assert.ok((report.closes.get(CLOSE_PROTOCOL_ERROR) ?? 0) > 0, 'garbage was refused at least once');

      // The hub still serves.
      const health = await fetch(`http://127.0.0.1:${hub.port}/healthz`);
      assert.equal(health.status, 200);
      assert.equal(((await health.json()) as { status: string }).status, 'ok');
      await waitFor('the fuzz connections to be gone', () => hub.hub.stats().connections === 1);

      // The long-lived editor was never disconnected and still syncs with a fresh, correct client.
      assert.deepEqual(editor.closeEvents, [], `seed ${seed}`);
      assert.ok(!editorStatuses.includes('disconnected'), `seed ${seed}: editor statuses ${editorStatuses}`);
      const fresh = await connectTracked(clients, hub.wsBase, board, editToken);
      editor.doc.getMap('live').set('after-fuzz-editor', true);
      fresh.doc.getMap('live').set('after-fuzz-fresh', true);
      await waitFor('the fresh client to see the editor', () =>
        fresh.doc.getMap('live').get('after-fuzz-editor'),
      );
      await waitFor('the editor to see the fresh client', () =>
        editor.doc.getMap('live').get('after-fuzz-fresh'),
      );
      assert.equal(fresh.doc.getMap('live').size, editorEdits + 2);

      // What the database holds is what the clients see.
      const stored = readStoredDoc(hub.dataDir, board);
      assert.ok(sameHistory(editor.doc, fresh.doc), `seed ${seed}: editor and fresh client differ`);
      assert.ok(sameHistory(stored, fresh.doc), `seed ${seed}: database and fresh client differ`);
      assert.deepEqual(visibleContent(editor.doc), visibleContent(fresh.doc), `seed ${seed}`);
      assert.deepEqual(visibleContent(stored), visibleContent(fresh.doc), `seed ${seed}`);
      const storedRows = withDatabase(hub.dataDir, (db) =>
        db
          .prepare<[string], { n: number }>('SELECT count(*) AS n FROM doc_updates WHERE board_id = ?')
          .get(board),
      );
      t.diagnostic(
        `the board ends with root types [${Object.keys(visibleContent(stored)).join(', ')}], ` +
          `${storedRows?.n} logged updates after compaction, ` +
          `pending structs held: ${stored.store.pendingStructs !== null || stored.store.pendingDs !== null}`,
      );
      stored.destroy();
    } finally {
      clearInterval(editorTimer);
      for (const client of clients) client.destroy();
      for (const fuzzer of fuzzers) fuzzer.destroy();
      await hub.stop();
    }
  });
});
