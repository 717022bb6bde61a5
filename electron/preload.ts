/**
 * The preload: the page's only way to the hub. It exposes one HubClient as `window.boardhub`,
 * built over ipcRenderer here in the isolated world; the page never sees ipcRenderer or Node.
 * Runs sandboxed, so it is bundled into one CommonJS file (build.mjs) with only `electron`
 * external. Pages other than our own (which the navigation locks never let load) get nothing.
 */
import { contextBridge, ipcRenderer } from 'electron';
import { isAppUrl } from './app-origin.js';
import { bridgeSafeHubClient } from './ipc/hub-ipc-bridge.js';
import { createIpcHubClient } from './ipc/hub-ipc-renderer.js';

const pageUrl = (globalThis as { location?: { href?: string } }).location?.href ?? '';

if (isAppUrl(pageUrl)) {
  contextBridge.exposeInMainWorld('boardhub', bridgeSafeHubClient(createIpcHubClient(ipcRenderer)));
}
