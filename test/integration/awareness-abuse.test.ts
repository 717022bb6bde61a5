import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import type { Socket } from 'node:net';
import { after, before, describe, it } from 'node:test';
import * as encoding from 'lib0/encoding';
import { type ChildHub, createBoardWithShare, spawnChildHub } from '../helpers/child-hub.js';
import type { TestClient } from '../helpers/clients.js';
import { frames, RawPeer } from '../helpers/raw-peer.js';
import { makeTempDir } from '../helpers/temp-dir.js';
import { startTestHub, type TestHub, withDatabase } from '../helpers/test-hub.js';
import { connectTracked } from '../helpers/tracked-clients.js';
import { waitFor } from '../helpers/wait.js';

/**
 * Issue 14, defects 3-5: presence (awareness) as an attack surface. A state far larger than any
 * cursor, presence entries for another connection's client id, a connection flooding presence or
 * document messages, and readers that never read while replies pile up for them.
 */
const CLOSE_TOO_LARGE = 4413;
const CLOSE_TOO_MANY = 4429;
const MiB = 1024 * 1024;

/** An awareness update of hand-made entries, encoded as y-protocols' encodeAwarenessUpdate does. */
function awarenessUpdate(entries: Array<{ client: number; clock: number; state: unknown }>): Uint8Array {
  const encoder = encoding.createEncoder();
  encoding.writeVarUint(encoder, entries.length);
  for (const { client, clock, state } of entries) {
    encoding.writeVarUint(encoder, client);
    encoding.writeVarUint(encoder, clock);
    encoding.writeVarString(encoder, JSON.stringify(state));
  }
  return encoding.toUint8Array(encoder);
}

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

/** Waits for the connection's disconnect row (its last), then returns its protocol_error rows. */
async function limitRowsOnceClosed(dataDir: string, boardId: string, label: string): Promise<AuditRow[]> {
  await waitFor(`the disconnect row of ${label}`, () =>
    auditRows(dataDir, boardId, 'disconnect').some((row) => row.label === label),
  );
  return auditRows(dataDir, boardId, 'protocol_error').filter((row) => row.label === label);
}

/** Stops reading from the hub (the kernel's buffers fill, then the hub's), while still sending. */
function stopReading(peer: RawPeer): void {
  (peer.ws as unknown as { _socket: Socket })._socket.pause();
}

