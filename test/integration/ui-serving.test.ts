import assert from 'node:assert/strict';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { packageRoot, UI_CSP } from '../../src/net/ui-routes.js';
import { AdminApi, errorCodeOf } from '../helpers/api.js';
import { makeTempDir } from '../helpers/temp-dir.js';
import { startTestHub, type TestHub } from '../helpers/test-hub.js';

/** The built management UI at `/` (a stand-in build in a temp folder), and what stays the API's. */
const INDEX =
  '<!doctype html><title>Boardhub</title><script type="module" src="/assets/app-3f9a.js"></script>';
const ASSET = 'console.log("ui");';

function assertSecurityHeaders(headers: Headers, what: string): void {
  assert.equal(headers.get('content-security-policy'), UI_CSP, what);
  assert.equal(headers.get('x-content-type-options'), 'nosniff', what);
  assert.equal(headers.get('referrer-policy'), 'no-referrer', what);
  assert.equal(headers.get('x-frame-options'), 'DENY', what);
}

async function withUiHub(run: (hub: TestHub) => Promise<void>): Promise<void> {
  const ui = makeTempDir('boardhub-ui-');
  writeFileSync(join(ui.path, 'index.html'), INDEX);
  mkdirSync(join(ui.path, 'assets'));
  writeFileSync(join(ui.path, 'assets', 'app-3f9a.js'), ASSET);
  writeFileSync(join(ui.path, '.secret'), 'not for the web');
  const hub = await startTestHub({ uiDir: ui.path });
  try {
    await run(hub);
  } finally {
    await hub.stop();
    ui.remove();
  }
}

describe('the management UI', () => {
  it('serves index.html at / without a token, revalidated, under a strict CSP', async () => {
    await withUiHub(async (hub) => {
      const response = await fetch(`http://127.0.0.1:${hub.port}/`);
      assert.equal(response.status, 200);
      assert.equal(await response.text(), INDEX);
      assert.match(response.headers.get('content-type') ?? '', /^text\/html/);
      assert.equal(response.headers.get('cache-control'), 'no-cache');
      assertSecurityHeaders(response.headers, '/');
    });
  });

  it('serves hashed assets for long caching, with the same headers', async () => {
    await withUiHub(async (hub) => {
      const response = await fetch(`http://127.0.0.1:${hub.port}/assets/app-3f9a.js`);
      assert.equal(response.status, 200);
      assert.equal(await response.text(), ASSET);
      assert.match(response.headers.get('content-type') ?? '', /javascript/);
      assert.equal(response.headers.get('cache-control'), 'public, max-age=31536000, immutable');
      assertSecurityHeaders(response.headers, 'asset');
    });
  });

  it("a page of the UI's own router gets index.html; a missing file is a 404", async () => {
    await withUiHub(async (hub) => {
      const page = await fetch(`http://127.0.0.1:${hub.port}/boards/b_123`, {
        headers: { accept: 'text/html' },
      });
      assert.equal(page.status, 200);
      assert.equal(await page.text(), INDEX);
      assertSecurityHeaders(page.headers, 'router page');
      const missing = await fetch(`http://127.0.0.1:${hub.port}/assets/gone-0000.js`);
      assert.equal(missing.status, 404);
      await missing.text();
      const dotfile = await fetch(`http://127.0.0.1:${hub.port}/.secret`);
      assert.notEqual(dotfile.status, 200);
      assert.doesNotMatch(await dotfile.text(), /not for the web/);
    });
  });

  it('the API keeps its guard and its JSON 404s; /healthz and WebSockets are unchanged', async () => {
    await withUiHub(async (hub) => {
      const base = `http://127.0.0.1:${hub.port}`;
      const unknown = await fetch(`${base}/api/nothing-here`, { headers: { accept: 'text/html' } });
      assert.equal(unknown.status, 404);
      assert.equal(errorCodeOf(await unknown.json()), 'NOT_FOUND');
      const guarded = await fetch(`${base}/api/boards`, { headers: { accept: 'text/html' } });
      assert.equal(guarded.status, 401);
      assert.equal(errorCodeOf(await guarded.json()), 'ADMIN_TOKEN_INVALID');
      const api = AdminApi.for(hub);
      assert.equal((await api.request('GET', '/api/boards')).status, 200);
      assert.equal(
        ((await fetch(`${base}/healthz`).then((r) => r.json())) as { status: string }).status,
        'ok',
      );
      const wsAsPage = await fetch(`${base}/ws/canvas/b_1`, { headers: { accept: 'text/html' } });
      assert.equal(wsAsPage.status, 404);
      assert.equal(errorCodeOf(await wsAsPage.json()), 'NOT_FOUND');
    });
  });

  it('without a built UI, / says how to build it', async () => {
    const empty = makeTempDir('boardhub-no-ui-');
    const hub = await startTestHub({ uiDir: empty.path });
    try {
      const response = await fetch(`http://127.0.0.1:${hub.port}/`);
      assert.equal(response.status, 404);
      assert.match(response.headers.get('content-type') ?? '', /^text\/plain/);
      assert.match(await response.text(), /npm run build/);
    } finally {
      await hub.stop();
      empty.remove();
    }
  });

  it('finds its package root from src/ (and from dist/src/ alike)', () => {
    const root = packageRoot();
    assert.ok(root);
    assert.equal(packageRoot(new URL('../../dist/src/net/ui-routes.js', import.meta.url).href), root);
  });
});
