/**
 * Which web permissions the app's pages get: none, except writing to the clipboard from our own
 * pages (the "Copy link" buttons use navigator.clipboard.writeText, which Chromium gates behind
 * 'clipboard-sanitized-write'). Camera, microphone, location, notifications, USB, reading the
 * clipboard, opening external protocols…: all refused, for every origin. Pure.
 */
import { isAppUrl } from './app-origin.js';

const ALLOWED_FOR_APP_PAGES: ReadonlySet<string> = new Set(['clipboard-sanitized-write']);

/** `origin` is the requesting page's URL or origin, as Electron's permission handlers give it. */
export function isPermissionGranted(permission: string, origin: string): boolean {
  return ALLOWED_FOR_APP_PAGES.has(permission) && isAppUrl(origin);
}
