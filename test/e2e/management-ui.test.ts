import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import { after, before, describe, it } from 'node:test';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { type ChildHub, spawnChildHub } from '../helpers/child-hub.js';
import { connectClient, type TestClient, tryUpgrade } from '../helpers/clients.js';
import { makeTempDir } from '../helpers/temp-dir.js';
import { waitFor } from '../helpers/wait.js';
import { issueAdminToken } from './admin-token.js';
import {
  assertRendererBuilt,
  backgroundLuminance,
  horizontalOverflow,
  launchChromium,
  parseCsv,
  screenshot,
} from './browser.js';

/**
 * The management UI in Debian's Chromium against a real headless hub (the compiled CLI in a child
 * process, serving the built UI), driven the way an admin would: sign in with the admin token,
 * create a board, share it, watch a stock y-websocket client come and go, find it all in the
 * audit log. The steps run in order and share one hub, one browser and one page.
 */
const BOARD = 'Workshop retro';
const LABEL = 'Group A';
/** Generous: the machine is shared and noisy; nothing here measures speed. */
const UI_TIMEOUT = 20_000;

/** The share id is the token's `jti` (docs/ARCHITECTURE.md, Auth). */
function shareIdOf(token: string): string {
  const payload = token.split('.')[1] ?? '';
  const claims = JSON.parse(Buffer.from(payload, 'base64url').toString()) as { jti?: string };
  assert.ok(claims.jti, 'the share token names its share');
  return claims.jti;
}

