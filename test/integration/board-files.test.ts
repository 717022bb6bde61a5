import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import * as Y from 'yjs';
import { connectSynced } from '../helpers/clients.js';
import { startTestHub, type TestHub, withDatabase } from '../helpers/test-hub.js';
import { waitFor } from '../helpers/wait.js';

/**
 * A board page's images over real HTTP against a real hub: `PUT`/`GET /b/{boardId}/files/{fileId}`
 * with the share token as a Bearer credential, the share row's role deciding (edit uploads, every
 * role reads), the size limit, and the bytes travelling with export/import and leaving on purge.
 */
const MAX_BYTES = 4096;
const PNG = new Uint8Array([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 1, 2, 3, 4, 5, 6, 7, 8]);
const SVG = new TextEncoder().encode(
  '<svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>',
);
const FILE_ID = 'a94a8fe5ccb19ba61c4c0873d391e987982fbbd3';
const actor = { name: 'test' };

interface Answer {
  status: number;
  headers: Headers;
  bytes: Uint8Array;
  error?: { code: string; message: string };
}

describe('board image files', () => {
  let hub: TestHub;
  let boardId: string;
  let editToken: string;
  let viewToken: string;

  const fileUrl = (board: string, fileId: string): string =>
    `http://127.0.0.1:${hub.port}/b/${board}/files/${fileId}`;

  async function request(
    method: 'GET' | 'PUT',
    url: string,
    token: string | null,
    body?: { bytes: Uint8Array; type: string },
  ): Promise<Answer> {
    const headers: Record<string, string> = {};
    if (token !== null) headers.authorization = `Bearer ${token}`;
    if (body) headers['content-type'] = body.type;
    const response = await fetch(url, { method, headers, body: body?.bytes });
    const bytes = new Uint8Array(await response.arrayBuffer());
    const isJson = response.headers.get('content-type')?.startsWith('application/json') ?? false;
    const parsed = isJson ? (JSON.parse(new TextDecoder().decode(bytes)) as { error?: Answer['error'] }) : {};
    return { status: response.status, headers: response.headers, bytes, error: parsed.error };
  }

  const upload = (token: string, fileId = FILE_ID, bytes = PNG, type = 'image/png', board = boardId) =>
    request('PUT', fileUrl(board, fileId), token, { bytes, type });

  before(async () => {
    hub = await startTestHub({ maxBoardFileBytes: MAX_BYTES });
    boardId = hub.createBoard('With images');
    editToken = await hub.share(boardId, 'edit', { label: 'Ana' });
    viewToken = await hub.share(boardId, 'view', { label: 'Viewer' });
  });
  after(async () => {
    await hub.stop();
  });

  it('an edit link uploads an image, a view link reads it back with immutable, nosniff headers', async () => {
    const put = await upload(editToken);
    assert.equal(put.status, 201, JSON.stringify(put.error));
    const again = await upload(editToken);
    assert.equal(again.status, 200, 'the same id twice is a no-op');

    const got = await request('GET', fileUrl(boardId, FILE_ID), viewToken);
    assert.equal(got.status, 200);
    assert.deepEqual(got.bytes, PNG);
    assert.equal(got.headers.get('content-type'), 'image/png');
    assert.equal(got.headers.get('cache-control'), 'private, max-age=31536000, immutable');
    assert.equal(got.headers.get('x-content-type-options'), 'nosniff');
    assert.equal(got.headers.get('content-security-policy'), null);

    const { entries } = hub.hub.service.audit.query({ boardId, action: 'file_upload' });
    assert.equal(entries.length, 1, 'one audit row per new file, none for the repeat');
    assert.equal(entries[0]?.label, 'Ana');
    assert.equal(entries[0]?.detail.fileId, FILE_ID);
  });

  it('an SVG is served sandboxed, so its script never runs as a page of the hub', async () => {
    assert.equal((await upload(editToken, 'svg-1', SVG, 'image/svg+xml')).status, 201);
    const got = await request('GET', fileUrl(boardId, 'svg-1'), viewToken);
    assert.equal(got.headers.get('content-type'), 'image/svg+xml');
    assert.equal(got.headers.get('content-security-policy'), 'sandbox');
  });

  it('a view link cannot upload: 403 ROLE_NOT_ALLOWED, nothing stored', async () => {
    const put = await upload(viewToken, 'from-viewer');
    assert.equal(put.status, 403);
    assert.equal(put.error?.code, 'ROLE_NOT_ALLOWED');
    assert.equal((await request('GET', fileUrl(boardId, 'from-viewer'), viewToken)).status, 404);
  });

  it('an image over the limit is a 413 with a sentence, whether its length is declared or not', async () => {
    const big = new Uint8Array(MAX_BYTES + 1);
    const put = await upload(editToken, 'too-big', big);
    assert.equal(put.status, 413);
    assert.equal(put.error?.code, 'FILE_TOO_LARGE');
    assert.match(put.error?.message ?? '', /larger than the 4 KiB a board accepts per file/);

    const chunked = await fetch(fileUrl(boardId, 'too-big-chunked'), {
      method: 'PUT',
      headers: { authorization: `Bearer ${editToken}`, 'content-type': 'image/png' },
      body: new ReadableStream({
        start(controller) {
          controller.enqueue(big);
          controller.close();
        },
      }),
      duplex: 'half',
    } as RequestInit);
    assert.equal(chunked.status, 413);
    const body = (await chunked.json()) as { error: { code: string } };
    assert.equal(body.error.code, 'FILE_TOO_LARGE');
  });

  it('refuses a bad file id (400), a type that is not an image (415) and an unknown file (404)', async () => {
    const badId = await upload(editToken, 'x'.repeat(65));
    assert.equal(badId.status, 400);
    assert.equal(badId.error?.code, 'BAD_REQUEST');
    const badRead = await request('GET', fileUrl(boardId, 'bad.id'), viewToken);
    assert.equal(badRead.status, 400);
    const html = await upload(editToken, 'page', new TextEncoder().encode('<h1>hi</h1>'), 'text/html');
    assert.equal(html.status, 415);
    assert.equal(html.error?.code, 'FILE_TYPE_NOT_ALLOWED');
    const missing = await request('GET', fileUrl(boardId, 'never-uploaded'), viewToken);
    assert.equal(missing.status, 404);
    assert.equal(missing.error?.code, 'FILE_NOT_FOUND');
  });

  it('a token for another board is 403 WRONG_BOARD; no token is 401; a revoked one is 401', async () => {
    const other = hub.createBoard('Other');
    const wrong = await request('GET', fileUrl(other, FILE_ID), viewToken);
    assert.equal(wrong.status, 403);
    assert.equal(wrong.error?.code, 'WRONG_BOARD');
    const anonymous = await request('GET', fileUrl(boardId, FILE_ID), null);
    assert.equal(anonymous.status, 401);
    assert.equal(anonymous.error?.code, 'TOKEN_MISSING');

    const shortLived = await hub.hub.service.createShare({ boardId, role: 'view', label: 'Gone' }, actor);
    assert.equal((await request('GET', fileUrl(boardId, FILE_ID), shortLived.token)).status, 200);
    hub.hub.service.revokeShare(shortLived.share.id, actor);
    const revoked = await request('GET', fileUrl(boardId, FILE_ID), shortLived.token);
    assert.equal(revoked.status, 401);
    assert.equal(revoked.error?.code, 'TOKEN_REVOKED');
  });

  it('export then import keeps the files; purging a board removes its files', async () => {
    const { service } = hub.hub;
    const exported = service.exportBoard(boardId, actor);
    assert.equal(exported.meta.files, 2);
    const copy = service.importBoard({ file: exported.file, name: 'Copy with images' }, actor);
    const copyToken = await hub.share(copy.id, 'view');
    const got = await request('GET', fileUrl(copy.id, FILE_ID), copyToken);
    assert.equal(got.status, 200);
    assert.deepEqual(got.bytes, PNG);
    assert.equal(
      (await request('GET', fileUrl(copy.id, 'svg-1'), copyToken)).headers.get('content-type'),
      'image/svg+xml',
    );

    const filesOf = (board: string): number =>
      withDatabase(
        hub.dataDir,
        (db) =>
          db
            .prepare<[string], { n: number }>('SELECT count(*) AS n FROM board_files WHERE board_id = ?')
            .get(board)?.n ?? -1,
      );
    assert.equal(filesOf(copy.id), 2);
    service.deleteBoard(copy.id, actor);
    service.purgeBoard(copy.id, actor);
    assert.equal(filesOf(copy.id), 0);
    assert.equal(filesOf(boardId), 2, 'the original keeps its files');
  });

  it('a board without images still exports as the plain Yjs update', async () => {
    const plain = hub.createBoard('No images');
    const token = await hub.share(plain, 'edit');
    const writer = await connectSynced(hub.wsBase, plain, token);
    try {
      writer.doc.getMap('meta').set('schemaVersion', 1);
      const exported = await waitFor('the edit to be stored', () => {
        const candidate = hub.hub.service.exportBoard(plain, actor);
        const doc = new Y.Doc();
        Y.applyUpdate(doc, candidate.file);
        return doc.getMap('meta').get('schemaVersion') === 1 ? candidate : null;
      });
      assert.equal(exported.meta.files, 0);
    } finally {
      writer.destroy();
    }
  });
});
