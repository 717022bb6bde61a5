import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import * as Y from 'yjs';
import {
  AdminApi,
  type ApiResponse,
  type BoardJson,
  type BoardSummaryJson,
  type ConnectionJson,
  errorCodeOf,
  type IssuedShareJson,
  type KeyJson,
  type ShareJson,
  TEST_USER_AGENT,
} from '../helpers/api.js';
import { connectSynced, type TestClient, tryUpgrade } from '../helpers/clients.js';
import { closeClientsThenHubAfter } from '../helpers/describe-hub.js';
import { readStoredDoc, startTestHub, type TestHub, withDatabase } from '../helpers/test-hub.js';
import { sleep, waitFor } from '../helpers/wait.js';

interface Endpoint {
  method: string;
  path: string;
  body?: unknown;
}

/** Every route of the admin API, aimed at a real board and share so a missing guard would show. */
function everyEndpoint(boardId: string, shareId: string): Endpoint[] {
  return [
    { method: 'GET', path: '/api/status' },
    { method: 'GET', path: '/api/boards' },
    { method: 'POST', path: '/api/boards', body: { name: 'Intruder board' } },
    { method: 'GET', path: `/api/boards/${boardId}` },
    { method: 'PATCH', path: `/api/boards/${boardId}`, body: { name: 'Renamed by intruder' } },
    { method: 'DELETE', path: `/api/boards/${boardId}` },
    { method: 'POST', path: `/api/boards/${boardId}/restore` },
    { method: 'POST', path: `/api/boards/${boardId}/purge` },
    { method: 'GET', path: `/api/boards/${boardId}/export` },
    { method: 'GET', path: `/api/boards/${boardId}/export/meta` },
    {
      method: 'POST',
      path: '/api/boards/import',
      body: { update: Buffer.from(Y.encodeStateAsUpdate(new Y.Doc())).toString('base64') },
    },
    { method: 'GET', path: `/api/boards/${boardId}/connections` },
    { method: 'GET', path: `/api/boards/${boardId}/shares` },
    { method: 'POST', path: `/api/boards/${boardId}/shares`, body: { role: 'edit' } },
    { method: 'GET', path: `/api/shares/${shareId}` },
    { method: 'PATCH', path: `/api/shares/${shareId}`, body: { role: 'view' } },
    { method: 'DELETE', path: `/api/shares/${shareId}` },
    { method: 'GET', path: '/api/keys' },
    { method: 'POST', path: '/api/keys/rotate' },
    { method: 'POST', path: '/api/keys/retire', body: {} },
    { method: 'GET', path: '/api/audit' },
    { method: 'GET', path: '/api/audit/verify' },
    { method: 'GET', path: '/api/audit/export' },
    { method: 'GET', path: '/api/overview' },
    { method: 'GET', path: '/api/settings' },
    { method: 'PATCH', path: '/api/settings', body: { name: 'Intruder hub', idleUnloadMs: 1 } },
    { method: 'GET', path: '/api/events' },
    { method: 'POST', path: '/api/admin-token/reset' },
  ];
}

const describeCall = (endpoint: Endpoint): string => `${endpoint.method} ${endpoint.path}`;

function assertRefused(response: ApiResponse, status: number, code: string, what: string): void {
  assert.equal(response.status, status, `${what}: ${response.text}`);
  assert.equal(errorCodeOf(response.json), code, what);
}

/** What a stock editor and a fresh reader compare: every root type the test boards use. */
function boardContent(doc: Y.Doc): Record<string, unknown> {
  return {
    notes: doc.getText('notes').toDelta(),
    cards: doc.getMap('cards').toJSON(),
    order: doc.getArray('order').toJSON(),
    rich: doc.getXmlFragment('rich').toString(),
  };
}

