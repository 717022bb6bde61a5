import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, it } from 'node:test';
import { externalLinkTarget, isAppUrl } from '../../electron/app-origin.js';
import { contentTypeFor, resolveAssetPath } from '../../electron/asset-path.js';
import { APP_CONTENT_SECURITY_POLICY } from '../../electron/content-security-policy.js';
import type { IpcSenderEventLike } from '../../electron/ipc/hub-ipc-main.js';
import { isTrustedIpcSender } from '../../electron/ipc/sender-policy.js';
import { isPermissionGranted } from '../../electron/permission-policy.js';
import { UI_CSP } from '../../src/net/ui-routes.js';

describe('Electron shell: the app’s own origin', () => {
  it('only app://boardhub is ours', () => {
    for (const url of [
      'app://boardhub/',
      'app://boardhub/index.html',
      'app://boardhub/#/boards/b_1',
      'app://boardhub',
    ]) {
      assert.equal(isAppUrl(url), true, url);
    }
    for (const url of [
      'app://boardhub.evil/',
      'app://evil/',
      'app://boardhub:8080/',
      'app://user:pw@boardhub/',
      'http://boardhub/',
      'https://127.0.0.1:7420/',
      'file:///etc/passwd',
      'javascript:alert(1)',
      'about:blank',
      'not a url',
      '',
    ]) {
      assert.equal(isAppUrl(url), false, url);
    }
  });

  it('only http(s) links go to the system browser', () => {
    assert.equal(externalLinkTarget('https://github.com/yjs/yjs'), 'https://github.com/yjs/yjs');
    assert.equal(externalLinkTarget('http://192.168.1.20:7420/'), 'http://192.168.1.20:7420/');
    for (const url of [
      'file:///etc/passwd',
      'javascript:alert(1)',
      'smb://server/share',
      'ms-settings:network',
      'app://boardhub/',
      'https://user:secret@example.com/',
      'not a url',
    ]) {
      assert.equal(externalLinkTarget(url), null, url);
    }
  });

  it('web permissions are refused, except clipboard writes from our own pages', () => {
    assert.equal(isPermissionGranted('clipboard-sanitized-write', 'app://boardhub'), true);
    assert.equal(isPermissionGranted('clipboard-sanitized-write', 'https://example.com'), false);
    for (const permission of [
      'media',
      'geolocation',
      'notifications',
      'clipboard-read',
      'openExternal',
      'usb',
      'unknown',
    ]) {
      assert.equal(isPermissionGranted(permission, 'app://boardhub'), false, permission);
    }
  });
});

describe('Electron shell: app:// serves only the renderer’s files', () => {
  const root = path.resolve('/opt/boardhub/dist/renderer');

  it('maps the app’s URLs to files under the root', () => {
    assert.equal(resolveAssetPath(root, 'app://boardhub/'), path.join(root, 'index.html'));
    assert.equal(resolveAssetPath(root, 'app://boardhub/#/settings'), path.join(root, 'index.html'));
    assert.equal(
      resolveAssetPath(root, 'app://boardhub/assets/index-3f2a.js'),
      path.join(root, 'assets/index-3f2a.js'),
    );
    assert.equal(
      resolveAssetPath(root, 'app://boardhub/assets/a%20b.css?v=1'),
      path.join(root, 'assets/a b.css'),
    );
  });

  it('refuses traversal, encoded or not, and anything that is not ours', () => {
    // Dot segments, even percent-encoded ones, are resolved by the URL parser itself (as in
    // Chromium, before the request reaches us): what is left is still under root.
    for (const url of ['app://boardhub/../../etc/passwd', 'app://boardhub/%2e%2e/%2E%2e/etc/passwd']) {
      assert.equal(resolveAssetPath(root, url), path.join(root, 'etc/passwd'), url);
    }
    for (const url of [
      'app://boardhub/assets/..%2f..%2f..%2fetc%2fpasswd',
      'app://boardhub/assets/%2e%2e%5c%2e%2e%5cwindows%5cwin.ini',
      'app://boardhub/..%5c..%5cetc',
      'app://boardhub/index.html%00.png',
      'app://boardhub/%E0%A4%A',
      'app://evil/index.html',
      'file:///etc/passwd',
    ]) {
      assert.equal(resolveAssetPath(root, url), null, url);
    }
  });

  it('names content types by extension', () => {
    assert.equal(contentTypeFor('/x/index.html'), 'text/html; charset=utf-8');
    assert.equal(contentTypeFor('/x/app.JS'), 'text/javascript; charset=utf-8');
    assert.equal(contentTypeFor('/x/logo.svg'), 'image/svg+xml');
    assert.equal(contentTypeFor('/x/blob'), 'application/octet-stream');
  });

  it('sends the hub’s UI policy, the one renderer/index.html carries', () => {
    assert.equal(APP_CONTENT_SECURITY_POLICY.replaceAll(/\s+/g, ' '), UI_CSP.replaceAll(/\s+/g, ' '));
    const directives = (policy: string) =>
      policy
        .split(';')
        .map((directive) => directive.trim())
        .filter((directive) => directive !== '' && !directive.startsWith('frame-ancestors'))
        .sort();
    const html = readFileSync(new URL('../../renderer/index.html', import.meta.url), 'utf8');
    const meta = /http-equiv="Content-Security-Policy"\s+content="([^"]+)"/.exec(html)?.[1];
    assert.ok(meta, 'renderer/index.html has a CSP meta tag');
    assert.deepEqual(directives(APP_CONTENT_SECURITY_POLICY), directives(meta));
    assert.doesNotMatch(APP_CONTENT_SECURITY_POLICY, /unsafe-(inline|eval)/);
  });
});

describe('Electron shell: who may call the hub over IPC', () => {
  const window = { webContentsId: 3, mainFrame: { processId: 11, frameToken: 'top' } };
  const event = (
    frame: Partial<{ url: string; parent: unknown; processId: number; frameToken: string }> | null,
    webContentsId = 3,
  ): IpcSenderEventLike => ({
    sender: { id: webContentsId, send: () => {}, isDestroyed: () => false, once: () => undefined },
    senderFrame:
      frame === null
        ? null
        : { url: 'app://boardhub/', parent: null, processId: 11, frameToken: 'top', ...frame },
  });

  it('our window’s main frame showing our pages', () => {
    assert.equal(isTrustedIpcSender(event({}), window), true);
    assert.equal(isTrustedIpcSender(event({ url: 'app://boardhub/#/audit' }), window), true);
  });

  it('not an iframe, another page, another window, a replaced frame, or no window at all', () => {
    assert.equal(isTrustedIpcSender(event({ parent: {} }), window), false, 'an iframe');
    assert.equal(isTrustedIpcSender(event({ url: 'https://evil.example/' }), window), false, 'another page');
    assert.equal(isTrustedIpcSender(event({ url: 'file:///tmp/x.html' }), window), false, 'a file');
    assert.equal(isTrustedIpcSender(event({}, 4), window), false, 'another window');
    assert.equal(isTrustedIpcSender(event({ frameToken: 'old' }), window), false, 'a replaced document');
    assert.equal(isTrustedIpcSender(event({ processId: 12 }), window), false, 'another process');
    assert.equal(isTrustedIpcSender(event(null), window), false, 'a frame already gone');
    assert.equal(isTrustedIpcSender(event({}), null), false, 'no window');
  });
});
