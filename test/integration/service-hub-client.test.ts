import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import * as Y from 'yjs';
import { HubClientError, type HubEvent } from '../../src/client/hub-client.js';
import { createServiceHubClient } from '../../src/client/service-hub-client.js';
import type { Hub } from '../../src/hub.js';
import { connectSynced } from '../helpers/clients.js';
import { startTestHub, type TestHub } from '../helpers/test-hub.js';
import { waitFor } from '../helpers/wait.js';

/**
 * What the in-process HubClient (served over IPC by the desktop app) adds to the shared contract
 * (test/contract/): plain contract objects only, its actor in the audit log, and how errors map.
 */
async function withHub(run: (hub: TestHub) => Promise<void>): Promise<void> {
  const hub = await startTestHub();
  try {
    await run(hub);
  } finally {
    await hub.stop();
  }
}

async function failure(call: Promise<unknown>): Promise<HubClientError> {
  try {
    await call;
  } catch (error) {
    assert.ok(error instanceof HubClientError, `a HubClientError, not ${String(error)}`);
    return error;
  }
  assert.fail('expected the call to fail');
}

describe('the in-process HubClient', () => {
  it('answers with exactly the contract fields: a share link carries its token in the url only', async () => {
    await withHub(async (hub) => {
      const client = createServiceHubClient(hub.hub);
      assert.equal(client.transport, 'ipc');
      const board = await client.createBoard('Contract');
      assert.deepEqual(Object.keys(board).sort(), ['createdAt', 'deletedAt', 'id', 'name', 'updatedAt']);
      const link = await client.createShare({ boardId: board.id, role: 'edit', label: 'Ana' });
      assert.deepEqual(Object.keys(link).sort(), [
        'alternativeSocketUrls',
        'alternativeUrls',
        'share',
        'socketUrl',
        'url',
      ]);
      assert.deepEqual(Object.keys(link.share).sort(), [
        'boardId',
        'createdAt',
        'expiresAt',
        'id',
        'label',
        'revokedAt',
        'role',
      ]);
      const token = new URL(link.socketUrl).searchParams.get('token');
      assert.ok(token);
      const guest = await connectSynced(hub.wsBase, board.id, token);
      try {
        const [connection] = await client.listConnections(board.id);
        assert.equal(connection?.label, 'Ana');
        assert.deepEqual(Object.keys(connection ?? {}).sort(), [
          'boardId',
          'connectedAt',
          'id',
          'ip',
          'label',
          'role',
          'shareId',
          'userAgent',
        ]);
      } finally {
        guest.destroy();
      }
      const page = await client.queryAudit({ action: 'share_create' });
      assert.equal(page.entries[0]?.actor, 'app', 'changes are audited as the app');
      assert.equal('prevHash' in (page.entries[0] ?? {}), false);
      const chain = await client.verifyAudit();
      assert.equal(chain.ok, true);
      assert.ok(chain.ok && chain.rows > 0);
    });
  });

  it('exports a board as "<safe name>.yjs" with exactly its bytes', async () => {
    await withHub(async (hub) => {
      const client = createServiceHubClient(hub.hub, { name: 'app:test' });
      const board = await client.createBoard('Retro / Q3: "final"');
      const file = await client.exportBoard(board.id);
      assert.equal(file.fileName, 'Retro _ Q3_ _final_.yjs');
      assert.equal(file.bytes.byteOffset, 0);
      assert.equal(file.bytes.buffer.byteLength, file.bytes.byteLength);
      const doc = new Y.Doc();
      Y.applyUpdate(doc, file.bytes);
      doc.destroy();
      const imported = await client.importBoard({ bytes: file.bytes, name: 'Copy' });
      assert.equal(imported.name, 'Copy');
    });
  });

  it("the hub's errors keep their code and message; anything else is INTERNAL with a generic message", async () => {
    await withHub(async (hub) => {
      const client = createServiceHubClient(hub.hub);
      const missing = await failure(client.getBoard('no-such-board'));
      assert.equal(missing.code, 'BOARD_NOT_FOUND');
      assert.match(missing.message, /no-such-board/);
      const badAction = await failure(client.queryAudit({ action: 'drop_tables' }));
      assert.equal(badAction.code, 'INVALID_ARGUMENT');
      const badSettings = await failure(client.updateSettings({ idleUnloadMs: -1 }));
      assert.equal(badSettings.code, 'INVALID_ARGUMENT');
    });
    const broken = {
      get service(): never {
        throw new TypeError('cannot read properties of undefined (reading /home/ana/secret)');
      },
      events: { subscribe: () => () => {} },
    } as unknown as Hub;
    const internal = await failure(createServiceHubClient(broken).listBoards());
    assert.equal(internal.code, 'INTERNAL');
    assert.doesNotMatch(internal.message, /secret|undefined/);
  });

  it('subscribe reports live at once, then batches of changes, until unsubscribed', async () => {
    await withHub(async (hub) => {
      const client = createServiceHubClient(hub.hub);
      const events: HubEvent[] = [];
      const stop = client.subscribe((event) => events.push(event));
      await waitFor('live', () => events.length > 0);
      assert.deepEqual(events[0], { type: 'connection', state: 'live' });
      const board = await client.createBoard('Evented');
      await waitFor('a boards change', () =>
        events.some(
          (event) =>
            event.type === 'changes' &&
            event.changes.some((change) => change.topic === 'boards' && change.boardId === board.id),
        ),
      );
      stop();
      const heard = events.length;
      await client.createBoard('Unheard');
      await new Promise((resolve) => setTimeout(resolve, 400));
      assert.equal(events.length, heard);
    });
  });
});