describe('presence limits on a live hub', () => {
  let hub: TestHub;
  const clients: TestClient[] = [];
  const peers: RawPeer[] = [];
  const open = async (boardId: string, token: string): Promise<RawPeer> => {
    const peer = await RawPeer.open(`${hub.wsBase}/${boardId}?token=${encodeURIComponent(token)}`);
    peers.push(peer);
    return peer;
  };
  const join = (boardId: string, token: string): Promise<TestClient> =>
    connectTracked(clients, hub.wsBase, boardId, token);

  before(async () => {
    hub = await startTestHub();
  });
  after(async () => {
    for (const client of clients) client.destroy();
    await Promise.all(peers.map((peer) => peer.close()));
    await hub.stop();
  });

  it('a 30 MiB presence state is refused with 4413 and one audit row, and never served', async () => {
    const board = hub.createBoard();
    const observer = await join(board, await hub.share(board, 'view', { label: 'observer' }));
    const attacker = await open(board, await hub.share(board, 'view', { label: 'huge-presence' }));
    attacker.send(
      frames.awareness(awarenessUpdate([{ client: 4242, clock: 1, state: { blob: 'x'.repeat(30 * MiB) } }])),
    );
    assert.equal(await attacker.closed(30_000), CLOSE_TOO_LARGE);
    assert.match(attacker.closeReason, /presence state of \d+ bytes is over the limit of 32768 bytes/);
    const rows = await limitRowsOnceClosed(hub.dataDir, board, 'huge-presence');
    assert.equal(rows.length, 1, JSON.stringify(rows));
    assert.match(String(rows[0]?.detail.reason), /over the limit/);

    const newcomer = await join(board, await hub.share(board, 'view'));
    assert.equal(newcomer.provider.awareness.getStates().has(4242), false);
    assert.equal(observer.provider.awareness.getStates().has(4242), false);
  });

  it("another connection's entries for alice's client id are dropped: everyone still sees alice as alice", async () => {
    const board = hub.createBoard();
    const alice = await join(board, await hub.share(board, 'edit', { label: 'alice' }));
    const observer = await join(board, await hub.share(board, 'view', { label: 'observer' }));
    alice.provider.awareness.setLocalStateField('user', { name: 'alice' });
    const aliceId = alice.doc.clientID;
    const nameAt = (client: TestClient): unknown =>
      (client.provider.awareness.getStates().get(aliceId) as { user?: { name?: string } } | undefined)?.user
        ?.name;
    await waitFor('the observer to see alice', () => nameAt(observer) === 'alice');

    const mallory = await open(board, await hub.share(board, 'view', { label: 'mallory' }));
    const clock = alice.provider.awareness.meta.get(aliceId)?.clock ?? 0;
    mallory.send(
      frames.awareness(
        awarenessUpdate([{ client: aliceId, clock: clock + 10, state: { user: { name: 'MALLORY' } } }]),
      ),
    );
    mallory.send(frames.awareness(awarenessUpdate([{ client: aliceId, clock: clock + 20, state: null }])));
    // Mallory's own presence, sent last on the same socket: once the observer has it, the hub
    // has handled the forged entries before it.
    mallory.send(
      frames.awareness(awarenessUpdate([{ client: 31337, clock: 1, state: { user: { name: 'm' } } }])),
    );
    await waitFor('the observer to see mallory herself', () =>
      observer.provider.awareness.getStates().has(31337),
    );

    assert.equal(nameAt(observer), 'alice');
    assert.equal(nameAt(alice), 'alice');
    const newcomer = await join(board, await hub.share(board, 'view'));
    await waitFor('the newcomer to get the presence', () =>
      newcomer.provider.awareness.getStates().has(31337),
    );
    assert.equal(nameAt(newcomer), 'alice');
    assert.equal(mallory.isOpen, true, 'dropping the entries does not close the sender');

    // A reconnect introduces alice's id again; her old connection's entry went when it closed.
    alice.provider.disconnect();
    await waitFor('alice to leave the observer', () => nameAt(observer) === undefined);
    alice.provider.connect();
    await waitFor('alice to reconnect', () => alice.provider.synced);
    // Her greeting repeats the clock the hub already saw (ignored, as by every Yjs peer, until her
    // 15 s renewal); her next change must be applied, not dropped as someone else's.
    alice.provider.awareness.setLocalStateField('user', { name: 'alice again' });
    await waitFor('alice to be back at the observer', () => nameAt(observer) === 'alice again');
  });

  it('a stock client changing its presence quickly is relayed, and its last state always arrives', async () => {
    const board = hub.createBoard();
    const mover = await join(board, await hub.share(board, 'edit'));
    const observer = await join(board, await hub.share(board, 'view'));
    for (let x = 0; x < 200; x++) mover.provider.awareness.setLocalStateField('pointer', { x, y: 0 });
    await waitFor('the observer to get the last pointer', () => {
      const state = observer.provider.awareness.getStates().get(mover.doc.clientID) as
        | { pointer?: { x: number } }
        | undefined;
      return state?.pointer?.x === 199;
    });
  });

  it('a connection flooding presence is closed with 4429 and one audit row; another room keeps syncing', async () => {
    const quiet = hub.createBoard();
    const quietToken = await hub.share(quiet, 'edit');
    const writer = await join(quiet, quietToken);
    const reader = await join(quiet, quietToken);

    const board = hub.createBoard();
    const abuser = await open(board, await hub.share(board, 'view', { label: 'presence-flood' }));
    for (let clock = 1; clock <= 5000 && abuser.isOpen; clock += 250) {
      const batch: Uint8Array[] = [];
      for (let i = clock; i < clock + 250; i++) {
        batch.push(frames.awareness(awarenessUpdate([{ client: 777, clock: i, state: { x: i } }])));
      }
      abuser.sendTogether(batch);
      await new Promise((resolve) => setImmediate(resolve));
    }
    assert.equal(await abuser.closed(), CLOSE_TOO_MANY);
    assert.match(abuser.closeReason, /too many presence messages/);
    const rows = await limitRowsOnceClosed(hub.dataDir, board, 'presence-flood');
    assert.equal(rows.length, 1, JSON.stringify(rows));

    writer.doc.getMap('m').set('after-flood', true);
    await waitFor('the other room to keep syncing', () => reader.doc.getMap('m').get('after-flood'));
  });

  it('a connection flooding document messages is closed with 4429 and one audit row', async () => {
    const board = hub.createBoard();
    const abuser = await open(board, await hub.share(board, 'edit', { label: 'document-flood' }));
    // An update with no structs and no deletions: valid, and changes nothing.
    const empty = frames.update(Uint8Array.of(0, 0));
    for (let sent = 0; sent < 30_000 && abuser.isOpen; sent += 1000) {
      abuser.sendTogether(Array.from({ length: 1000 }, () => empty));
      await new Promise((resolve) => setImmediate(resolve));
    }
    assert.equal(await abuser.closed(), CLOSE_TOO_MANY);
    assert.match(abuser.closeReason, /too many document messages/);
    const rows = await limitRowsOnceClosed(hub.dataDir, board, 'document-flood');
    assert.equal(rows.length, 1, JSON.stringify(rows));
  });
});

