import {
  createContext,
  type ReactNode,
  useCallback,
  useContext,
  useEffect,
  useMemo,
  useRef,
  useState,
} from 'react';
import type { HubClient } from '../../../src/client/hub-client';
import { createHttpHubClient } from '../api/http-hub-client';
import { describeError, isAdminTokenInvalid } from '../hub/errors';
import { desktopClient } from './desktop-client';
import { forgetToken, readStoredToken, storeToken } from './token-store';

/**
 * Who this page talks to. In the desktop app the preload's IPC client, always signed in; in a
 * browser an HTTP client holding the admin token the user typed, checked with overview() before
 * anything else is shown. A token the hub stops accepting (replaced, revoked) signs the tab out.
 */
export type SessionState =
  | { status: 'checking' }
  | { status: 'signed-out'; message: string | null }
  | { status: 'signed-in'; client: HubClient };

export interface Session {
  client: HubClient;
  /** Null in the desktop app, which needs no sign-in. */
  signOut: (() => void) | null;
  /** Called when any request is refused for its admin token. */
  reportAuthFailure(): void;
  /** Issues a new admin token (older ones stop working) and keeps this tab signed in with it. */
  resetAdminToken(): Promise<string>;
}

const SessionContext = createContext<Session | null>(null);

export function useSession(): Session {
  const session = useContext(SessionContext);
  if (!session) throw new Error('useSession() outside <SessionGate>');
  return session;
}

const httpClient = (token: string): HubClient =>
  createHttpHubClient({ baseUrl: window.location.origin, token });

/** Signs in with a token: resolves with a client that the hub accepted, or rejects with a message. */
export async function signIn(token: string): Promise<HubClient> {
  const client = httpClient(token);
  try {
    await client.overview();
  } catch (error) {
    throw new Error(describeError(error));
  }
  storeToken(token);
  return client;
}

const TOKEN_REFUSED =
  'The hub no longer accepts the admin token this tab used (a new one was issued, or it was revoked). Sign in with the current token.';

interface SessionGateProps {
  /** Rendered while signed out, with the reason if the hub refused the last token. */
  login(state: { message: string | null; onSignedIn(client: HubClient): void }): ReactNode;
  children: ReactNode;
}

export function SessionGate({ login, children }: SessionGateProps): ReactNode {
  const desktop = useMemo(desktopClient, []);
  const [state, setState] = useState<SessionState>(() => {
    if (desktop) return { status: 'signed-in', client: desktop };
    return readStoredToken() === null ? { status: 'signed-out', message: null } : { status: 'checking' };
  });
  const resetting = useRef(false);

  useEffect(() => {
    if (state.status !== 'checking') return;
    const token = readStoredToken();
    if (token === null) {
      setState({ status: 'signed-out', message: null });
      return;
    }
    signIn(token).then(
      (client) => setState({ status: 'signed-in', client }),
      (error: unknown) => {
        forgetToken();
        setState({ status: 'signed-out', message: error instanceof Error ? error.message : null });
      },
    );
  }, [state.status]);

  const signOut = useCallback((message: string | null = null) => {
    forgetToken();
    setState({ status: 'signed-out', message });
  }, []);

  const client = state.status === 'signed-in' ? state.client : null;
  const currentClient = useRef(client);
  currentClient.current = client;
  const checkingToken = useRef(false);

  // A refusal may come from a request sent with a token this tab has just replaced: ask again
  // with the current one before signing out.
  const confirmTokenRefused = useCallback(() => {
    const current = currentClient.current;
    if (!current || resetting.current || checkingToken.current) return;
    checkingToken.current = true;
    current.overview().then(
      () => {
        checkingToken.current = false;
      },
      (error: unknown) => {
        checkingToken.current = false;
        if (isAdminTokenInvalid(error) && currentClient.current === current) signOut(TOKEN_REFUSED);
      },
    );
  }, [signOut]);

  const session = useMemo<Session | null>(() => {
    if (!client) return null;
    return {
      client,
      signOut: desktop ? null : () => signOut(),
      reportAuthFailure: () => {
        if (!desktop) confirmTokenRefused();
      },
      resetAdminToken: async () => {
        // Until the new token is in use, requests with the old one fail on purpose.
        resetting.current = true;
        try {
          // The HTTP client carries on with the new token itself; a reload must find it too.
          const { token } = await client.resetAdminToken();
          if (!desktop) storeToken(token);
          return token;
        } finally {
          resetting.current = false;
        }
      },
    };
  }, [client, desktop, signOut, confirmTokenRefused]);

  if (state.status === 'checking') {
    return (
      <main className="centered" aria-busy="true">
        <p role="status">Connecting to the hub…</p>
      </main>
    );
  }
  if (!session) {
    const message = state.status === 'signed-out' ? state.message : null;
    return login({ message, onSignedIn: (signedIn) => setState({ status: 'signed-in', client: signedIn }) });
  }
  return <SessionContext value={session}>{children}</SessionContext>;
}
