import { createContext, type ReactNode, useContext } from 'react';
import type { HubClient } from '../../../src/client/hub-client';
import type { LiveState } from './live-updates';

interface HubContextValue {
  client: HubClient;
  live: LiveState;
}

const HubContext = createContext<HubContextValue | null>(null);

export function HubProvider(props: HubContextValue & { children: ReactNode }): ReactNode {
  const { client, live, children } = props;
  return <HubContext value={{ client, live }}>{children}</HubContext>;
}

function useHubContext(): HubContextValue {
  const value = useContext(HubContext);
  if (!value) throw new Error('useHubClient() outside <HubProvider>');
  return value;
}

/** The one HubClient the UI talks to (IPC in the desktop app, HTTP in a browser). */
export const useHubClient = (): HubClient => useHubContext().client;

/** Whether live updates are flowing. */
export const useLiveState = (): LiveState => useHubContext().live;
