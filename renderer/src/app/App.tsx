import type { ReactNode } from 'react';
import { LoginScreen } from '../screens/LoginScreen';
import { SessionGate } from '../session/session';
import { HubApp } from './HubApp';

/** Sign in (browser only), then the management UI. */
export function App(): ReactNode {
  return (
    <SessionGate
      login={({ message, onSignedIn }) => <LoginScreen message={message} onSignedIn={onSignedIn} />}
    >
      <HubApp />
    </SessionGate>
  );
}
