/**
 * Who may call the hub over IPC: only the main frame of our own window, and only while it shows
 * our own pages (app://boardhub). An iframe, a page navigated elsewhere, or another window gets
 * nothing, even though each of them could reach ipcRenderer if a preload ever ran there. Pure.
 */
import { isAppUrl } from '../app-origin.js';
import type { IpcSenderEventLike } from './hub-ipc-main.js';

/** The window the hub answers to: its WebContents id and its current main frame. */
export interface TrustedWindowLike {
  readonly webContentsId: number;
  readonly mainFrame: { readonly processId: number; readonly frameToken: string };
}

export function isTrustedIpcSender(event: IpcSenderEventLike, window: TrustedWindowLike | null): boolean {
  const frame = event.senderFrame;
  if (window === null || frame === null) return false;
  if (event.sender.id !== window.webContentsId) return false;
  // The main frame has no parent; it must also be the window's main frame right now (a frame
  // token is unique per document, so a replaced or detached frame no longer matches).
  if (frame.parent !== null) return false;
  if (frame.processId !== window.mainFrame.processId || frame.frameToken !== window.mainFrame.frameToken) {
    return false;
  }
  return isAppUrl(frame.url);
}
