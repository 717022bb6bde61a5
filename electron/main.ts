/**
 * The desktop app's main process: runs the hub in-process through src/'s public API, shows the
 * management UI in one locked-down window, and keeps a tray icon with the hub's state. The hub
 * keeps serving the LAN while the window is closed; only Quit stops it, after a final save.
 *
 * Order matters here: the app name, user-data folder and privileged scheme must be set before the
 * app is ready; the single-instance lock is keyed by the user-data folder, so it comes after.
 */
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { app, type BrowserWindow, dialog, ipcMain, safeStorage, session } from 'electron';
import { createHub, createServiceHubClient, type Hub } from '../src/index.js';
import { registerAppScheme, serveAppProtocol } from './app-protocol.js';
import { boardWindowOriginOf, openBoardWindow } from './board-window.js';
import { registerHubIpcHandlers } from './ipc/hub-ipc-main.js';
import { isTrustedIpcSender, type TrustedWindowLike } from './ipc/sender-policy.js';
import { desktopHubConfig, readLaunchOptions } from './launch-options.js';
import { createMainWindow, revealWindow } from './main-window.js';
import { chooseKeyProtection } from './safe-storage-protector.js';
import { createShellMenus, type ShellMenus } from './tray-menu.js';
import type { HubShellState } from './tray-state.js';
import { denyPermissions, lockDownWebContents } from './web-security.js';

const here = path.dirname(fileURLToPath(import.meta.url));
const PRELOAD = path.join(here, 'preload.cjs');
const RENDERER_ROOT = path.join(here, '..', 'renderer');
const TRAY_ICON = path.join(here, 'assets', 'tray-icon.png');
const APP_ICON = path.join(here, 'assets', 'icon.png');
/** A hub that cannot stop within this long (a stuck disk) must not keep the app from quitting. */
const STOP_TIMEOUT_MS = 20_000;
/** Hub changes arrive in bursts (a room of guests joining); the tray refreshes once per burst. */
const REFRESH_DELAY_MS = 250;
const DESKTOP_ACTOR = { name: 'desktop app' };

const launch = readLaunchOptions(process.argv, process.env);
app.setName('Boardhub');
// Set explicitly: the default follows whatever package.json Electron found (dev and packaged differ).
app.setPath('userData', launch.userDataDir ?? path.join(app.getPath('appData'), 'Boardhub'));
registerAppScheme();
app.enableSandbox();

if (app.requestSingleInstanceLock()) {
  run().catch((error: unknown) => {
    console.error('Boardhub could not start:', error);
    dialog.showErrorBox('Boardhub could not start', error instanceof Error ? error.message : String(error));
    app.exit(1);
  });
} else {
  // Another Boardhub runs on this user-data folder: it opens its window (second-instance) instead.
  app.exit(0);
}

async function run(): Promise<void> {
  let mainWindow: BrowserWindow | null = null;
  const devTools = !app.isPackaged;

  // Every WebContents gets the locks, whoever creates it.
  app.on('web-contents-created', (_event, contents) => lockDownWebContents(contents, boardWindowOriginOf));
  // The hub serves the LAN without a window: closing the last one must not quit.
  app.on('window-all-closed', () => {});

  await app.whenReady();
  denyPermissions(session.defaultSession);
  serveAppProtocol(RENDERER_ROOT);

  // safeStorage knows its Linux backend only once the app is ready.
  const keyProtection = chooseKeyProtection(safeStorage, process.platform);
  console.info(
    keyProtection.protector === null
      ? `Boardhub: signing keys stay in owner-only files: ${keyProtection.reason}.`
      : `Boardhub: signing keys are sealed with ${keyProtection.reason}.`,
  );
  const userData = app.getPath('userData');
  const hub = createHub(desktopHubConfig(userData, launch), {
    ...(keyProtection.protector === null ? {} : { keyProtector: keyProtection.protector }),
  });

  const openWindow = (): void => {
    if (mainWindow !== null && !mainWindow.isDestroyed()) {
      revealWindow(mainWindow);
      return;
    }
    const created = createMainWindow({ preloadPath: PRELOAD, iconPath: APP_ICON, devTools });
    created.on('closed', () => {
      if (mainWindow === created) mainWindow = null;
    });
    mainWindow = created;
  };
  const trustedWindow = (): TrustedWindowLike | null =>
    mainWindow === null || mainWindow.isDestroyed()
      ? null
      : { webContentsId: mainWindow.webContents.id, mainFrame: mainWindow.webContents.mainFrame };

  const windowClient = createServiceHubClient(hub, DESKTOP_ACTOR);
  const removeIpcHandlers = registerHubIpcHandlers(
    ipcMain,
    {
      ...windowClient,
      // "Open board" in the app: the main process shows the page in a board window of its own.
      openBoard: async (boardId) => {
        const opened = await windowClient.openBoard(boardId);
        openBoardWindow(opened.url, { iconPath: APP_ICON, devTools });
        return opened;
      },
    },
    (event) => isTrustedIpcSender(event, trustedWindow()),
    (method, error) => console.error(`Boardhub: ${method} failed:`, error),
  );

  const status = trackHubState(hub);
  const menus: ShellMenus = createShellMenus(
    TRAY_ICON,
    {
      openWindow,
      setLanVisible: (lanVisible) => status.setLanVisible(lanVisible),
      quit: () => app.quit(),
    },
    devTools,
  );
  status.onChange((state) => menus.update(state));

  let quitting = false;
  app.on('before-quit', (event) => {
    // Always deferred: the app exits itself once the hub has saved (also on a second Quit).
    event.preventDefault();
    if (quitting) return;
    quitting = true;
    status.stopping();
    removeIpcHandlers();
    void stopHub(hub).then((exitCode) => {
      menus.destroy();
      app.exit(exitCode);
    });
  });
  for (const signal of ['SIGINT', 'SIGTERM'] as const) process.on(signal, () => app.quit());
  app.on('second-instance', openWindow);
  app.on('activate', openWindow);

  try {
    await hub.start();
    status.started();
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    status.failed(message);
    dialog.showErrorBox('Boardhub could not start its hub', message);
  }
  openWindow();
}