/** A share link (the page `http://HOST:PORT/b/BOARD#t=…`) as WebsocketProvider takes it. */
function parseShareLink(link: string): { wsBase: string; boardId: string; token: string } {
  const url = new URL(link);
  const token = decodeURIComponent(url.hash.replace(/^#t=/, ''));
  assert.ok(url.pathname.startsWith('/b/') && token !== '', `the link is a board page with a token: ${link}`);
  return {
    wsBase: `ws://${url.host}/ws/canvas`,
    boardId: decodeURIComponent(url.pathname.slice('/b/'.length)),
    token,
  };
}

describe('management UI in a browser', () => {
  const temp = makeTempDir('boardhub-e2e-');
  const otherTemp = makeTempDir('boardhub-e2e-other-');
  let hub: ChildHub;
  let otherHub: ChildHub | null = null;
  let adminToken: string;
  let browser: Browser;
  let context: BrowserContext;
  let page: Page;
  let client: TestClient | null = null;
  let link = '';
  let boardId = '';
  const pageProblems: string[] = [];

  const nav = (name: string) => page.getByRole('navigation', { name: 'Screens' }).getByRole('link', { name });
  const heading = (name: string | RegExp) => page.getByRole('heading', { level: 1, name });

  before(async () => {
    assertRendererBuilt();
    hub = await spawnChildHub(temp.path);
    adminToken = await issueAdminToken(temp.path);
    browser = await launchChromium();
    context = await browser.newContext({ viewport: { width: 1280, height: 800 }, colorScheme: 'light' });
    page = await context.newPage();
    page.setDefaultTimeout(UI_TIMEOUT);
    // Script errors and CSP refusals ("Refused to …") are bugs; a refused sign-in's 401 is not.
    page.on('pageerror', (error) => pageProblems.push(`page error: ${error.message}`));
    page.on('console', (message) => {
      if (message.type() === 'error' && !message.text().startsWith('Failed to load resource')) {
        pageProblems.push(`console: ${message.text()}`);
      }
    });
  });

  after(async () => {
    client?.destroy();
    await browser?.close();
    for (const running of [hub, otherHub]) {
      if (!running) continue;
      running.signal('SIGTERM');
      await Promise.race([running.exit, new Promise((resolve) => setTimeout(resolve, 15_000))]);
      await running.dispose();
    }
    temp.remove();
    otherTemp.remove();
  });

  it('refuses a wrong admin token with a clear message, then signs in with the real one', async () => {
    await page.goto(`${hub.httpBase}/`);
    await heading('Boardhub').waitFor();
    await page.getByText('npx boardhub admin-token --data DIR').waitFor();
    await screenshot(page, 'login');

    await page.getByLabel('Admin token').fill('bhadm_wrong.token');
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.getByRole('alert').filter({ hasText: 'did not accept this admin token' }).waitFor();

    await page.getByLabel('Admin token').fill(adminToken);
    await page.getByRole('button', { name: 'Sign in' }).click();
    await heading('Boards').waitFor();
    await page.getByText('No boards yet').waitFor();
    await page.getByText('Only this computer').waitFor();
    assert.equal(await page.getByRole('switch', { name: 'Visible on the LAN' }).isChecked(), false);
  });

  it('creates a board and opens it', async () => {
    await page.getByLabel('New board name').fill(BOARD);
    await page.getByRole('button', { name: 'Create board' }).click();
    await heading(BOARD).waitFor();
    boardId = decodeURIComponent(new URL(page.url()).hash.replace('#/boards/', ''));
    assert.match(boardId, /\S/);
    await page.getByText('Nobody is connected').waitFor();
    await page.getByText('No share links yet').waitFor();
  });

  it('issues a view share link with a QR code, shown once', async () => {
    // Escape closes the dialog and gives the focus back.
    await page.getByRole('button', { name: 'New share link' }).click();
    await page.getByRole('dialog').waitFor();
    await page.keyboard.press('Escape');
    await page.getByRole('dialog').waitFor({ state: 'detached' });

    await page.getByRole('button', { name: 'New share link' }).click();
    const dialog = page.getByRole('dialog', { name: `Share “${BOARD}”` });
    await dialog.getByRole('radio', { name: /^View/ }).check();
    await dialog.getByLabel('Label').fill(LABEL);
    await dialog.getByLabel('Expires').selectOption({ label: 'In 1 day' });
    await dialog.getByRole('button', { name: 'Create link' }).click();

    const ready = page.getByRole('dialog', { name: 'Share link ready' });
    link = await ready.getByLabel('Share link', { exact: true }).inputValue();
    assert.match(link, /^http:\/\/127\.0\.0\.1:\d+\/b\/[A-Za-z0-9_-]+#t=[^&?]+$/);
    assert.equal(parseShareLink(link).boardId, boardId);
    const qr = ready.getByRole('img', { name: /QR code of the share link/ });
    await qr.waitFor();
    assert.match((await qr.getAttribute('src')) ?? '', /^data:image\/svg\+xml/);
    assert.ok(
      await qr.evaluate(
        (img: { complete: boolean; naturalWidth: number }) => img.complete && img.naturalWidth > 0,
      ),
      'QR drawn',
    );
    await ready.getByRole('button', { name: 'Copy share link' }).waitFor();
    await screenshot(page, 'new-share');
    await ready.getByRole('button', { name: 'Done' }).click();
    await ready.waitFor({ state: 'detached' });

    const shares = page.getByRole('region', { name: 'Share links' });
    await shares
      .getByRole('row', { name: new RegExp(LABEL) })
      .getByText('Active')
      .waitFor();
  });

  it('shows a stock y-websocket client on the Board screen the moment it connects', async () => {
    const { wsBase, boardId: linkedBoard, token } = parseShareLink(link);
    client = connectClient(wsBase, linkedBoard, token);
    await waitFor('the client to sync', () => client?.provider.synced, UI_TIMEOUT);

    const connections = page.getByRole('region', { name: 'Live connections' });
    const row = connections.getByRole('row', { name: new RegExp(LABEL) });
    await row.waitFor();
    await row.getByText('View').waitFor();
    await row.getByText('127.0.0.1').waitFor();
    await page.getByText('1 client connected').waitFor();
    await screenshot(page, 'board');
  });

  it('lists the board with its live client count', async () => {
    await nav('Boards').click();
    const row = page
      .getByRole('region', { name: 'All boards' })
      .getByRole('row', { name: new RegExp(BOARD) });
    await row.getByText('1', { exact: true }).waitFor();
    await screenshot(page, 'boards');
    await row.getByRole('link', { name: BOARD }).click();
    await heading(BOARD).waitFor();
  });

  it('Open board opens the board page with an owner token in a new tab, and lists no owner share', async () => {
    const [tab] = await Promise.all([
      context.waitForEvent('page'),
      page.getByRole('button', { name: 'Open board' }).click(),
    ]);
    await tab.waitForURL(/\/b\//, { waitUntil: 'commit' });
    const opened = new URL(tab.url());
    assert.equal(`${opened.origin}${opened.pathname}`, `${new URL(page.url()).origin}/b/${boardId}`);
    assert.match(opened.hash, /^#t=[^&]+$/);
    await tab.close();
    const shares = page.getByRole('region', { name: 'Share links' });
    await shares.getByRole('row', { name: new RegExp(LABEL) }).waitFor();
    assert.equal(
      await shares.getByRole('row', { name: /Owner/ }).count(),
      0,
      'the owner share is not a link',
    );
  });

  it('revokes the link: the connection disappears and the client is refused', async () => {
    await page.getByRole('button', { name: `Revoke ${LABEL}` }).click();
    await page
      .getByRole('dialog', { name: `Revoke “${LABEL}”?` })
      .getByRole('button', { name: 'Revoke link' })
      .click();

    await page.getByRole('region', { name: 'Live connections' }).waitFor({ state: 'detached' });
    await page.getByText('Nobody is connected').waitFor();
    const shares = page.getByRole('region', { name: 'Share links' });
    await shares
      .getByRole('row', { name: new RegExp(LABEL) })
      .getByText(/Revoked/)
      .waitFor();

    await waitFor('the client to be closed with 4401', () =>
      client?.closeEvents.some((e) => e.code === 4401),
    );
    const { wsBase, boardId: linkedBoard, token } = parseShareLink(link);
    const again = await tryUpgrade(`${wsBase}/${linkedBoard}?token=${encodeURIComponent(token)}`);
    assert.equal(again.status, 401, `a revoked link is refused at the door: ${again.body}`);
  });

  it('finds the connection and the revocation in Audit with the board filter, live', async () => {
    await nav('Audit').click();
    await heading('Audit').waitFor();
    await page.getByLabel('Board').selectOption({ label: BOARD });
    await page.getByRole('button', { name: 'Apply filters' }).click();
    await page.waitForURL(/board=/);

    const rows = page.getByRole('region', { name: 'Audit rows' });
    for (const action of [
      'Board created',
      'Share link created',
      'Connected',
      'Share link revoked',
      'Disconnected',
    ]) {
      await rows.getByRole('row').filter({ hasText: action }).first().waitFor();
    }
    await page.getByText(/Chain intact/).waitFor();
    assert.equal(
      await rows.getByRole('row').filter({ hasText: 'Hub started' }).count(),
      0,
      'filtered by board',
    );

    // A change made elsewhere shows up without a reload.
    const created = await fetch(`${hub.httpBase}/api/boards/${encodeURIComponent(boardId)}/shares`, {
      method: 'POST',
      headers: { authorization: `Bearer ${adminToken}`, 'content-type': 'application/json' },
      body: JSON.stringify({ role: 'edit', label: 'Group B' }),
    });
    assert.ok(created.ok, `creating a share through the API answered ${created.status}`);
    await rows.getByRole('row').filter({ hasText: 'Group B' }).waitFor();
    await screenshot(page, 'audit');

    await page.getByLabel('Action').selectOption('share_revoke');
    await page.getByRole('button', { name: 'Apply filters' }).click();
    await page.waitForURL(/action=share_revoke/);
    await page.getByText('Showing 1 row').waitFor();
    await rows.getByRole('row').filter({ hasText: 'Share link revoked' }).waitFor();
  });

  it('exports the filtered audit log as CSV with the rows on screen', async () => {
    await page.getByRole('button', { name: 'Clear' }).click();
    await page.getByLabel('Board').selectOption({ label: BOARD });
    await page.getByRole('button', { name: 'Apply filters' }).click();
    await page.waitForURL(/board=/);
    await page
      .getByRole('region', { name: 'Audit rows' })
      .getByRole('row')
      .filter({ hasText: 'Disconnected' })
      .waitFor();

    const [download] = await Promise.all([
      page.waitForEvent('download'),
      page.getByRole('button', { name: 'Export CSV' }).click(),
    ]);
    assert.match(download.suggestedFilename(), /^boardhub-audit-.*\.csv$/);
    const path = await download.path();
    const [header, ...rows] = parseCsv(await readFile(path, 'utf8')).filter((row) =>
      row.some((f) => f !== ''),
    );
    assert.deepEqual(header, [
      'id',
      'time',
      'action',
      'actor',
      'board_id',
      'share_id',
      'label',
      'ip',
      'user_agent',
      'detail',
      'hash',
    ]);
    const column = (name: string): number => header?.indexOf(name) ?? -1;
    assert.ok(rows.length >= 5, `rows: ${rows.length}`);
    for (const row of rows) assert.equal(row[column('board_id')], boardId, 'only this board');
    const actions = rows.map((row) => row[column('action')]);
    for (const action of ['board_create', 'share_create', 'connect', 'share_revoke', 'disconnect']) {
      assert.ok(actions.includes(action), `CSV has a ${action} row: ${actions.join(', ')}`);
    }
    const shareId = shareIdOf(parseShareLink(link).token);
    const connect = rows.find((row) => row[column('action')] === 'connect');
    assert.equal(connect?.[column('share_id')], shareId);
    assert.equal(connect?.[column('label')], LABEL);
    assert.equal(connect?.[column('ip')], '127.0.0.1');
  });

  it('adds another hub by address on People in the room, with its key', async () => {
    await nav('People in the room').click();
    await heading('People in the room').waitFor();
    await page.getByText('No other hubs found').waitFor();

    // A second real hub on this machine stands in for one across the room (discovery is off).
    const other = await spawnChildHub(otherTemp.path, ['--name', 'Corner table']);
    otherHub = other;
    const identity = (await (await fetch(`${other.httpBase}/api/hub`)).json()) as {
      fingerprintShort?: string;
    };
    assert.ok(identity.fingerprintShort, 'GET /api/hub names the key');
    await page.getByLabel('Address', { exact: true }).fill('127.0.0.1');
    await page.getByLabel('Port', { exact: true }).fill(String(other.port));
    await page.getByRole('button', { name: 'Add hub' }).click();

    const row = page
      .getByRole('region', { name: 'Hubs on this network' })
      .getByRole('row', { name: /Corner table/ });
    await row.getByText(identity.fingerprintShort).waitFor();
    await row.getByText(`127.0.0.1:${other.port}`).waitFor();
    await row.getByText('Added by address').waitFor();
    await screenshot(page, 'people');
  });

  it('renames the hub in Settings and the status bar follows', async () => {
    await nav('Settings').click();
    await heading('Settings').waitFor();
    await page.getByLabel('Hub name').fill('Workshop room');
    await page.getByRole('button', { name: 'Save settings' }).click();
    await page.getByRole('banner').getByText('Workshop room', { exact: true }).waitFor();
    await screenshot(page, 'settings');
  });

  it('resets the admin token from Settings: shown once, and this tab carries on live with it', async () => {
    const previous = adminToken;
    await page.getByRole('button', { name: 'Reset admin token' }).click();
    await page
      .getByRole('dialog', { name: 'Reset the admin token?' })
      .getByRole('button', { name: 'Reset token' })
      .click();
    const shown = page.getByRole('dialog', { name: 'New admin token' });
    adminToken = await shown.getByLabel('Admin token', { exact: true }).inputValue();
    assert.match(adminToken, /^bhadm_/);
    assert.notEqual(adminToken, previous);
    await shown.getByRole('button', { name: 'Done' }).click();

    const old = await fetch(`${hub.httpBase}/api/overview`, {
      headers: { authorization: `Bearer ${previous}` },
    });
    assert.equal(old.status, 401, 'the previous token stops working');

    // Still signed in, and still live: a board made elsewhere appears without a reload.
    await nav('Boards').click();
    await heading('Boards').waitFor();
    const made = await fetch(`${hub.httpBase}/api/boards`, {
      method: 'POST',
      headers: { authorization: `Bearer ${adminToken}`, 'content-type': 'application/json' },
      body: JSON.stringify({ name: 'Made elsewhere' }),
    });
    assert.ok(made.ok, `creating a board through the API answered ${made.status}`);
    await page.getByRole('link', { name: 'Made elsewhere' }).waitFor();
  });

  it('returns to sign-in with a message when the hub stops accepting the token', async () => {
    // `boardhub admin-token` replaces every earlier token, this tab's included.
    adminToken = await issueAdminToken(temp.path);
    await nav('Audit').click();
    await page.getByRole('alert').filter({ hasText: 'no longer accepts the admin token' }).waitFor();
    await page.getByLabel('Admin token').fill(adminToken);
    await page.getByRole('button', { name: 'Sign in' }).click();
    // Back where it was.
    await heading('Audit').waitFor();
  });

  it('exports a board, imports the file as a new board, moves it to the trash and restores it', async () => {
    await nav('Boards').click();
    await heading('Boards').waitFor();
    const [download] = await Promise.all([
      page.waitForEvent('download'),
      page.getByRole('button', { name: `Export ${BOARD}` }).click(),
    ]);
    assert.match(download.suggestedFilename(), /\.yjs$/);
    const bytes = await readFile(await download.path());

    const imported = 'Imported retro';
    await page
      .getByLabel('Import a board file (.yjs)')
      .setInputFiles({ name: `${imported}.yjs`, mimeType: 'application/octet-stream', buffer: bytes });
    await page
      .getByRole('alert')
      .or(page.getByRole('status').filter({ hasText: 'Imported as' }))
      .waitFor();
    assert.equal(
      await page.getByRole('alert').count(),
      0,
      await page.getByRole('alert').allInnerTexts().then(String),
    );
    const boards = page.getByRole('region', { name: 'All boards' });
    await boards.getByRole('link', { name: imported }).waitFor();

    await page.getByRole('button', { name: `Move ${imported} to the trash` }).click();
    await boards.getByRole('link', { name: imported }).waitFor({ state: 'detached' });
    await page.getByRole('button', { name: 'Trash', exact: true }).click();
    await page.getByRole('button', { name: `Restore ${imported}` }).click();
    await page.getByText('The trash is empty').waitFor();
    await page.getByRole('button', { name: 'Boards', exact: true }).click();
    await boards.getByRole('link', { name: imported }).waitFor();
  });

  it('fits an 800×600 window on every screen without sideways scrolling', async () => {
    await page.setViewportSize({ width: 800, height: 600 });
    const screens: Array<[string, string | RegExp]> = [
      ['#/boards', 'Boards'],
      [`#/boards/${encodeURIComponent(boardId)}`, BOARD],
      ['#/people', 'People in the room'],
      [`#/audit?board=${encodeURIComponent(boardId)}`, 'Audit'],
      ['#/settings', 'Settings'],
    ];
    for (const [hash, title] of screens) {
      await page.goto(`${hub.httpBase}/${hash}`);
      await heading(title).waitFor();
      // .first() is detached only once nothing is loading any more.
      await page
        .getByRole('status')
        .filter({ hasText: /^Loading/ })
        .first()
        .waitFor({ state: 'detached' });
      assert.equal(await horizontalOverflow(page), 0, `${hash} scrolls sideways at 800×600`);
    }
    await page.goto(`${hub.httpBase}/#/boards/${encodeURIComponent(boardId)}`);
    await heading(BOARD).waitFor();
    await screenshot(page, 'board-800x600');
  });

  it('follows a dark system theme', async () => {
    await page.setViewportSize({ width: 1280, height: 800 });
    await page.emulateMedia({ colorScheme: 'light' });
    const light = await backgroundLuminance(page);
    await page.emulateMedia({ colorScheme: 'dark' });
    const dark = await backgroundLuminance(page);
    assert.ok(light > 0.8 && dark < 0.2, `light ${light.toFixed(2)}, dark ${dark.toFixed(2)}`);
    await screenshot(page, 'board-dark');
  });

  it('in the desktop app, uses window.boardhub without signing in, and reads its bridged errors', async () => {
    // Stands in for electron/preload.ts: a HubClient on window.boardhub whose failures arrive as
    // plain objects, as they do through contextBridge. The hub's own JSON stands in for IPC.
    const desktop = await context.newPage();
    desktop.setDefaultTimeout(UI_TIMEOUT);
    desktop.on('pageerror', (error) => pageProblems.push(`desktop page error: ${error.message}`));
    await desktop.addInitScript(`(() => {
      const get = (path) =>
        fetch(path, { headers: { authorization: 'Bearer ${adminToken}' } }).then((response) => response.json());
      window.boardhub = {
        transport: 'ipc',
        overview: () => get('/api/overview'),
        listBoards: (options) => get('/api/boards?trash=' + Boolean(options && options.trash)),
        getBoard: () =>
          Promise.reject({ name: 'HubClientError', code: 'BOARD_NOT_FOUND', message: 'No such board.' }),
        subscribe: (listener) => {
          setTimeout(() => listener({ type: 'connection', state: 'live' }), 0);
          return () => {};
        },
      };
    })()`);
    await desktop.goto(`${hub.httpBase}/#/boards`);
    await desktop.getByRole('heading', { level: 1, name: 'Boards' }).waitFor();
    await desktop.getByRole('link', { name: BOARD }).waitFor();
    assert.equal(
      await desktop.getByRole('button', { name: 'Sign out' }).count(),
      0,
      'nothing to sign out of',
    );
    await desktop.getByRole('link', { name: BOARD }).click();
    await desktop.getByText('This board does not exist').waitFor();
    await desktop.close();
  });

  it('raised no script errors or CSP refusals', () => {
    assert.deepEqual(pageProblems, []);
  });
});
