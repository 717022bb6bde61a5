import assert from 'node:assert/strict';
import { after, afterEach, before, describe, it } from 'node:test';
import * as Y from 'yjs';
import { type HubClient, HubClientError, type HubEvent } from '../../src/client/hub-client.js';
import { connectClient, type TestClient } from '../helpers/clients.js';
import { startTestHub, type TestHub } from '../helpers/test-hub.js';
import { waitFor } from '../helpers/wait.js';

/**
 * What every HubClient must do, whatever carries it (in-process service, Electron IPC, HTTP): the
 * management UI cannot tell them apart. Each group runs against its own real hub (127.0.0.1, port
 * 0, temp SQLite, mDNS off) with stock y-websocket clients as guests. No timing is asserted; the
 * hub writes audit rows and the event stream delivers asynchronously, so those are awaited.
 */
export function describeHubClientContract(name: string, connect: (hub: TestHub) => Promise<HubClient>): void {
  describe(`HubClient contract: ${name}`, () => {
    describe('boards', () => {
      const fixture = useHub(connect);

      it('creates, lists, reads and renames a board', async () => {
        const { client } = fixture();
        const created = await client.createBoard('Alpha');
        assert.equal(created.name, 'Alpha');
        assert.equal(created.deletedAt, null);
        assert.equal(typeof created.createdAt, 'number');
        const listed = (await client.listBoards()).find((board) => board.id === created.id);
        assert.ok(listed, 'the new board is listed');
        assert.equal(listed.connections, 0);
        assert.equal(typeof listed.sizeBytes, 'number');
        assert.equal((await client.getBoard(created.id)).name, 'Alpha');
        const renamed = await client.renameBoard(created.id, 'Beta');
        assert.equal(renamed.name, 'Beta');
        assert.equal((await client.getBoard(created.id)).name, 'Beta');
      });

      it('a deleted board moves to the trash, can be restored, and once purged is gone', async () => {
        const { client } = fixture();
        const board = await client.createBoard('Short-lived');
        const deleted = await client.deleteBoard(board.id);
        assert.equal(typeof deleted.deletedAt, 'number');
        assert.equal(idsOf(await client.listBoards()).includes(board.id), false);
        assert.equal(idsOf(await client.listBoards({ trash: true })).includes(board.id), true);

        const restored = await client.restoreBoard(board.id);
        assert.equal(restored.deletedAt, null);
        assert.equal(idsOf(await client.listBoards()).includes(board.id), true);
        assert.equal(idsOf(await client.listBoards({ trash: true })).includes(board.id), false);

        await client.deleteBoard(board.id);
        assert.equal(await client.purgeBoard(board.id), undefined);
        assert.equal(idsOf(await client.listBoards({ trash: true })).includes(board.id), false);
        await expectHubError(client.getBoard(board.id), ['BOARD_NOT_FOUND']);
      });

      it('an unknown board is a BOARD_NOT_FOUND error with a message', async () => {
        const { client } = fixture();
        const error = await expectHubError(client.getBoard('no-such-board'), ['BOARD_NOT_FOUND']);
        assert.ok(error.message.length > 0);
        await expectHubError(client.renameBoard('no-such-board', 'X'), ['BOARD_NOT_FOUND']);
        await expectHubError(client.exportBoard('no-such-board'), ['BOARD_NOT_FOUND']);
      });

      it('a board only in the trash can be purged; an active one is refused with a reason', async () => {
        const { client } = fixture();
        const board = await client.createBoard('Keep me');
        await expectHubError(client.purgeBoard(board.id), ['INVALID_ARGUMENT', 'BAD_REQUEST']);
        assert.equal((await client.getBoard(board.id)).deletedAt, null);
      });

      it('export then import keeps everything a stock client wrote', async () => {
        const { client, guests } = fixture();
        const board = await client.createBoard('Roundtrip');
        const link = await client.createShare({ boardId: board.id, role: 'edit', label: 'Writer' });
        const writer = await connectWithLink(guests, link.socketUrl);
        writeContent(writer.doc);
        const expected = contentOf(writer.doc);

        const file = await eventually('the export to hold what the client wrote', async () => {
          const exported = await client.exportBoard(board.id);
          return sameContent(docOf(exported.bytes), expected) ? exported : null;
        });
        assert.ok(file.fileName.endsWith('.yjs'), file.fileName);
        assert.ok(file.fileName.includes('Roundtrip'), file.fileName);
        assert.ok(file.bytes instanceof Uint8Array);

        const imported = await client.importBoard({ bytes: file.bytes, name: 'Roundtrip copy' });
        assert.equal(imported.name, 'Roundtrip copy');
        assert.notEqual(imported.id, board.id);
        const readLink = await client.createShare({ boardId: imported.id, role: 'view', label: 'Reader' });
        const reader = await connectWithLink(guests, readLink.socketUrl);
        assert.deepEqual(contentOf(reader.doc), expected);
      });

      it('an import that is not a Yjs update is refused with a reason', async () => {
        const { client } = fixture();
        const garbage = new Uint8Array([0xff, 0xfe, 0xfd, 0xfc, 0x00, 0x01]);
        await expectHubError(client.importBoard({ bytes: garbage, name: 'Broken' }), [
          'INVALID_ARGUMENT',
          'BAD_REQUEST',
        ]);
      });
    });

    describe('shares and live connections', () => {
      const fixture = useHub(connect);

      it('creates, lists, changes the role of and revokes a share', async () => {
        const { client } = fixture();
        const board = await client.createBoard('Shared');
        const link = await client.createShare({
          boardId: board.id,
          role: 'edit',
          label: 'Ada',
          ttlMs: 3_600_000,
        });
        assert.equal(link.share.boardId, board.id);
        assert.equal(link.share.role, 'edit');
        assert.equal(link.share.label, 'Ada');
        assert.equal(link.share.revokedAt, null);
        assert.ok(link.share.expiresAt !== null && link.share.expiresAt > link.share.createdAt);
        assert.equal(
          link.url.replace(/#t=.*$/, ''),
          link.socketUrl.replace(/^ws:/, 'http:').replace(/\/ws\/canvas\/.*$/, `/b/${board.id}`),
          'the link is the board page on the same host',
        );
        assert.match(link.url, /^https?:\/\/[^/]+\/b\/[A-Za-z0-9_-]+#t=[^&]+$/);
        assert.equal(
          decodeURIComponent(new URL(link.url).hash.slice('#t='.length)),
          new URL(link.socketUrl).searchParams.get('token'),
          'page and socket carry the same token',
        );
        assert.match(link.socketUrl, /^wss?:\/\/[^/]+\/ws\/canvas\/[A-Za-z0-9_-]+\?token=/);
        assert.ok(link.url.includes(board.id), 'the link names the board');
        assert.ok(Array.isArray(link.alternativeUrls));
        assert.equal(link.alternativeSocketUrls.length, link.alternativeUrls.length);
        assert.equal('token' in link, false, 'the link carries the token; no separate copy');

        const forever = await client.createShare({ boardId: board.id, role: 'view' });
        assert.equal(forever.share.expiresAt, null);
        assert.equal(forever.share.label, '');

        const listed = await client.listShares(board.id);
        assert.deepEqual(idsOf(listed).sort(), [link.share.id, forever.share.id].sort());

        const changed = await client.setShareRole(link.share.id, 'comment');
        assert.equal(changed.role, 'comment');
        const revoked = await client.revokeShare(link.share.id);
        assert.equal(typeof revoked.revokedAt, 'number');
        const afterRevoke = (await client.listShares(board.id)).find((share) => share.id === link.share.id);
        assert.equal(afterRevoke?.role, 'comment');
        assert.equal(typeof afterRevoke?.revokedAt, 'number');
      });

      it('an unknown share is a SHARE_NOT_FOUND error', async () => {
        const { client } = fixture();
        await expectHubError(client.revokeShare('no-such-share'), ['SHARE_NOT_FOUND']);
        await expectHubError(client.setShareRole('no-such-share', 'view'), ['SHARE_NOT_FOUND']);
      });

      it('a stock client on a share link is listed with its label and role, and is gone after the revoke', async () => {
        const { client, guests } = fixture();
        const board = await client.createBoard('Visited');
        const link = await client.createShare({ boardId: board.id, role: 'comment', label: 'Grace' });
        await connectWithLink(guests, link.socketUrl);
        const [connection] = await eventually('the connection to be listed', async () => {
          const connections = await client.listConnections(board.id);
          return connections.length === 1 ? connections : null;
        });
        assert.equal(connection?.boardId, board.id);
        assert.equal(connection?.shareId, link.share.id);
        assert.equal(connection?.label, 'Grace');
        assert.equal(connection?.role, 'comment');
        assert.equal(typeof connection?.connectedAt, 'number');
        assert.equal((await client.getBoard(board.id)).connections, 1);

        await client.revokeShare(link.share.id);
        await eventually('the connection to be gone', async () =>
          (await client.listConnections(board.id)).length === 0 ? true : null,
        );
      });

      it('a share link is offered as an SVG QR code', async () => {
        const { client } = fixture();
        const board = await client.createBoard('QR');
        const link = await client.createShare({ boardId: board.id, role: 'view' });
        const svg = await client.qrSvg(link.url);
        assert.match(svg, /<svg[\s>]/);
        assert.match(svg, /<\/svg>\s*$/);
      });
    });

    describe('audit log', () => {
      const fixture = useHub(connect);

      it('filters by board and action and pages newest first by cursor', async () => {
        const { client } = fixture();
        const board = await client.createBoard('Audited');
        for (const name of ['Audited 1', 'Audited 2', 'Audited 3']) await client.renameBoard(board.id, name);
        await client.createBoard('Noise');

        await eventually('three renames in the log', async () => {
          const { entries } = await client.queryAudit({ boardId: board.id, action: 'board_rename' });
          return entries.length === 3 ? true : null;
        });
        const seen: number[] = [];
        // Pages of two until nextCursor is null (bounded, in case a cursor never ends).
        let cursor: number | undefined;
        for (let pages = 0; pages < 5; pages++) {
          const page = await client.queryAudit({
            boardId: board.id,
            action: 'board_rename',
            limit: 2,
            beforeId: cursor,
          });
          assert.ok(page.entries.length <= 2);
          for (const entry of page.entries) {
            assert.equal(entry.boardId, board.id);
            assert.equal(entry.action, 'board_rename');
            assert.deepEqual(Object.keys(entry).sort(), AUDIT_ROW_KEYS);
            seen.push(entry.id);
          }
          if (page.nextCursor === null) break;
          cursor = page.nextCursor;
        }
        assert.equal(seen.length, 3);
        assert.deepEqual(
          seen,
          [...seen].sort((a, b) => b - a),
          'newest first',
        );

        const everything = await client.queryAudit({ boardId: board.id });
        assert.ok(everything.entries.some((entry) => entry.action === 'board_create'));
        assert.ok(everything.entries.every((entry) => entry.boardId === board.id));
      });

      it('the hash chain verifies', async () => {
        const { client } = fixture();
        const status = await client.verifyAudit();
        assert.equal(status.ok, true);
        assert.ok(status.rows > 0);
        if (status.ok) assert.match(status.headHash, /^[0-9a-f]{64}$/);
      });

      it('exports as CSV with a header row and as JSON lines', async () => {
        const { client } = fixture();
        const board = await client.createBoard('Exported log');
        await eventually('the board in the log', async () =>
          (await client.queryAudit({ boardId: board.id })).entries.length > 0 ? true : null,
        );
        const csv = await client.exportAudit({ boardId: board.id }, 'csv');
        const lines = csv.split(/\r?\n/).filter((line) => line !== '');
        assert.match(lines[0] ?? '', /^id,time,action,/);
        assert.ok(lines.length >= 2, 'a header and at least one row');
        assert.ok(lines.slice(1).every((line) => line.includes(board.id)));

        const jsonl = await client.exportAudit({ boardId: board.id, action: 'board_create' }, 'jsonl');
        const rows = jsonl
          .split('\n')
          .filter((line) => line !== '')
          .map((line) => JSON.parse(line) as Record<string, unknown>);
        assert.equal(rows.length, 1);
        assert.equal(rows[0]?.action, 'board_create');
      });
    });

    describe('hub overview and settings', () => {
      const fixture = useHub(connect);

      it('the overview describes the running hub', async () => {
        const { client, hub } = fixture();
        await client.createBoard('Counted');
        const overview = await client.overview();
        assert.equal(overview.hubId, hub.hub.service.hubId);
        assert.equal(overview.port, hub.port);
        assert.equal(overview.lanVisible, false);
        assert.equal(overview.mdns, 'off');
        assert.ok(overview.boards >= 1);
        assert.equal(typeof overview.version, 'string');
        assert.equal(typeof overview.dataDir, 'string');
      });

      it('reads the settings of a hub on this machine only', async () => {
        const { client } = fixture();
        const settings = await client.getSettings();
        assert.equal(typeof settings.name, 'string');
        assert.equal(settings.lanVisible, false);
        assert.equal(typeof settings.port, 'number');
        assert.equal(typeof settings.idleUnloadMs, 'number');
        assert.equal(typeof settings.restartRequired, 'boolean');
        assert.ok(['os-keychain', 'file'].includes(settings.keyProtection));
      });

      it('changes the name and the idle unload time', async () => {
        const { client } = fixture();
        const updated = await client.updateSettings({ name: 'Studio hub', idleUnloadMs: 120_000 });
        assert.equal(updated.name, 'Studio hub');
        assert.equal(updated.idleUnloadMs, 120_000);
        const reread = await client.getSettings();
        assert.equal(reread.name, 'Studio hub');
        assert.equal(reread.idleUnloadMs, 120_000);
        assert.equal((await client.overview()).name, 'Studio hub');
      });

      it('refuses invalid settings with a message, changing nothing', async () => {
        const { client } = fixture();
        const unchanged = await client.getSettings();
        for (const patch of [{ idleUnloadMs: -1 }, { name: '' }]) {
          const error = await expectHubError(client.updateSettings(patch), [
            'INVALID_ARGUMENT',
            'BAD_REQUEST',
          ]);
          assert.ok(error.message.length > 0);
        }
        assert.deepEqual(await client.getSettings(), unchanged);
      });
    });

    describe('LAN peers', () => {
      const fixture = useHub(connect);

      it('a hub added by address is listed, trusted and removed', async () => {
        const { client } = fixture();
        const other = await startTestHub({ name: 'Other hub' });
        try {
          const added = await client.addPeer('127.0.0.1', other.port);
          assert.equal(added.hubId, other.hub.service.hubId);
          assert.equal(added.name, 'Other hub');
          assert.equal(added.source, 'manual');
          assert.deepEqual(
            (await client.listPeers()).map((peer) => peer.hubId),
            [added.hubId],
          );
          const trusted = await client.trustPeer(added.hubId);
          assert.equal(trusted.hubId, added.hubId);
          assert.notEqual(trusted.identity, 'changed');
          assert.equal(await client.removePeer(added.hubId), undefined);
          assert.deepEqual(await client.listPeers(), []);
          await expectHubError(client.removePeer(added.hubId), ['PEER_NOT_FOUND']);
        } finally {
          await other.stop();
        }
      });
    });

    describe('opening a board (owner sessions)', () => {
      const fixture = useHub(connect);

      it('gives the board page on loopback whose fragment token edits the board', async () => {
        const { client, hub, guests } = fixture();
        const board = await client.createBoard('Owned');
        const { url } = await client.openBoard(board.id);
        const page = new URL(url);
        assert.equal(
          `${page.protocol}//${page.host}${page.pathname}`,
          `http://127.0.0.1:${hub.port}/b/${board.id}`,
        );
        assert.match(page.hash, /^#t=[^&]+$/);
        assert.equal(page.search, '', 'the token is in the fragment only');
        const token = decodeURIComponent(page.hash.slice('#t='.length));

        const owner = connectClient(hub.wsBase, board.id, token);
        guests.push(owner);
        await waitFor('the owner to sync', () => owner.provider.synced);
        owner.doc.getMap('cards').set('owner-card', 'written by the owner');
        const reader = await connectWithLink(
          guests,
          (await client.createShare({ boardId: board.id, role: 'view' })).socketUrl,
        );
        await waitFor('the owner’s edit to reach a reader', () =>
          reader.doc.getMap('cards').get('owner-card') === 'written by the owner' ? true : null,
        );
      });

      it('reuses one owner share, hidden from the share list, and audits each opening', async () => {
        const { client } = fixture();
        const board = await client.createBoard('Opened twice');
        const first = await client.openBoard(board.id);
        const second = await client.openBoard(board.id);
        const shareOf = (url: string): string => {
          const token = decodeURIComponent(new URL(url).hash.slice('#t='.length));
          const claims = JSON.parse(Buffer.from(token.split('.')[1] ?? '', 'base64url').toString()) as {
            jti: string;
            exp?: number;
          };
          assert.ok(claims.exp !== undefined && claims.exp * 1000 <= Date.now() + 12 * 3600 * 1000 + 5000);
          return claims.jti;
        };
        assert.equal(shareOf(first.url), shareOf(second.url), 'one owner share per board');
        assert.deepEqual(await client.listShares(board.id), [], 'the owner share is not a share link');
        const opened = await eventually('two board_open rows', async () => {
          const { entries } = await client.queryAudit({ boardId: board.id, action: 'board_open' });
          return entries.length === 2 ? entries : null;
        });
        assert.equal(opened[0]?.shareId, shareOf(first.url));
        assert.equal(opened[0]?.label, 'Owner');
      });

      it('an unknown or trashed board cannot be opened', async () => {
        const { client } = fixture();
        await expectHubError(client.openBoard('no-such-board'), ['BOARD_NOT_FOUND']);
        const board = await client.createBoard('Binned');
        await client.deleteBoard(board.id);
        await expectHubError(client.openBoard(board.id), ['BOARD_NOT_FOUND']);
      });
    });

    describe('live events', () => {
      const fixture = useHub(connect);

      it('reports live, then a boards change after a board is created', async () => {
        const { client, record } = fixture();
        const events = record();
        await waitFor('the live state', () => events.some(isLive));
        await client.createBoard('Announced');
        await waitFor('a boards change', () => changesOf(events).some((change) => change.topic === 'boards'));
      });

      it('reports a connections change for the board a stock client joins', async () => {
        const { client, guests, record } = fixture();
        const board = await client.createBoard('Joined');
        const link = await client.createShare({ boardId: board.id, role: 'view' });
        const events = record();
        await waitFor('the live state', () => events.some(isLive));
        await connectWithLink(guests, link.socketUrl);
        // A topic-wide change covers every board (a hub may coalesce per-board changes into one).
        await waitFor('a connections change for the board', () =>
          changesOf(events).some(
            (change) =>
              change.topic === 'connections' && (change.boardId === board.id || change.boardId === undefined),
          ),
        );
      });

      it('a listener that unsubscribed hears nothing more while the others still do', async () => {
        const { client, record } = fixture();
        const staying = record();
        const leavingEvents: HubEvent[] = [];
        const leave = client.subscribe((event) => leavingEvents.push(event));
        await waitFor('the live state', () => staying.some(isLive) && leavingEvents.some(isLive));
        leave();
        const heardBefore = leavingEvents.length;
        await client.createBoard('After leaving');
        await waitFor('a boards change for the one staying', () =>
          changesOf(staying).some((change) => change.topic === 'boards'),
        );
        assert.equal(leavingEvents.length, heardBefore);
      });
    });

    describe('errors', () => {
      const fixture = useHub(connect);

      it('every failure is a HubClientError with a code and a message fit to show', async () => {
        const { client } = fixture();
        const failures: Array<[() => Promise<unknown>, string[]]> = [
          [() => client.getBoard('no-such-board'), ['BOARD_NOT_FOUND']],
          [() => client.createBoard('   '), ['INVALID_ARGUMENT', 'BAD_REQUEST']],
          [() => client.listShares('no-such-board'), ['BOARD_NOT_FOUND']],
          [() => client.trustPeer('no-such-hub'), ['PEER_NOT_FOUND']],
        ];
        for (const [call, codes] of failures) {
          const error = await expectHubError(call(), codes);
          assert.equal(error.name, 'HubClientError');
          assert.ok(error.message.trim().length > 0);
          assert.doesNotMatch(error.message, /\n\s+at /, 'no stack trace in a message');
        }
      });
    });
  });
}

// ----- fixture -----

interface Fixture {
  hub: TestHub;
  client: HubClient;
  /** Stock y-websocket clients; destroyed after each test. */
  guests: TestClient[];
  /** Subscribes the client and records every event; unsubscribed after each test. */
  record(): HubEvent[];
}

/** One real hub and client for a group of tests (describe); guests and listeners end per test. */
function useHub(connect: (hub: TestHub) => Promise<HubClient>): () => Fixture {
  let fixture: Fixture | undefined;
  const unsubscribes: Array<() => void> = [];
  before(async () => {
    const hub = await startTestHub();
    try {
      const client = await connect(hub);
      fixture = {
        hub,
        client,
        guests: [],
        record() {
          const events: HubEvent[] = [];
          unsubscribes.push(client.subscribe((event) => events.push(event)));
          return events;
        },
      };
    } catch (error) {
      await hub.stop();
      throw error;
    }
  });
  afterEach(() => {
    for (const unsubscribe of unsubscribes.splice(0)) unsubscribe();
    for (const guest of fixture?.guests.splice(0) ?? []) guest.destroy();
  });
  after(async () => {
    await fixture?.hub.stop();
  });
  return () => {
    if (fixture === undefined) throw new Error('the hub of this group did not start');
    return fixture;
  };
}

// ----- helpers -----

const AUDIT_ROW_KEYS = [
  'action',
  'actor',
  'boardId',
  'detail',
  'hash',
  'id',
  'ip',
  'label',
  'shareId',
  'ts',
  'userAgent',
];

const idsOf = (items: ReadonlyArray<{ id: string }>): string[] => items.map((item) => item.id);

const isLive = (event: HubEvent): boolean => event.type === 'connection' && event.state === 'live';

const changesOf = (events: readonly HubEvent[]) =>
  events.flatMap((event) => (event.type === 'changes' ? event.changes : []));

async function expectHubError(call: Promise<unknown>, codes: readonly string[]): Promise<HubClientError> {
  try {
    await call;
  } catch (error) {
    assert.ok(error instanceof HubClientError, `a HubClientError, not ${String(error)}`);
    assert.ok(
      codes.includes(error.code),
      `code ${error.code} (${error.message}), expected ${codes.join(' or ')}`,
    );
    assert.equal(typeof error.message, 'string');
    return error;
  }
  assert.fail(`expected a HubClientError ${codes.join(' or ')}, but the call succeeded`);
}

/** Polls an async check until it returns something other than null (generous: machines are noisy). */
async function eventually<T>(what: string, check: () => Promise<T | null>, timeoutMs = 15_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await check();
    if (value !== null) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

/** A stock y-websocket client on a share link as a guest would open it: the link's board, token and host. */
async function connectWithLink(guests: TestClient[], url: string): Promise<TestClient> {
  const link = new URL(url);
  const token = link.searchParams.get('token');
  const boardPath = link.pathname.split('/');
  const boardId = decodeURIComponent(boardPath.pop() ?? '');
  assert.ok(token !== null && boardId !== '', `a share link with a board and a token: ${url}`);
  const guest = connectClient(`${link.protocol}//${link.host}${boardPath.join('/')}`, boardId, token);
  guests.push(guest);
  await waitFor('the guest to sync', () => guest.provider.synced);
  return guest;
}

/** Text well past one base64 chunk of the HTTP import, a map with a nested value, and an array. */
function writeContent(doc: Y.Doc): void {
  doc.transact(() => {
    const lines = Array.from(
      { length: 4000 },
      (_, index) => `Line ${index}: what went well, what to change.`,
    );
    doc.getText('notes').insert(0, lines.join('\n'));
    doc.getMap('cards').set('card-1', { x: 10, y: 20, text: 'Ship it' });
    doc.getArray('order').push(['card-1']);
  });
}

function contentOf(doc: Y.Doc): Record<string, unknown> {
  return {
    notes: doc.getText('notes').toString(),
    cards: doc.getMap('cards').toJSON(),
    order: doc.getArray('order').toJSON(),
  };
}

function docOf(update: Uint8Array): Y.Doc {
  const doc = new Y.Doc();
  Y.applyUpdate(doc, update);
  return doc;
}

function sameContent(doc: Y.Doc, expected: Record<string, unknown>): boolean {
  try {
    assert.deepEqual(contentOf(doc), expected);
    return true;
  } catch {
    return false;
  } finally {
    doc.destroy();
  }
}