async function stopHub(hub: Hub): Promise<number> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<'timeout'>((resolve) => {
    timer = setTimeout(() => resolve('timeout'), STOP_TIMEOUT_MS);
  });
  try {
    const outcome = await Promise.race([hub.stop().then(() => 'stopped' as const), timeout]);
    if (outcome === 'timeout') {
      console.error(`Boardhub: the hub did not stop within ${STOP_TIMEOUT_MS / 1000} s; quitting anyway.`);
      return 1;
    }
    return 0;
  } catch (error) {
    console.error('Boardhub: stopping the hub failed:', error);
    return 1;
  } finally {
    clearTimeout(timer);
  }
}

/**
 * The hub's state as the tray shows it, refreshed from the hub's own events (through the same
 * HubClient the window uses, so the tray never disagrees with the UI).
 */
function trackHubState(hub: Hub): {
  onChange(listener: (state: HubShellState) => void): void;
  started(): void;
  failed(message: string): void;
  stopping(): void;
  setLanVisible(lanVisible: boolean): void;
} {
  const client = createServiceHubClient(hub, DESKTOP_ACTOR);
  let state: HubShellState = { phase: 'starting' };
  let listener: (next: HubShellState) => void = () => {};
  let refreshTimer: NodeJS.Timeout | null = null;
  let unsubscribe: (() => void) | null = null;

  const set = (next: HubShellState): void => {
    state = next;
    listener(next);
  };
  const refresh = async (): Promise<void> => {
    try {
      const overview = await client.overview();
      if (state.phase === 'starting' || state.phase === 'running') set({ phase: 'running', overview });
    } catch (error) {
      console.error('Boardhub: reading the hub state failed:', error);
    }
  };
  const scheduleRefresh = (): void => {
    refreshTimer ??= setTimeout(() => {
      refreshTimer = null;
      void refresh();
    }, REFRESH_DELAY_MS);
  };

  return {
    onChange(next) {
      listener = next;
      next(state);
    },
    started() {
      unsubscribe = client.subscribe((event) => {
        if (event.type !== 'changes') return scheduleRefresh();
        if (event.changes.some((change) => ['connections', 'settings', 'status'].includes(change.topic))) {
          scheduleRefresh();
        }
      });
      void refresh();
    },
    failed(message) {
      set({ phase: 'failed', message });
    },
    stopping() {
      unsubscribe?.();
      if (refreshTimer !== null) clearTimeout(refreshTimer);
      set({ phase: 'stopping' });
    },
    setLanVisible(lanVisible) {
      client.updateSettings({ lanVisible }).then(
        () => refresh(),
        (error: unknown) => {
          const message = error instanceof Error ? error.message : String(error);
          dialog.showErrorBox('Boardhub could not change its LAN visibility', message);
        },
      );
    },
  };
}
