/**
 * The `app://boardhub/` protocol: the management UI's built files (dist/renderer), served by the
 * main process with the UI's Content-Security-Policy as a header. A privileged standard, secure
 * scheme gives the pages a real origin of their own (storage, fetch and module scripts behave as
 * on https) without a local HTTP server, and without file://, where every file is its own origin
 * and any file on disk is one link away.
 */
import { readFile } from 'node:fs/promises';
import { protocol } from 'electron';
import { APP_SCHEME } from './app-origin.js';
import { contentTypeFor, resolveAssetPath } from './asset-path.js';
import { APP_CONTENT_SECURITY_POLICY } from './content-security-policy.js';

/** Must run before the app is ready: Chromium fixes its scheme list at start. */
export function registerAppScheme(): void {
  protocol.registerSchemesAsPrivileged([
    {
      scheme: APP_SCHEME,
      privileges: { standard: true, secure: true, supportFetchAPI: true, codeCache: true },
    },
  ]);
}

const SECURITY_HEADERS = {
  'content-security-policy': APP_CONTENT_SECURITY_POLICY,
  'x-content-type-options': 'nosniff',
  'cross-origin-opener-policy': 'same-origin',
  'referrer-policy': 'no-referrer',
};

function notFound(): Response {
  return new Response('Not found', {
    status: 404,
    headers: { ...SECURITY_HEADERS, 'content-type': 'text/plain; charset=utf-8' },
  });
}

/** Serves files under `root` on the default session (the one our window uses). */
export function serveAppProtocol(root: string): void {
  protocol.handle(APP_SCHEME, async (request) => {
    if (request.method !== 'GET' && request.method !== 'HEAD') {
      return new Response(null, { status: 405, headers: SECURITY_HEADERS });
    }
    const file = resolveAssetPath(root, request.url);
    if (file === null) return notFound();
    let body: Buffer;
    try {
      body = await readFile(file);
    } catch {
      return notFound();
    }
    return new Response(request.method === 'HEAD' ? null : new Uint8Array(body), {
      headers: { ...SECURITY_HEADERS, 'content-type': contentTypeFor(file), 'cache-control': 'no-cache' },
    });
  });
}
