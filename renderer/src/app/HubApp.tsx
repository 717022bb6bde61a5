import { MutationCache, QueryCache, QueryClient, QueryClientProvider } from '@tanstack/react-query';
import { type ReactNode, useRef, useState } from 'react';
import { HashRouter, Navigate, Route, Routes } from 'react-router';
import { HubClientError } from '../../../src/client/hub-client';
import { HubProvider } from '../hub/client-context';
import { isAdminTokenInvalid } from '../hub/errors';
import { useLiveUpdates } from '../hub/live-updates';
import { AuditScreen } from '../screens/audit/AuditScreen';
import { BoardScreen } from '../screens/board/BoardScreen';
import { BoardsScreen } from '../screens/boards/BoardsScreen';
import { NotFoundScreen } from '../screens/NotFoundScreen';
import { PeopleScreen } from '../screens/people/PeopleScreen';
import { SettingsScreen } from '../screens/settings/SettingsScreen';
import { useSession } from '../session/session';
import { NowProvider } from '../ui/time';
import { Layout } from './Layout';

/** Only a hub that did not answer is worth asking again; a refusal will not change by retrying. */
const shouldRetry = (failures: number, error: unknown): boolean =>
  failures < 2 &&
  (!(error instanceof HubClientError) || error.code === 'UNREACHABLE' || (error.status ?? 0) >= 500);

function useQueryClientForSession(): QueryClient {
  const session = useSession();
  const sessionRef = useRef(session);
  sessionRef.current = session;
  const [queryClient] = useState(() => {
    const onError = (error: unknown): void => {
      if (isAdminTokenInvalid(error)) sessionRef.current.reportAuthFailure();
    };
    return new QueryClient({
      queryCache: new QueryCache({ onError }),
      mutationCache: new MutationCache({ onError }),
      defaultOptions: { queries: { retry: shouldRetry, staleTime: 5_000 } },
    });
  });
  return queryClient;
}

export function HubApp(): ReactNode {
  const { client } = useSession();
  const queryClient = useQueryClientForSession();
  const live = useLiveUpdates(client, queryClient);
  return (
    <QueryClientProvider client={queryClient}>
      <HubProvider client={client} live={live}>
        <NowProvider>
          <HashRouter>
            <Routes>
              <Route element={<Layout />}>
                <Route index element={<Navigate to="/boards" replace />} />
                <Route path="boards" element={<BoardsScreen />} />
                <Route path="boards/:boardId" element={<BoardScreen />} />
                <Route path="people" element={<PeopleScreen />} />
                <Route path="audit" element={<AuditScreen />} />
                <Route path="settings" element={<SettingsScreen />} />
                <Route path="*" element={<NotFoundScreen />} />
              </Route>
            </Routes>
          </HashRouter>
        </NowProvider>
      </HubProvider>
    </QueryClientProvider>
  );
}
