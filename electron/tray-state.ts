/**
 * What the tray and the app menu say about the hub, computed from its state. Pure, so the wording
 * is tested in Node; tray-menu.ts turns it into Electron menus.
 */
import type { HubOverview } from '../src/client/hub-client.js';

export type HubShellState =
  | { phase: 'starting' }
  | { phase: 'running'; overview: Pick<HubOverview, 'name' | 'listenHost' | 'lanVisible' | 'connections'> }
  | { phase: 'failed'; message: string }
  | { phase: 'stopping' };

export interface TrayModel {
  /** The tray icon's tooltip: one line. */
  tooltip: string;
  /** Lines shown as disabled menu items at the top. */
  status: string[];
  /** The LAN toggle, when the hub runs. */
  lanToggle: { label: string; lanVisible: boolean } | null;
}

export function connectedClientsLabel(count: number): string {
  if (count === 0) return 'No connected clients';
  return count === 1 ? '1 connected client' : `${count} connected clients`;
}

export function describeHubState(state: HubShellState): TrayModel {
  switch (state.phase) {
    case 'starting':
      return { tooltip: 'Boardhub: starting…', status: ['Starting the hub…'], lanToggle: null };
    case 'stopping':
      return { tooltip: 'Boardhub: saving and stopping…', status: ['Saving and stopping…'], lanToggle: null };
    case 'failed':
      return {
        tooltip: 'Boardhub: the hub is not running',
        status: ['The hub is not running', state.message],
        lanToggle: null,
      };
    case 'running': {
      const { overview } = state;
      const reach = overview.lanVisible
        ? `Visible on the LAN at ${overview.listenHost}`
        : 'Only this computer';
      const clients = connectedClientsLabel(overview.connections);
      return {
        tooltip: `Boardhub “${overview.name}”: ${reach.charAt(0).toLowerCase()}${reach.slice(1)}, ${clients.toLowerCase()}`,
        status: [reach, clients],
        lanToggle: {
          label: overview.lanVisible ? 'Hide from the LAN' : 'Show on the LAN',
          lanVisible: overview.lanVisible,
        },
      };
    }
  }
}
