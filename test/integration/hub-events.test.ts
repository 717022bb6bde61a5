import assert from 'node:assert/strict';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { describe, it } from 'node:test';
import { EventStreams, SSE_PING, SSE_READY } from '../../src/net/api/event-routes.js';
import type { HubChange, HubChangesListener } from '../../src/service/hub-events.js';
import { AdminApi, errorCodeOf } from '../helpers/api.js';
import { connectSynced } from '../helpers/clients.js';
import { openEventStream } from '../helpers/event-stream.js';
import { startTestHub, type TestHub, withDatabase } from '../helpers/test-hub.js';
import { sleep, waitFor } from '../helpers/wait.js';

/**
 * The hub's change events, in process (hub.events) and as Server-Sent Events (GET /api/events):
 * what each change reports, the wire format, and streams that end with the hub or their client.
 */
function recordChanges(hub: TestHub): { changes: HubChange[]; stop: () => void } {
  const changes: HubChange[] = [];
  const stop = hub.hub.events.subscribe((batch) => changes.push(...batch));
  return { changes, stop };
}

const has =
  (topic: HubChange['topic'], boardId?: string) =>
  (change: HubChange): boolean =>
    change.topic === topic && change.boardId === boardId;

async function withHub(run: (hub: TestHub) => Promise<void>): Promise<void> {
  const hub = await startTestHub();
  try {
    await run(hub);
  } finally {
    await hub.stop();
  }
}

describe('hub events', () => {
  it('a guest connecting and leaving reports connections, boards and status for its board', async () => {
    await withHub(async (hub) => {
      const boardId = hub.createBoard('Watched');
      const token = await hub.share(boardId, 'edit');
      const { changes, stop } = recordChanges(hub);
      try {
        const guest = await connectSynced(hub.wsBase, boardId, token);
        await waitFor('the connection to be reported', () =>
          ['connections', 'boards', 'status'].every((topic) =>
            changes.some(has(topic as HubChange['topic'], boardId)),
          ),
        );
        changes.length = 0;
        guest.destroy();
        await waitFor('the disconnection to be reported', () => changes.some(has('connections', boardId)));
      } finally {
        stop();
      }
    });
  });

  it('every audit row reports audit, whether the group commit or a use case appended it', async () => {
    await withHub(async (hub) => {
      const boardId = hub.createBoard('Audited');
      const token = await hub.share(boardId, 'view');
      const { changes, stop } = recordChanges(hub);
      try {
        // The connect row goes through the group commit's batch.
        const guest = await connectSynced(hub.wsBase, boardId, token);
        await waitFor('an audit change for the connect row', () => changes.some(has('audit')));
        guest.destroy();
        await sleep(300);
        changes.length = 0;
        // Key rotation is recorded by HubService directly, outside any room.
        hub.hub.service.rotateKey({ name: 'test' });
        await waitFor('an audit change for the key rotation', () => changes.some(has('audit')));
      } finally {
        stop();
      }
    });
  });

  it('use cases report what they changed: boards, shares, settings, peers', async () => {
    await withHub(async (hub) => {
      const actor = { name: 'test' };
      const { changes, stop } = recordChanges(hub);
      try {
        const board = hub.hub.service.createBoard('Changing', actor);
        await waitFor('boards', () => changes.some(has('boards', board.id)));
        const issued = await hub.hub.service.createShare({ boardId: board.id, role: 'edit' }, actor);
        await waitFor('shares', () => changes.some(has('shares', board.id)));
        changes.length = 0;
        hub.hub.service.revokeShare(issued.share.id, actor);
        hub.hub.service.renameBoard(board.id, 'Changed', actor);
        await waitFor(
          'shares and boards',
          () => changes.some(has('shares', board.id)) && changes.some(has('boards', board.id)),
        );
        await hub.hub.service.updateSettings({ idleUnloadMs: 90_000 }, actor);
        await waitFor('settings', () => changes.some(has('settings')));

        const other = await startTestHub({ name: 'Neighbour' });
        try {
          changes.length = 0;
          const peer = await hub.hub.service.addPeerByAddress('127.0.0.1', other.port, actor);
          await waitFor('peers after adding', () => changes.some(has('peers')));
          changes.length = 0;
          hub.hub.service.removePeer(peer.hubId, actor);
          await waitFor('peers after removing', () => changes.some(has('peers')));
        } finally {
          await other.stop();
        }
      } finally {
        stop();
      }
    });
  });

  it('a change written by another process (the CLI) reports every topic', async () => {
    await withHub(async (hub) => {
      const { changes, stop } = recordChanges(hub);
      try {
        await sleep(300);
        changes.length = 0;
        await sleep(700);
        assert.equal(changes.length, 0, 'an idle hub reports nothing (its own checkpoints are no change)');
        withDatabase(hub.dataDir, (db) =>
          db
            .prepare(
              "INSERT INTO boards (id, name, created_at, updated_at) VALUES ('b_external', 'From the CLI', 1, 1)",
            )
            .run(),
        );
        await waitFor('every topic', () =>
          ['boards', 'connections', 'shares', 'audit', 'peers', 'settings', 'status'].every((topic) =>
            changes.some((change) => change.topic === topic),
          ),
        );
      } finally {
        stop();
      }
    });
  });
});

