import type { ReactNode } from 'react';
import { useConnections } from '../../hub/queries';
import { plural } from '../../ui/format';
import { EmptyState, ErrorMessage, Loading } from '../../ui/status';
import { TableScroll } from '../../ui/TableScroll';
import { RelativeTime } from '../../ui/time';
import { ROLE_LABELS, shareName } from './roles';

/** Who is on the board right now; rows come and go as clients connect and leave. */
export function ConnectionsSection({ boardId }: { boardId: string }): ReactNode {
  const connections = useConnections(boardId);
  return (
    <section className="panel" aria-labelledby="connections-title">
      <header className="panel-header">
        <h2 id="connections-title">Connected now</h2>
        {connections.data && (
          <span className="panel-meta">{plural(connections.data.length, 'connection', 'connections')}</span>
        )}
      </header>
      {connections.isPending ? (
        <Loading label="Loading connections…" />
      ) : connections.isError ? (
        <ErrorMessage error={connections.error} retry={() => void connections.refetch()} />
      ) : connections.data.length === 0 ? (
        <EmptyState title="Nobody is connected">
          Create a share link below and send it: people appear here the moment they join.
        </EmptyState>
      ) : (
        <TableScroll label="Live connections">
          <table>
            <thead>
              <tr>
                <th scope="col">Name</th>
                <th scope="col">Role</th>
                <th scope="col">IP address</th>
                <th scope="col">Connected since</th>
              </tr>
            </thead>
            <tbody>
              {connections.data.map((connection) => (
                <tr key={connection.id}>
                  <th scope="row" title={connection.userAgent ?? undefined}>
                    {shareName(connection.label)}
                  </th>
                  <td>
                    <span className={`role role-${connection.role}`}>{ROLE_LABELS[connection.role]}</span>
                  </td>
                  <td className="mono">{connection.ip ?? 'unknown'}</td>
                  <td>
                    <RelativeTime ts={connection.connectedAt} />
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </TableScroll>
      )}
    </section>
  );
}
