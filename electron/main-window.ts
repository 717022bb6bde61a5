/**
 * The management window: the UI from app://boardhub with the preload's HubClient as its only
 * door to the hub. Context isolation, the Chromium sandbox and no Node integration make the page
 * an ordinary web page; web-security.ts keeps it on our own content.
 */
import { BrowserWindow, type WebPreferences } from 'electron';
import { APP_START_URL } from './app-origin.js';

export interface MainWindowOptions {
  preloadPath: string;
  iconPath: string;
  devTools: boolean;
}

/** No Node, isolated, sandboxed: every window of the app (the board windows too) uses these. */
export function secureWebPreferences(devTools: boolean): WebPreferences {
  return {
    contextIsolation: true,
    sandbox: true,
    nodeIntegration: false,
    nodeIntegrationInWorker: false,
    nodeIntegrationInSubFrames: false,
    webSecurity: true,
    allowRunningInsecureContent: false,
    webviewTag: false,
    navigateOnDragDrop: false,
    spellcheck: false,
    devTools,
  };
}

export function createMainWindow(options: MainWindowOptions): BrowserWindow {
  const window = new BrowserWindow({
    width: 1200,
    height: 800,
    minWidth: 720,
    minHeight: 480,
    title: 'Boardhub',
    icon: options.iconPath,
    show: false,
    webPreferences: { ...secureWebPreferences(options.devTools), preload: options.preloadPath },
  });
  window.once('ready-to-show', () => window.show());
  void window.loadURL(APP_START_URL);
  return window;
}

/** Brings the window to the front, restoring it if minimized. */
export function revealWindow(window: BrowserWindow): void {
  if (window.isMinimized()) window.restore();
  window.show();
  window.focus();
}
