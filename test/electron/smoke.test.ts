import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, it, type TestContext } from 'node:test';
import { fileURLToPath } from 'node:url';
import Database from 'better-sqlite3';
import { _electron, type ElectronApplication, type Page } from 'playwright-core';
import type { HubClient, HubOverview } from '../../src/client/hub-client.js';
import { DATABASE_FILE } from '../../src/storage/database.js';
import { electronNativeModulesReady, findElectronBinary } from './electron-binary.js';

/**
 * The desktop app for real: Electron starts dist/electron/main.js with a temporary user-data
 * folder, on loopback only (BOARDHUB_LOCAL_ONLY: no LAN listening, no mDNS from a test). The
 * window opens on our own page with only `window.boardhub`; the hub answers over IPC and HTTP;
 * quitting saves. Runs only where an Electron binary exists; elsewhere it skips, saying why.
 */
const projectDir = fileURLToPath(new URL('../..', import.meta.url));
const MAIN = path.join(projectDir, 'dist', 'electron', 'main.js');

function skipUnlessRunnable(t: TestContext): string | null {
  const binary = findElectronBinary();
  const native = electronNativeModulesReady();
  const reason = !binary.found
    ? `Electron binary not installed (the electron package ships without it): ${binary.reason}`
    : !native.ready
      ? `Electron binary found, but ${native.reason}`
      : null;
  if (reason !== null) {
    console.log(`Skipping the Electron smoke test: ${reason}`);
    t.skip(reason);
    return null;
  }
  assert.ok(existsSync(MAIN), 'dist/electron/main.js is built (npm run build)');
  return binary.found ? binary.path : null;
}

/**
 * The functions given to window.evaluate are serialized and run in the page, so they reach
 * `window.boardhub` themselves (through this type) and call nothing from this module.
 */
type PageGlobals = { boardhub: HubClient };

describe('the desktop app (Electron)', () => {
  it('opens its window, answers through its hub, and saves on quit', async (t) => {
    const executablePath = skipUnlessRunnable(t);
    if (executablePath === null) return;

    const userData = mkdtempSync(path.join(tmpdir(), 'boardhub-electron-'));
    let app: ElectronApplication | null = null;
    try {
      app = await _electron.launch({
        executablePath,
        args: [MAIN],
        env: { ...process.env, BOARDHUB_USER_DATA_DIR: userData, BOARDHUB_LOCAL_ONLY: '1' },
        timeout: 60_000,
      });
      const window: Page = await app.firstWindow();
      await window.waitForLoadState('domcontentloaded');
      assert.match(window.url(), /^app:\/\/boardhub\//);

      // The page is an ordinary web page: no Node, no ipcRenderer, one HubClient.
      const surface = await window.evaluate(() => {
        const page = globalThis as unknown as Record<string, unknown>;
        const hub = page.boardhub as Record<string, unknown> | undefined;
        return {
          require: typeof page.require,
          process: typeof page.process,
          transport: hub?.transport,
          methods: hub === undefined ? [] : Object.keys(hub).filter((key) => typeof hub[key] === 'function'),
        };
      });
      assert.equal(surface.require, 'undefined');
      assert.equal(surface.process, 'undefined');
      assert.equal(surface.transport, 'ipc');
      assert.ok(surface.methods.includes('createBoard') && surface.methods.includes('subscribe'));

      // The hub answers over IPC, and over HTTP on the port it reports.
      const overview: HubOverview = await window.evaluate(() =>
        (globalThis as unknown as PageGlobals).boardhub.overview(),
      );
      assert.equal(overview.lanVisible, false, 'a local-only run stays off the LAN');
      assert.equal(overview.mdns, 'off');
      const health = await fetch(`http://127.0.0.1:${overview.port}/healthz`);
      assert.equal(health.status, 200);

      // A refusal reaches the page with the hub's code, through contextBridge.
      const refusal = await window.evaluate(() =>
        (globalThis as unknown as PageGlobals).boardhub.getBoard('no-such-board').then(
          () => null,
          (error: { name?: string; code?: string }) => ({ name: error.name, code: error.code }),
        ),
      );
      assert.deepEqual(refusal, { name: 'HubClientError', code: 'BOARD_NOT_FOUND' });

      // Live events flow through the bridge.
      const live = await window.evaluate(
        () =>
          new Promise<boolean>((resolve) => {
            const stop = (globalThis as unknown as PageGlobals).boardhub.subscribe((event) => {
              if (event.type === 'connection' && event.state === 'live') {
                stop();
                resolve(true);
              }
            });
          }),
      );
      assert.equal(live, true);

      // Navigation stays on our pages; window.open makes no window.
      const opened = await window.evaluate(() => {
        const page = globalThis as unknown as { open(url: string): unknown };
        return page.open('file:///') === null;
      });
      assert.equal(opened, true);
      await window.evaluate(() => {
        (globalThis as unknown as { location: { href: string } }).location.href = 'file:///';
      });
      await new Promise((resolve) => setTimeout(resolve, 500));
      assert.match(window.url(), /^app:\/\/boardhub\//);
      assert.equal(app.windows().length, 1);

      const board = await window.evaluate(() =>
        (globalThis as unknown as PageGlobals).boardhub.createBoard('Saved by quitting'),
      );

      await app.close();
      app = null;

      const db = new Database(path.join(userData, 'hub', DATABASE_FILE), { readonly: true });
      try {
        const stored = db
          .prepare<[string], { name: string }>('SELECT name FROM boards WHERE id = ?')
          .get(board.id);
        assert.equal(stored?.name, 'Saved by quitting');
        const last = db
          .prepare<[], { action: string }>('SELECT action FROM audit_log ORDER BY id DESC LIMIT 1')
          .get();
        assert.equal(last?.action, 'hub_stop', 'the hub stopped cleanly before the app exited');
      } finally {
        db.close();
      }
    } finally {
      await app?.close();
      rmSync(userData, { recursive: true, force: true });
    }
  });
});
