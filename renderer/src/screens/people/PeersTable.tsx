import type { ReactNode } from 'react';
import type { PeerInfo } from '../../../../src/client/hub-client';
import { useHubMutation, usePeers } from '../../hub/queries';
import { queryKeys } from '../../hub/query-keys';
import { EmptyState, ErrorMessage, Loading } from '../../ui/status';
import { TableScroll } from '../../ui/TableScroll';
import { RelativeTime } from '../../ui/time';

const addressOf = (peer: PeerInfo): string => {
  const host = peer.addresses[0] ?? peer.host ?? 'unknown';
  return `${host.includes(':') ? `[${host}]` : host}:${peer.port}`;
};

export function PeersTable(): ReactNode {
  const peers = usePeers();
  const trust = useHubMutation((client, hubId: string) => client.trustPeer(hubId), [queryKeys.peers]);
  const remove = useHubMutation((client, hubId: string) => client.removePeer(hubId), [queryKeys.peers]);

  if (peers.isPending) return <Loading label="Looking for hubs…" />;
  if (peers.isError) return <ErrorMessage error={peers.error} retry={() => void peers.refetch()} />;
  if (peers.data.length === 0) {
    return (
      <EmptyState title="No other hubs found">
        Hubs on this network appear here by themselves while they run and are visible on the LAN.
      </EmptyState>
    );
  }
  const changed = peers.data.filter((peer) => peer.identity === 'changed');
  return (
    <>
      {changed.map((peer) => (
        <div key={peer.hubId} className="warning" role="alert">
          <p>
            <strong>Changed identity: “{peer.name}”.</strong> It now shows the key{' '}
            <span className="mono">{peer.fingerprintShort}</span>
            {peer.previousFingerprintShort && (
              <>
                {' '}
                but showed <span className="mono">{peer.previousFingerprintShort}</span> before
              </>
            )}
            . It may be another computer using the same name. Check the key with its owner before trusting it.
          </p>
          <button
            type="button"
            aria-label={`Trust the new key of ${peer.name}`}
            disabled={trust.isPending}
            onClick={() => trust.mutate(peer.hubId)}
          >
            Trust the new key
          </button>
        </div>
      ))}
      {(trust.isError || remove.isError) && <ErrorMessage error={trust.error ?? remove.error} />}
      <TableScroll label="Hubs on this network">
        <table>
          <thead>
            <tr>
              <th scope="col">Name</th>
              <th scope="col">Address</th>
              <th scope="col">Key</th>
              <th scope="col">Found</th>
              <th scope="col">Last seen</th>
              <th scope="col">
                <span className="visually-hidden">Actions</span>
              </th>
            </tr>
          </thead>
          <tbody>
            {peers.data.map((peer) => (
              <tr key={peer.hubId}>
                <th scope="row">
                  {peer.name}
                  {peer.identity === 'changed' && (
                    <span className="badge badge-danger">Changed identity</span>
                  )}
                  {peer.identity === 'new' && <span className="badge badge-muted">New</span>}
                </th>
                <td className="mono" title={peer.addresses.join(', ')}>
                  {addressOf(peer)}
                  {!peer.reachable && <span className="badge badge-warn">Unreachable</span>}
                </td>
                <td className="mono fingerprint">{peer.fingerprintShort}</td>
                <td>{peer.source === 'mdns' ? 'On this network' : 'Added by address'}</td>
                <td>
                  <RelativeTime ts={peer.lastSeen} />
                </td>
                <td className="row-actions">
                  {peer.source === 'manual' && (
                    <button
                      type="button"
                      aria-label={`Remove ${peer.name}`}
                      disabled={remove.isPending}
                      onClick={() => remove.mutate(peer.hubId)}
                    >
                      Remove
                    </button>
                  )}
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      </TableScroll>
    </>
  );
}
