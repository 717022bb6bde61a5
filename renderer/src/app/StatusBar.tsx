import type { ReactNode } from 'react';
import { useLiveState } from '../hub/client-context';
import { useOverview } from '../hub/queries';
import { useSession } from '../session/session';
import { LanVisibility } from './LanVisibility';

const LIVE_TEXT = {
  connecting: 'Connecting live updates…',
  live: 'Live',
  reconnecting: 'Live updates interrupted, reconnecting…',
} as const;

/** Always on screen: which hub this is, who can reach it, how many are connected, and whether
 * what is shown is live. */
export function StatusBar(): ReactNode {
  const overview = useOverview();
  const live = useLiveState();
  const { signOut } = useSession();
  const connections = overview.data?.connections;
  return (
    <header className="status-bar">
      <div className="hub-identity">
        <span className="brand" aria-hidden="true">
          ◆
        </span>
        <p className="hub-name">{overview.data?.name ?? 'Boardhub'}</p>
      </div>
      {overview.data && <LanVisibility overview={overview.data} />}
      <ul className="status-items" aria-label="Hub status">
        <li>
          {connections === undefined
            ? 'Connected clients: …'
            : `${connections} ${connections === 1 ? 'client' : 'clients'} connected`}
        </li>
        <li className={`live-state live-${live}`} role="status">
          <span className="dot" aria-hidden="true" />
          {LIVE_TEXT[live]}
        </li>
      </ul>
      {signOut && (
        <button type="button" className="sign-out" onClick={signOut}>
          Sign out
        </button>
      )}
    </header>
  );
}