describe('GET /api/events', () => {
  it('speaks SSE: ready first, then one changes frame per batch, with the agreed headers', async () => {
    await withHub(async (hub) => {
      const api = AdminApi.for(hub);
      const stream = await openEventStream(hub.port, api.token);
      try {
        assert.equal(stream.status, 200);
        assert.equal(stream.headers.get('content-type'), 'text/event-stream');
        assert.equal(stream.headers.get('cache-control'), 'no-store');
        assert.equal(stream.headers.get('x-accel-buffering'), 'no');
        await waitFor('the ready frame', () => stream.frames.length > 0);
        assert.equal(`${stream.frames[0]}\n\n`, SSE_READY);

        const board = await api.createBoard('Streamed');
        const frame = await stream.waitForFrame('a changes frame for the board', (text) =>
          text.includes(board.id),
        );
        assert.match(frame, /^event: changes\ndata: \{"changes":\[.*\]\}$/);
        const payload = JSON.parse(frame.slice('event: changes\ndata: '.length)) as { changes: HubChange[] };
        assert.ok(payload.changes.some(has('boards', board.id)));
        assert.ok(payload.changes.some(has('audit')), 'the board_create row was appended in the same window');
        const topics = payload.changes.map((change) => `${change.topic}/${change.boardId ?? ''}`);
        assert.equal(new Set(topics).size, topics.length, 'no duplicates in a batch');
      } finally {
        stream.close();
      }
    });
  });

  it('needs the admin token like the rest of the API', async () => {
    await withHub(async (hub) => {
      const response = await fetch(`http://127.0.0.1:${hub.port}/api/events`);
      assert.equal(response.status, 401);
      assert.equal(errorCodeOf(await response.json()), 'ADMIN_TOKEN_INVALID');
    });
  });

  it('a client that goes away is unsubscribed; the hub stopping ends the streams (and does not wait for them)', async () => {
    const hub = await startTestHub();
    let stopped = false;
    try {
      const api = AdminApi.for(hub);
      const leaving = await openEventStream(hub.port, api.token);
      const staying = await openEventStream(hub.port, api.token);
      await waitFor('both streams open', () => hub.hub.stats().eventStreams === 2);
      leaving.close();
      await waitFor('the closed stream to be dropped', () => hub.hub.stats().eventStreams === 1);

      await hub.stop();
      stopped = true;
      await staying.ended;
      assert.ok(staying.frames.length >= 1);
    } finally {
      if (!stopped) await hub.stop();
    }
  });

  it('sends a ping comment while nothing changes, so a dead stream is noticed', async () => {
    const listeners = new Set<HubChangesListener>();
    const streams = new EventStreams(
      {
        subscribe: (listener) => {
          listeners.add(listener);
          return () => listeners.delete(listener);
        },
      },
      50,
    );
    const server = createServer((request, response) =>
      streams.attach(response, request.socket.remoteAddress),
    );
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    try {
      const response = await fetch(`http://127.0.0.1:${(server.address() as AddressInfo).port}/`);
      const reader = response.body?.getReader();
      assert.ok(reader);
      let text = '';
      while (!text.includes(SSE_PING)) {
        const { value, done } = await reader.read();
        if (done) break;
        text += new TextDecoder().decode(value);
      }
      assert.ok(text.startsWith(SSE_READY));
      assert.ok(text.includes(SSE_PING));
      assert.equal(listeners.size, 1);
      streams.closeAll();
      while (!(await reader.read()).done) {
        // Drain until the server ends the stream.
      }
      assert.equal(listeners.size, 0, 'closing a stream unsubscribes it');
    } finally {
      streams.closeAll();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    }
  });
});