/** Writes text (with formatting), a map with nested types, an array and an XML fragment. */
function writeRichContent(doc: Y.Doc): void {
  doc.transact(() => {
    const notes = doc.getText('notes');
    notes.insert(0, 'Retro notes: what went well');
    notes.format(0, 5, { bold: true });
    const card = new Y.Map<unknown>();
    doc.getMap('cards').set('c1', card);
    card.set('title', 'Ship the hub');
    card.set('votes', 3);
    const tags = new Y.Array<string>();
    card.set('tags', tags);
    tags.push(['urgent', 'backend']);
    const body = new Y.Text();
    card.set('body', body);
    body.insert(0, 'nested text');
    doc.getMap('cards').set('c2', { plain: 'json', list: [1, 2, 3] });
    doc.getArray('order').push(['c1', 'c2']);
    const paragraph = new Y.XmlElement('p');
    paragraph.insert(0, [new Y.XmlText('hello rich text')]);
    doc.getXmlFragment('rich').insert(0, [paragraph]);
  });
  doc.getArray<string>('order').delete(1, 1);
  doc.getArray<string>('order').push(['c2-again']);
}

/** No stack trace, file path or internal frame may leak into an error answer. */
function assertNoStackTrace(text: string, what: string): void {
  assert.doesNotMatch(text, /\bat .+:\d+:\d+/, `${what}: stack frame in ${text}`);
  assert.doesNotMatch(text, /node_modules|\.ts\b|\/src\//, `${what}: source path in ${text}`);
  assert.doesNotMatch(text, /"stack"/, `${what}: stack property in ${text}`);
}

describe('the admin API guard', () => {
  const allowedOrigin = 'https://board.example';
  let hub: TestHub;
  let api: AdminApi;
  let staleToken: string;
  let board: BoardJson;
  let share: ShareJson;

  before(async () => {
    // Dozens of refused calls on purpose: the failed-auth limit is tested on its own hub below.
    hub = await startTestHub({ authFailuresPerMinute: 100_000, allowedOrigins: [allowedOrigin] });
    staleToken = hub.hub.service.issueAdminToken({ name: 'test' });
    api = AdminApi.for(hub);
    board = await api.createBoard('Guarded');
    share = (await api.createShare(board.id, 'edit')).share;
  });
  after(() => hub.stop());

  /** Nothing a refused call could have done happened. */
  async function assertNothingChanged(): Promise<void> {
    const settings = await api.expect<{ name: string; idleUnloadMs: number }>(200, 'GET', '/api/settings');
    assert.notEqual(settings.name, 'Intruder hub');
    assert.notEqual(settings.idleUnloadMs, 1);
    const boards = await api.expect<BoardSummaryJson[]>(200, 'GET', '/api/boards');
    assert.deepEqual(
      boards.map((b) => ({ id: b.id, name: b.name, deletedAt: b.deletedAt })),
      [{ id: board.id, name: 'Guarded', deletedAt: null }],
    );
    assert.deepEqual(await api.expect<ShareJson>(200, 'GET', `/api/shares/${share.id}`), share);
    assert.equal((await api.expect<ShareJson[]>(200, 'GET', `/api/boards/${board.id}/shares`)).length, 1);
    assert.equal((await api.expect<KeyJson[]>(200, 'GET', '/api/keys')).length, 1);
  }

  it('refuses every endpoint without an admin token (401 ADMIN_TOKEN_INVALID)', async () => {
    for (const endpoint of everyEndpoint(board.id, share.id)) {
      const response = await api.request(endpoint.method, endpoint.path, {
        token: null,
        body: endpoint.body,
      });
      assertRefused(response, 401, 'ADMIN_TOKEN_INVALID', describeCall(endpoint));
    }
    await assertNothingChanged();
  });

  it('refuses every endpoint with a wrong, malformed or superseded admin token (401)', async () => {
    const [, secret] = api.token.split('.');
    const wrongTokens = [
      'nope',
      `${api.token}x`,
      `bhadm_AAAAAAAAAAA.${secret}`,
      api.token.replace(/.$/, (c) => (c === 'A' ? 'B' : 'A')),
      staleToken,
    ];
    for (const endpoint of everyEndpoint(board.id, share.id)) {
      for (const token of wrongTokens) {
        const response = await api.request(endpoint.method, endpoint.path, { token, body: endpoint.body });
        assertRefused(response, 401, 'ADMIN_TOKEN_INVALID', `${describeCall(endpoint)} with ${token}`);
      }
    }
    await assertNothingChanged();
  });

  it('refuses every endpoint from a foreign web origin even with a valid token (403 ORIGIN_NOT_ALLOWED)', async () => {
    const foreignOrigins = [
      'http://evil.example',
      'null',
      `http://127.0.0.1:${hub.port + 1}`,
      `https://127.0.0.1:${hub.port}`,
      `http://localhost.evil.example:${hub.port}`,
    ];
    for (const endpoint of everyEndpoint(board.id, share.id)) {
      for (const origin of foreignOrigins) {
        const response = await api.request(endpoint.method, endpoint.path, { origin, body: endpoint.body });
        assertRefused(response, 403, 'ORIGIN_NOT_ALLOWED', `${describeCall(endpoint)} from ${origin}`);
      }
    }
    await assertNothingChanged();
  });

  it("answers a request from the hub's own origin with a valid token", async () => {
    const origin = `http://127.0.0.1:${hub.port}`;
    const status = await api.request('GET', '/api/status', { origin });
    assert.equal(status.status, 200, status.text);
    const created = await api.request('POST', '/api/boards', { origin, body: { name: 'Same origin' } });
    assert.equal(created.status, 201, created.text);
    const removed = await api.request('DELETE', `/api/boards/${(created.json as BoardJson).id}`, { origin });
    assert.equal(removed.status, 200, removed.text);
  });

  it('answers a request from an origin listed in allowedOrigins', async () => {
    const listed = await api.request('GET', '/api/boards', { origin: allowedOrigin });
    assert.equal(listed.status, 200, listed.text);
    assert.ok(Array.isArray(listed.json));
    const keys = await api.request('GET', '/api/keys', { origin: allowedOrigin });
    assert.equal(keys.status, 200, keys.text);
  });

  it('an allowed origin still needs the admin token', async () => {
    const response = await api.request('GET', '/api/status', { origin: allowedOrigin, token: null });
    assertRefused(response, 401, 'ADMIN_TOKEN_INVALID', 'allowed origin without token');
  });
});

describe('admin API request validation', () => {
  let hub: TestHub;
  let api: AdminApi;
  let board: BoardJson;
  let share: ShareJson;

  before(async () => {
    hub = await startTestHub();
    api = AdminApi.for(hub);
    board = await api.createBoard('Validated');
    share = (await api.createShare(board.id, 'view')).share;
  });
  after(() => hub.stop());

  /** Sends each request and returns what was not a clean 400 (so one run lists every offender). */
  async function badRequestProblems(
    cases: Array<{ what: string; method: string; path: string; body?: unknown; rawBody?: string }>,
  ): Promise<string[]> {
    const problems: string[] = [];
    for (const { what, method, path, body, rawBody } of cases) {
      const response = await api.request(method, path, { body, rawBody });
      const message = (response.json as { error?: { message?: unknown } } | undefined)?.error?.message;
      if (response.status !== 400)
        problems.push(`${what}: ${response.status} ${response.text.slice(0, 120)}`);
      else if (!/^[A-Z_]+$/.test(errorCodeOf(response.json) ?? '')) problems.push(`${what}: no error code`);
      else if (typeof message !== 'string' || message.length === 0) problems.push(`${what}: no message`);
      assertNoStackTrace(response.text, what);
    }
    return problems;
  }

  it('a board without a name, or with a name that is not a string, is a 400 and creates nothing', async () => {
    const problems = await badRequestProblems([
      { what: 'missing name', method: 'POST', path: '/api/boards', body: {} },
      { what: 'numeric name', method: 'POST', path: '/api/boards', body: { name: 42 } },
      { what: 'boolean name', method: 'POST', path: '/api/boards', body: { name: true } },
      { what: 'array name', method: 'POST', path: '/api/boards', body: { name: ['Board'] } },
      { what: 'null name', method: 'POST', path: '/api/boards', body: { name: null } },
      { what: 'blank name', method: 'POST', path: '/api/boards', body: { name: '   ' } },
      { what: 'too long a name', method: 'POST', path: '/api/boards', body: { name: 'x'.repeat(201) } },
      { what: 'rename without a name', method: 'PATCH', path: `/api/boards/${board.id}`, body: {} },
      { what: 'rename to a number', method: 'PATCH', path: `/api/boards/${board.id}`, body: { name: 7 } },
    ]);
    assert.deepEqual(problems, []);
    const boards = await api.expect<BoardJson[]>(200, 'GET', '/api/boards');
    assert.deepEqual(
      boards.map((b) => b.name),
      ['Validated'],
    );
  });

  it('a share with an unknown role or a bad lifetime is a 400 and creates nothing', async () => {
    const path = `/api/boards/${board.id}/shares`;
    const problems = await badRequestProblems([
      { what: 'unknown role', method: 'POST', path, body: { role: 'owner' } },
      { what: 'missing role', method: 'POST', path, body: {} },
      { what: 'role as an array', method: 'POST', path, body: { role: ['edit'] } },
      { what: 'negative ttlMs', method: 'POST', path, body: { role: 'edit', ttlMs: -5 } },
      { what: 'zero ttlMs', method: 'POST', path, body: { role: 'edit', ttlMs: 0 } },
      { what: 'fractional ttlMs', method: 'POST', path, body: { role: 'edit', ttlMs: 1.5 } },
      { what: 'ttlMs as a duration text', method: 'POST', path, body: { role: 'edit', ttlMs: '2h' } },
      { what: 'ttlMs as a numeric text', method: 'POST', path, body: { role: 'edit', ttlMs: '3600000' } },
      {
        what: 'role change to an unknown role',
        method: 'PATCH',
        path: `/api/shares/${share.id}`,
        body: { role: 'admin' },
      },
    ]);
    assert.deepEqual(problems, []);
    assert.equal((await api.expect<ShareJson[]>(200, 'GET', path)).length, 1, 'no share was created');
  });

  it('a malformed JSON body is a 400', async () => {
    const problems = await badRequestProblems([
      { what: 'truncated JSON', method: 'POST', path: '/api/boards', rawBody: '{"name": "half' },
      { what: 'not JSON at all', method: 'POST', path: '/api/boards', rawBody: 'name=Board' },
      { what: 'JSON but not an object', method: 'POST', path: '/api/boards', rawBody: '"Board"' },
    ]);
    assert.deepEqual(problems, []);
  });

  it('a malformed id in the path is a 400', async () => {
    const problems = await badRequestProblems(
      ['bad!id', 'a'.repeat(65), 'b%20c', "x'--"].flatMap((badId) => [
        { what: `board ${badId}`, method: 'GET', path: `/api/boards/${badId}` },
        { what: `share ${badId}`, method: 'GET', path: `/api/shares/${badId}` },
        { what: `rename ${badId}`, method: 'PATCH', path: `/api/boards/${badId}`, body: { name: 'n' } },
        { what: `revoke ${badId}`, method: 'DELETE', path: `/api/shares/${badId}` },
      ]),
    );
    assert.deepEqual(problems, []);
  });

  it('an unknown board or share is a 404 with a code, not a 400 or 500', async () => {
    const board404 = await api.request('GET', '/api/boards/b_doesnotexist');
    assertRefused(board404, 404, 'BOARD_NOT_FOUND', 'unknown board');
    const share404 = await api.request('DELETE', '/api/shares/s_doesnotexist');
    assertRefused(share404, 404, 'SHARE_NOT_FOUND', 'unknown share');
    assertNoStackTrace(board404.text + share404.text, 'not found');
  });
});

describe('board lifecycle through the admin API', () => {
  let hub: TestHub;
  let api: AdminApi;
  before(async () => {
    hub = await startTestHub();
    api = AdminApi.for(hub);
  });
  const { track } = closeClientsThenHubAfter(() => hub);

  const listed = async (trash = false): Promise<BoardSummaryJson[]> =>
    api.expect<BoardSummaryJson[]>(200, 'GET', `/api/boards${trash ? '?trash=true' : ''}`);

  /** A board created through the API with an edit share and a stock client that wrote to it. */
  async function boardWithContent(
    name: string,
  ): Promise<{ board: BoardJson; token: string; editor: TestClient }> {
    const board = await api.createBoard(name);
    const { token } = await api.createShare(board.id, 'edit', { label: 'editor' });
    const editor = track(await connectSynced(hub.wsBase, board.id, token));
    editor.doc.getText('notes').insert(0, `content of ${name}`);
    await waitFor('content stored', () =>
      readStoredDoc(hub.dataDir, board.id).getText('notes').toString().includes(name),
    );
    return { board, token, editor };
  }

  it('creates and renames a board', async () => {
    const board = await api.createBoard('  Sprint planning  ');
    assert.equal(board.name, 'Sprint planning', 'the name is trimmed');
    assert.match(board.id, /^[A-Za-z0-9_-]+$/);
    assert.equal(board.deletedAt, null);

    const renamed = await api.expect<BoardJson>(200, 'PATCH', `/api/boards/${board.id}`, {
      name: 'Sprint 12',
    });
    assert.equal(renamed.name, 'Sprint 12');
    assert.equal(renamed.id, board.id);
    assert.equal(
      (await api.expect<BoardSummaryJson>(200, 'GET', `/api/boards/${board.id}`)).name,
      'Sprint 12',
    );
    assert.ok((await listed()).some((b) => b.id === board.id && b.name === 'Sprint 12'));
  });

  it('lists live figures: connections while a stock client is connected, log length and size after edits', async () => {
    const board = await api.createBoard('Figures');
    const fresh = (await listed()).find((b) => b.id === board.id);
    assert.deepEqual(
      { connections: fresh?.connections, logLength: fresh?.logLength, sizeBytes: fresh?.sizeBytes },
      { connections: 0, logLength: 0, sizeBytes: 0 },
    );

    const { token } = await api.createShare(board.id, 'edit', { label: 'Group A' });
    const client = track(await connectSynced(hub.wsBase, board.id, token));
    for (let i = 0; i < 5; i++) client.doc.getArray('list').push([`item ${i}`]);
    await waitFor('edits stored', () => readStoredDoc(hub.dataDir, board.id).getArray('list').length === 5);

    const during = (await listed()).find((b) => b.id === board.id);
    assert.equal(during?.connections, 1);
    assert.ok((during?.logLength ?? 0) > 0, 'log length after edits');
    assert.ok((during?.sizeBytes ?? 0) > 0, 'size after edits');
    const single = await api.expect<BoardSummaryJson>(200, 'GET', `/api/boards/${board.id}`);
    assert.equal(single.connections, 1);

    const connections = await api.expect<ConnectionJson[]>(200, 'GET', `/api/boards/${board.id}/connections`);
    assert.equal(connections.length, 1);
    assert.equal(connections[0]?.label, 'Group A');
    assert.equal(connections[0]?.role, 'edit');
    assert.equal(connections[0]?.ip, '127.0.0.1');
    const status = await api.expect<{ connections: number; roomsLoaded: number }>(200, 'GET', '/api/status');
    assert.ok(status.connections >= 1 && status.roomsLoaded >= 1);

    client.destroy();
    await waitFor('connection count to drop', () => hub.hub.stats().connections === 0);
    assert.equal((await listed()).find((b) => b.id === board.id)?.connections, 0);
  });

  it('delete moves a board to the trash and closes its stock clients with 4404, which do not reconnect', async () => {
    const { board, token, editor } = await boardWithContent('Doomed');
    const deleted = await api.expect<BoardJson>(200, 'DELETE', `/api/boards/${board.id}`);
    assert.notEqual(deleted.deletedAt, null);

    await waitFor('close with 4404', () => editor.closeEvents.find((e) => e.code === 4404));
    await sleep(600);
    assert.equal(editor.provider.shouldConnect, false, 'a 4404 close stops reconnection');
    assert.equal(editor.provider.wsconnected, false);
    assert.equal(editor.closeEvents.length, 1, 'no further connection attempts');

    assert.ok(!(await listed()).some((b) => b.id === board.id), 'gone from the active list');
    const trash = await listed(true);
    assert.ok(
      trash.some((b) => b.id === board.id && b.deletedAt !== null),
      'listed in the trash',
    );
    const refused = await tryUpgrade(`${hub.wsBase}/${board.id}?token=${encodeURIComponent(token)}`);
    assert.equal(refused.status, 404);
  });

  it('restore brings a trashed board back: a client can connect again and sees the old content', async () => {
    const { board, token } = await boardWithContent('Comeback');
    await api.expect<BoardJson>(200, 'DELETE', `/api/boards/${board.id}`);
    const restored = await api.expect<BoardJson>(200, 'POST', `/api/boards/${board.id}/restore`);
    assert.equal(restored.deletedAt, null);
    assert.ok((await listed()).some((b) => b.id === board.id));
    assert.ok(!(await listed(true)).some((b) => b.id === board.id));

    const reader = track(await connectSynced(hub.wsBase, board.id, token));
    assert.equal(reader.doc.getText('notes').toString(), 'content of Comeback');
    const again = await api.request('POST', `/api/boards/${board.id}/restore`);
    assert.equal(again.status, 400, 'an active board cannot be restored');
  });

  it('purge works only from the trash and removes the board, its content and its shares for good', async () => {
    const { board, token, editor } = await boardWithContent('Shredded');
    const shareId = (await api.expect<ShareJson[]>(200, 'GET', `/api/boards/${board.id}/shares`))[0]?.id;
    assert.ok(shareId);

    const early = await api.request('POST', `/api/boards/${board.id}/purge`);
    assertRefused(early, 400, 'INVALID_ARGUMENT', 'purging an active board');
    assert.ok(
      (await listed()).some((b) => b.id === board.id),
      'still there after the refused purge',
    );

    await api.expect<BoardJson>(200, 'DELETE', `/api/boards/${board.id}`);
    await waitFor('editor closed', () => editor.closeEvents.length > 0);
    const purged = await api.request('POST', `/api/boards/${board.id}/purge`);
    assert.equal(purged.status, 204, purged.text);

    assertRefused(await api.request('GET', `/api/boards/${board.id}`), 404, 'BOARD_NOT_FOUND', 'board');
    assertRefused(
      await api.request('GET', `/api/boards/${board.id}/shares`),
      404,
      'BOARD_NOT_FOUND',
      'shares',
    );
    assertRefused(await api.request('GET', `/api/shares/${shareId}`), 404, 'SHARE_NOT_FOUND', 'share');
    assertRefused(
      await api.request('POST', `/api/boards/${board.id}/restore`),
      404,
      'BOARD_NOT_FOUND',
      'restore',
    );
    assert.ok(!(await listed(true)).some((b) => b.id === board.id), 'gone from the trash');
    const rows = withDatabase(hub.dataDir, (db) =>
      [
        'boards WHERE id',
        'shares WHERE board_id',
        'doc_updates WHERE board_id',
        'doc_snapshots WHERE board_id',
      ].map((from) => (db.prepare(`SELECT count(*) AS n FROM ${from} = ?`).get(board.id) as { n: number }).n),
    );
    assert.deepEqual(rows, [0, 0, 0, 0], 'no row of the board is left');
    const refused = await tryUpgrade(`${hub.wsBase}/${board.id}?token=${encodeURIComponent(token)}`);
    assert.equal(refused.status, 401);
  });
});

describe('board export and import through the admin API', () => {
  let hub: TestHub;
  let api: AdminApi;
  let original: BoardJson;
  let editor: TestClient;
  const clients: TestClient[] = [];

  before(async () => {
    hub = await startTestHub();
    api = AdminApi.for(hub);
    original = await api.createBoard('Retro: Q3');
    const { token } = await api.createShare(original.id, 'edit');
    editor = await connectSynced(hub.wsBase, original.id, token);
    clients.push(editor);
    writeRichContent(editor.doc);
    const expected = JSON.stringify(boardContent(editor.doc));
    await waitFor(
      'content stored',
      () => JSON.stringify(boardContent(readStoredDoc(hub.dataDir, original.id))) === expected,
    );
  });
  after(async () => {
    for (const client of clients) client.destroy();
    await hub.stop();
  });

  it('exports a board as one Yjs update that loads into a plain Y.Doc unchanged', async () => {
    const exported = await api.bytes(`/api/boards/${original.id}/export`);
    assert.equal(exported.status, 200);
    assert.equal(exported.headers.get('content-type'), 'application/octet-stream');
    assert.match(
      exported.headers.get('content-disposition') ?? '',
      /^attachment; filename="Retro_ Q3\.yjs"$/,
    );

    const plain = new Y.Doc();
    Y.applyUpdate(plain, exported.bytes);
    assert.deepEqual(boardContent(plain), boardContent(editor.doc));
    assert.deepEqual(Y.encodeStateVector(plain), Y.encodeStateVector(editor.doc));
    assert.equal(plain.store.pendingStructs, null, 'nothing in it waits for a missing dependency');

    const meta = await api.expect<Record<string, unknown>>(
      200,
      'GET',
      `/api/boards/${original.id}/export/meta`,
    );
    assert.equal(meta.format, 'boardhub-board/1');
    assert.equal(meta.id, original.id);
    assert.equal(meta.name, 'Retro: Q3');
    assert.equal(meta.hubId, hub.hub.service.hubId);
    assert.equal(meta.updateBytes, exported.bytes.byteLength);
    plain.destroy();
  });

  it('import creates a new board whose content, read by a stock client, equals the original', async () => {
    const exported = await api.bytes(`/api/boards/${original.id}/export`);
    const imported = await api.expect<BoardJson>(201, 'POST', '/api/boards/import', {
      update: Buffer.from(exported.bytes).toString('base64'),
      name: 'Retro copy',
    });
    assert.notEqual(imported.id, original.id);
    assert.equal(imported.name, 'Retro copy');
    assert.equal((await api.expect<BoardJson[]>(200, 'GET', '/api/boards')).length, 2);

    const { token } = await api.createShare(imported.id, 'view');
    const reader = await connectSynced(hub.wsBase, imported.id, token);
    clients.push(reader);
    assert.deepEqual(boardContent(reader.doc), boardContent(editor.doc));
  });

  it('an import without a name takes the name from the export sidecar', async () => {
    const exported = await api.bytes(`/api/boards/${original.id}/export`);
    const meta = await api.expect<Record<string, unknown>>(
      200,
      'GET',
      `/api/boards/${original.id}/export/meta`,
    );
    const imported = await api.expect<BoardJson>(201, 'POST', '/api/boards/import', {
      update: Buffer.from(exported.bytes).toString('base64'),
      meta,
    });
    assert.equal(imported.name, 'Retro: Q3');
    assert.notEqual(imported.id, original.id);
  });

  it('importing garbage is a 400 and creates no board', async () => {
    const boardsBefore = (await api.expect<BoardJson[]>(200, 'GET', '/api/boards')).length;
    // Only the second half of a history: it depends on structs the file does not contain.
    const source = new Y.Doc();
    source.getText('t').insert(0, 'first');
    const afterFirst = Y.encodeStateVector(source);
    source.getText('t').insert(5, ' second');
    const incomplete = Y.encodeStateAsUpdate(source, afterFirst);
    source.destroy();

    const garbage: Array<[string, unknown]> = [
      ['text as bytes', { update: Buffer.from('this is not a Yjs update at all').toString('base64') }],
      [
        'random-looking bytes',
        { update: Buffer.from([0xff, 0xfe, 0x00, 0x13, 0x37, 0x42, 0x99]).toString('base64') },
      ],
      ['an incomplete update', { update: Buffer.from(incomplete).toString('base64') }],
      ['not base64', { update: '!!!' }],
      ['empty', { update: '' }],
      ['no update', { name: 'x' }],
      ['update of the wrong type', { update: 12 }],
    ];
    for (const [what, body] of garbage) {
      const response = await api.request('POST', '/api/boards/import', { body });
      assert.equal(response.status, 400, `${what}: ${response.text}`);
      assert.ok(errorCodeOf(response.json), what);
      assertNoStackTrace(response.text, what);
    }
    assert.equal((await api.expect<BoardJson[]>(200, 'GET', '/api/boards')).length, boardsBefore);
  });
});

describe('audit trail of administration', () => {
  interface AuditRow {
    action: string;
    actor: string;
    board_id: string | null;
    share_id: string | null;
    ip: string | null;
    user_agent: string | null;
    detail: string;
  }

  it('records every admin action and admin auth failure with actor, IP and user agent, never a token', async () => {
    const hub = await startTestHub();
    try {
      const api = AdminApi.for(hub);
      const badToken = `bhadm_AAAAAAAAAAA.${'C'.repeat(43)}`;
      assert.equal((await api.request('GET', '/api/status', { token: badToken })).status, 401);
      assert.equal((await api.request('GET', '/api/status', { token: null })).status, 401);

      const board = await api.createBoard('Audited');
      await api.expect<BoardJson>(200, 'PATCH', `/api/boards/${board.id}`, { name: 'Audited, renamed' });
      const issued: IssuedShareJson = await api.createShare(board.id, 'edit', { label: 'Group B' });
      await api.expect<ShareJson>(200, 'PATCH', `/api/shares/${issued.share.id}`, { role: 'comment' });
      await api.expect<ShareJson>(200, 'DELETE', `/api/shares/${issued.share.id}`);
      const exported = await api.bytes(`/api/boards/${board.id}/export`);
      assert.equal(exported.status, 200);
      const imported = await api.expect<BoardJson>(201, 'POST', '/api/boards/import', {
        update: Buffer.from(exported.bytes).toString('base64'),
        name: 'Audited copy',
      });
      await api.expect<BoardJson>(200, 'DELETE', `/api/boards/${board.id}`);
      await api.expect<BoardJson>(200, 'POST', `/api/boards/${board.id}/restore`);
      await api.expect<BoardJson>(200, 'DELETE', `/api/boards/${imported.id}`);
      assert.equal((await api.request('POST', `/api/boards/${imported.id}/purge`)).status, 204);
      const rotated = await api.expect<KeyJson>(201, 'POST', '/api/keys/rotate');
      const retired = await api.expect<KeyJson[]>(200, 'POST', '/api/keys/retire', {});
      assert.equal(retired.length, 1);

      const rows = withDatabase(hub.dataDir, (db) =>
        db.prepare('SELECT * FROM audit_log ORDER BY id').all(),
      ) as AuditRow[];
      const adminRow = (action: string, about: Partial<AuditRow> = {}): AuditRow => {
        const row = rows.find(
          (r) =>
            r.action === action &&
            Object.entries(about).every(([key, value]) => r[key as keyof AuditRow] === value),
        );
        assert.ok(row, `an audit row for ${action} ${JSON.stringify(about)}`);
        assert.equal(row.actor, 'admin', action);
        assert.equal(row.ip, '127.0.0.1', action);
        assert.equal(row.user_agent, TEST_USER_AGENT, action);
        return row;
      };
      adminRow('board_create', { board_id: board.id });
      adminRow('board_rename', { board_id: board.id });
      adminRow('board_delete', { board_id: board.id });
      adminRow('board_restore', { board_id: board.id });
      adminRow('board_export', { board_id: board.id });
      adminRow('board_import', { board_id: imported.id });
      adminRow('board_delete', { board_id: imported.id });
      adminRow('board_purge', { board_id: imported.id });
      adminRow('share_create', { share_id: issued.share.id, board_id: board.id });
      assert.deepEqual(JSON.parse(adminRow('share_role_change', { share_id: issued.share.id }).detail), {
        from: 'edit',
        to: 'comment',
      });
      adminRow('share_revoke', { share_id: issued.share.id });
      // The hub checks its chain off its event loop (a connection of its own), and finds it whole.
      const verdict = await api.expect<{ ok: boolean; rows: number; headHash: string }>(
        200,
        'GET',
        '/api/audit/verify',
      );
      assert.equal(verdict.ok, true);
      assert.ok(verdict.rows >= rows.length, `${verdict.rows} rows checked, ${rows.length} written`);
      assert.match(verdict.headHash, /^[0-9a-f]{64}$/);
      assert.equal(JSON.parse(adminRow('key_rotate').detail).kid, rotated.kid);
      assert.deepEqual(JSON.parse(adminRow('key_retire').detail).kids, [retired[0]?.kid]);
      assert.equal(rows.filter((r) => r.action === 'admin_auth_failed').length, 2);
      adminRow('admin_auth_failed');

      const everything = JSON.stringify(rows);
      const secrets = [
        api.token,
        api.token.split('.')[1] as string,
        badToken,
        issued.token,
        issued.token.split('.')[2] as string,
      ];
      for (const secret of secrets) {
        assert.ok(!everything.includes(secret), `the audit log must not contain ${secret.slice(0, 12)}…`);
      }
    } finally {
      await hub.stop();
    }
  });
});