describe('the hub-wide cap on bytes queued to slow readers', () => {
  it('readers that never read are closed once their total passes the cap; a reading client keeps working', async () => {
    // Limits raised so that replies are megabytes: the cap, not the state limit, must act.
    const hub = await startTestHub({
      maxAwarenessStateBytes: 8 * MiB,
      maxQueuedBytesTotal: 32 * MiB,
      maxPayloadBytes: 16 * MiB,
    });
    const clients: TestClient[] = [];
    const peers: RawPeer[] = [];
    try {
      const board = hub.createBoard();
      const token = await hub.share(board, 'view');
      const url = `${hub.wsBase}/${board}?token=${encodeURIComponent(token)}`;
      const publisher = await RawPeer.open(url);
      peers.push(publisher);
      publisher.send(
        frames.awareness(awarenessUpdate([{ client: 5150, clock: 1, state: { blob: 'x'.repeat(6 * MiB) } }])),
      );
      const editToken = await hub.share(board, 'edit');
      const writer = await connectTracked(clients, hub.wsBase, board, editToken);
      const reader = await connectTracked(clients, hub.wsBase, board, editToken);
      await waitFor('the reader to get the large presence', () =>
        reader.provider.awareness.getStates().has(5150),
      );

      for (let i = 0; i < 20; i++) {
        const slow = await RawPeer.open(url);
        peers.push(slow);
        stopReading(slow);
        for (let q = 0; q < 3; q++) slow.send(frames.queryAwareness());
      }
      // 20 readers × 4 replies of 6 MiB is ~480 MiB queued without the cap; 32 MiB allows ~1.
      await waitFor('the slow readers to be closed', () => hub.hub.stats().connections <= 3 + 2, 30_000);
      writer.doc.getMap('m').set('still-working', true);
      await waitFor('the reading client to keep syncing', () => reader.doc.getMap('m').get('still-working'));
      assert.deepEqual(reader.closeEvents, []);
    } finally {
      for (const client of clients) client.destroy();
      for (const peer of peers) peer.ws.terminate();
      await hub.stop();
    }
  });
});

/** Resident memory of a process, from /proc (Linux): what the hub costs the machine. */
function residentBytes(pid: number): number {
  const match = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
  return Number(match?.[1] ?? 0) * 1024;
}

describe('awareness amplification against a real hub process', () => {
  let child: ChildHub;
  let dataDir: { path: string; remove(): void };
  let board: string;
  let viewToken: string;

  before(async () => {
    dataDir = makeTempDir();
    ({ board, token: viewToken } = await createBoardWithShare(dataDir.path, 'amplified', 'view'));
    child = await spawnChildHub(dataDir.path);
  });
  after(async () => {
    await child.dispose();
    dataDir.remove();
  });

  it('a 30 MiB state and 20 readers that never read each asking three times keep the RSS bounded', async (t) => {
    const peers: RawPeer[] = [];
    try {
      const url = `${child.wsBase}/${board}?token=${encodeURIComponent(viewToken)}`;
      const baseline = residentBytes(child.pid);
      let peak = baseline;
      const sampler = setInterval(() => {
        peak = Math.max(peak, residentBytes(child.pid));
      }, 50);
      try {
        const publisher = await RawPeer.open(url);
        peers.push(publisher);
        publisher.send(
          frames.awareness(
            awarenessUpdate([{ client: 9001, clock: 1, state: { blob: 'x'.repeat(30 * MiB) } }]),
          ),
        );
        // Refused or not, the hub has handled the state once the publisher is closed or its
        // own query is answered.
        publisher.send(frames.queryAwareness());
        await publisher.until(
          'the hub to handle the state',
          () => publisher.isClosed || publisher.messages.length > 1,
          30_000,
        );
        for (let i = 0; i < 20; i++) {
          const slow = await RawPeer.open(url);
          peers.push(slow);
          stopReading(slow);
          for (let q = 0; q < 3; q++) slow.send(frames.queryAwareness());
        }
        // The hub answers /healthz once it has handled every query frame before it.
        const health = await fetch(`${child.httpBase}/healthz`);
        assert.equal(health.status, 200);
        peak = Math.max(peak, residentBytes(child.pid));
      } finally {
        clearInterval(sampler);
      }
      const grownMiB = Math.round((peak - baseline) / MiB);
      t.diagnostic(`hub RSS ${Math.round(baseline / MiB)} MiB -> peak ${Math.round(peak / MiB)} MiB`);
      assert.ok(
        grownMiB < 300,
        `the hub's RSS grew by ${grownMiB} MiB (from ${Math.round(baseline / MiB)} MiB)`,
      );
    } finally {
      for (const peer of peers) peer.ws.terminate();
    }
  });
});
