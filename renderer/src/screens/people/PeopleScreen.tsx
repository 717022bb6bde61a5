import type { ReactNode } from 'react';
import { useOverview } from '../../hub/queries';
import { AddHubForm } from './AddHubForm';
import { PeersTable } from './PeersTable';

/** Other hubs in the room: found over mDNS or added by address, each with the key it proved. */
export function PeopleScreen(): ReactNode {
  const overview = useOverview();
  return (
    <section className="screen" aria-labelledby="people-title">
      <header className="screen-header">
        <h1 id="people-title">People in the room</h1>
        <p className="screen-lead">
          Other Boardhub hubs on this network. To be sure a hub is who it says, read its key aloud with its
          owner.
          {overview.data && (
            <>
              {' '}
              This hub’s key: <span className="mono fingerprint">{overview.data.fingerprintShort}</span>
            </>
          )}
        </p>
      </header>
      <PeersTable />
      <AddHubForm />
    </section>
  );
}
