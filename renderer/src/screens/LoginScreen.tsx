import { type FormEvent, type ReactNode, useId, useState } from 'react';
import type { HubClient } from '../../../src/client/hub-client';
import { signIn } from '../session/session';

interface LoginScreenProps {
  /** Why the last session ended, if the hub refused its token. */
  message: string | null;
  onSignedIn(client: HubClient): void;
}

/** A browser needs the hub's admin token; it is checked against the hub before going on. */
export function LoginScreen({ message, onSignedIn }: LoginScreenProps): ReactNode {
  const tokenId = useId();
  const helpId = useId();
  const [token, setToken] = useState('');
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);

  const submit = async (event: FormEvent): Promise<void> => {
    event.preventDefault();
    const trimmed = token.trim();
    if (trimmed === '') {
      setError('Paste the admin token first.');
      return;
    }
    setBusy(true);
    setError(null);
    try {
      onSignedIn(await signIn(trimmed));
    } catch (failure) {
      setError(failure instanceof Error ? failure.message : String(failure));
      setBusy(false);
    }
  };

  const shown = error ?? message;
  return (
    <main className="login">
      <form className="login-card" onSubmit={(event) => void submit(event)} aria-labelledby="login-title">
        <h1 id="login-title">Boardhub</h1>
        <p>Sign in to manage this hub: its boards, share links, audit log and settings.</p>
        <label htmlFor={tokenId}>Admin token</label>
        <input
          id={tokenId}
          type="password"
          autoComplete="off"
          spellCheck={false}
          placeholder="bhadm_…"
          value={token}
          aria-describedby={helpId}
          aria-invalid={shown !== null}
          onChange={(event) => setToken(event.currentTarget.value)}
        />
        <div id={helpId} className="hint">
          <p>On the computer that runs the hub, get a token with:</p>
          <pre>
            <code>npx boardhub admin-token --data DIR</code>
          </pre>
          <p>
            where DIR is the hub’s data folder. A new token replaces the previous one. The token stays in this
            tab only until you close it.
          </p>
        </div>
        {shown && (
          <p className="error-message" role="alert">
            {shown}
          </p>
        )}
        <button type="submit" className="primary" disabled={busy}>
          {busy ? 'Checking…' : 'Sign in'}
        </button>
      </form>
    </main>
  );
}
