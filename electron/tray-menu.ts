/**
 * The tray icon and the application menu, both showing the hub's state (tray-state.ts) and the
 * same actions: open the window, hide from / show on the LAN, quit. Rebuilt on every change; menus
 * are small and changes come at most a few times a second.
 */
import { Menu, type MenuItemConstructorOptions, nativeImage, Tray } from 'electron';
import { describeHubState, type HubShellState, type TrayModel } from './tray-state.js';

export interface ShellActions {
  openWindow(): void;
  setLanVisible(visible: boolean): void;
  quit(): void;
}

function hubItems(model: TrayModel, actions: ShellActions): MenuItemConstructorOptions[] {
  const items: MenuItemConstructorOptions[] = model.status.map((line) => ({ label: line, enabled: false }));
  items.push({ type: 'separator' }, { label: 'Open Boardhub', click: () => actions.openWindow() });
  const toggle = model.lanToggle;
  if (toggle !== null) {
    items.push({ label: toggle.label, click: () => actions.setLanVisible(!toggle.lanVisible) });
  }
  return items;
}

function applicationMenu(model: TrayModel, actions: ShellActions, devTools: boolean): Menu {
  const view: MenuItemConstructorOptions[] = devTools
    ? [{ role: 'reload' }, { role: 'toggleDevTools' }, { type: 'separator' }]
    : [];
  return Menu.buildFromTemplate([
    {
      label: 'Boardhub',
      submenu: [
        ...hubItems(model, actions),
        { type: 'separator' },
        { label: 'Quit Boardhub', accelerator: 'CmdOrCtrl+Q', click: () => actions.quit() },
      ],
    },
    // Copy and paste need the Edit menu's roles on macOS.
    { role: 'editMenu' },
    {
      label: 'View',
      submenu: [
        ...view,
        { role: 'resetZoom' },
        { role: 'zoomIn' },
        { role: 'zoomOut' },
        { type: 'separator' },
        { role: 'togglefullscreen' },
      ],
    },
    { role: 'windowMenu' },
  ]);
}

export interface ShellMenus {
  update(state: HubShellState): void;
  destroy(): void;
}

export function createShellMenus(iconPath: string, actions: ShellActions, devTools: boolean): ShellMenus {
  const tray = new Tray(nativeImage.createFromPath(iconPath));
  // Windows and most Linux trays open the menu on right click only; a left click opens the window.
  tray.on('click', () => actions.openWindow());
  const update = (state: HubShellState): void => {
    const model = describeHubState(state);
    tray.setToolTip(model.tooltip);
    tray.setContextMenu(
      Menu.buildFromTemplate([
        ...hubItems(model, actions),
        { type: 'separator' },
        { label: 'Quit Boardhub', click: () => actions.quit() },
      ]),
    );
    Menu.setApplicationMenu(applicationMenu(model, actions, devTools));
  };
  return {
    update,
    destroy: () => tray.destroy(),
  };
}
