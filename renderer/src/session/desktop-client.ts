import type { HubClient } from '../../../src/client/hub-client';
import { withHubClientErrors } from './bridged-errors';

declare global {
  interface Window {
    /** Set by the desktop app's preload (electron/preload.ts): the IPC HubClient. */
    boardhub?: HubClient;
  }
}

/** The desktop app's client, when this page runs inside it: it needs no admin token. */
export function desktopClient(): HubClient | null {
  const bridged = window.boardhub;
  return bridged ? withHubClientErrors(bridged) : null;
}
