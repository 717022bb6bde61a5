/**
 * The locks on everything the app's web contents may do, applied to every WebContents the app
 * ever creates (app 'web-contents-created'), not only to the window we know about:
 * - navigation (main frame, subframes, redirects) stays on app://boardhub (a board window: on
 *   its hub's loopback origin, board-window-policy.ts); an http(s) link the user follows opens in
 *   the system browser instead, anything else is dropped;
 * - window.open and target=_blank never create a window (http(s) again goes to the browser);
 * - <webview> is never attached;
 * - permission requests and checks are refused (permission-policy.ts has the one exception).
 */
import { type Session, shell, type WebContents } from 'electron';
import { externalLinkTarget, isAppUrl } from './app-origin.js';
import { isBoardWindowUrl } from './board-window-policy.js';
import { isPermissionGranted } from './permission-policy.js';

function openInSystemBrowser(url: string): void {
  const target = externalLinkTarget(url);
  if (target !== null) void shell.openExternal(target);
}

/** `boardOrigin` names the origin a board window may show (asked at each navigation). */
export function lockDownWebContents(
  contents: WebContents,
  boardOrigin: (contentsId: number) => string | undefined,
): void {
  const allowed = (url: string): boolean => isAppUrl(url) || isBoardWindowUrl(url, boardOrigin(contents.id));
  contents.on('will-navigate', (event) => {
    if (allowed(event.url)) return;
    event.preventDefault();
    openInSystemBrowser(event.url);
  });
  contents.on('will-frame-navigate', (event) => {
    if (!allowed(event.url)) event.preventDefault();
  });
  contents.on('will-redirect', (event) => {
    if (!allowed(event.url)) event.preventDefault();
  });
  contents.setWindowOpenHandler(({ url }) => {
    openInSystemBrowser(url);
    return { action: 'deny' };
  });
  contents.on('will-attach-webview', (event) => event.preventDefault());
}

export function denyPermissions(session: Session): void {
  session.setPermissionRequestHandler((_contents, permission, callback, details) => {
    callback(isPermissionGranted(permission, details.requestingUrl));
  });
  session.setPermissionCheckHandler((_contents, permission, requestingOrigin) =>
    isPermissionGranted(permission, requestingOrigin),
  );
  // Device pickers (USB, HID, serial, Bluetooth) and screen capture: never.
  session.setDevicePermissionHandler(() => false);
  session.setDisplayMediaRequestHandler((_request, callback) => callback({}));
}
