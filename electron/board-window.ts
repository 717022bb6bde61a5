/**
 * The board windows "Open board" opens: the hub's board page from loopback, with the same locked
 * webPreferences as the management window but no preload (the page talks to the hub over HTTP
 * and its WebSocket, never to the main process). web-security.ts keeps each one on its origin.
 */
import { BrowserWindow } from 'electron';
import { boardWindowOrigin } from './board-window-policy.js';
import { secureWebPreferences } from './main-window.js';

/** WebContents id → the origin its board window may show. */
const origins = new Map<number, string>();

export function boardWindowOriginOf(contentsId: number): string | undefined {
  return origins.get(contentsId);
}

/** Opens `url` (from openBoard) in a new window; refuses anything but a loopback board page. */
export function openBoardWindow(url: string, options: { iconPath: string; devTools: boolean }): void {
  const origin = boardWindowOrigin(url);
  if (origin === null) throw new Error('Not a board page of this hub.');
  const window = new BrowserWindow({
    width: 1280,
    height: 860,
    minWidth: 360,
    minHeight: 480,
    title: 'Boardhub board',
    icon: options.iconPath,
    show: false,
    webPreferences: secureWebPreferences(options.devTools),
  });
  const contentsId = window.webContents.id;
  origins.set(contentsId, origin);
  window.on('closed', () => origins.delete(contentsId));
  window.once('ready-to-show', () => window.show());
  void window.loadURL(url);
}
