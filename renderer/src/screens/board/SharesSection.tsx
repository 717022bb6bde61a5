import { type ReactNode, useContext, useState } from 'react';
import type { ShareInfo } from '../../../../src/client/hub-client';
import { useShares } from '../../hub/queries';
import { EmptyState, ErrorMessage, Loading } from '../../ui/status';
import { TableScroll } from '../../ui/TableScroll';
import { NowContext, RelativeTime } from '../../ui/time';
import { NewShareDialog } from './NewShareDialog';
import { RevokeShareDialog } from './RevokeShareDialog';
import { shareName } from './roles';
import { ShareRoleSelect } from './ShareRoleSelect';

type ShareStatus = 'active' | 'revoked' | 'expired';

const statusOf = (share: ShareInfo, now: number): ShareStatus =>
  share.revokedAt !== null
    ? 'revoked'
    : share.expiresAt !== null && share.expiresAt <= now
      ? 'expired'
      : 'active';

/** Active links first, newest first. */
const byRelevance = (now: number) => (a: ShareInfo, b: ShareInfo) =>
  Number(statusOf(b, now) === 'active') - Number(statusOf(a, now) === 'active') || b.createdAt - a.createdAt;

export function SharesSection({ boardId, boardName }: { boardId: string; boardName: string }): ReactNode {
  const shares = useShares(boardId);
  const now = useContext(NowContext);
  const [creating, setCreating] = useState(false);
  const [revoking, setRevoking] = useState<ShareInfo | null>(null);

  return (
    <section className="panel" aria-labelledby="shares-title">
      <header className="panel-header">
        <h2 id="shares-title">Share links</h2>
        <button type="button" className="primary" onClick={() => setCreating(true)}>
          New share link
        </button>
      </header>
      {shares.isPending ? (
        <Loading label="Loading share links…" />
      ) : shares.isError ? (
        <ErrorMessage error={shares.error} retry={() => void shares.refetch()} />
      ) : shares.data.length === 0 ? (
        <EmptyState title="No share links yet">
          A share link lets one person or group in, with a role: view, comment or edit.
        </EmptyState>
      ) : (
        <TableScroll label="Share links">
          <table>
            <thead>
              <tr>
                <th scope="col">Label</th>
                <th scope="col">Role</th>
                <th scope="col">Created</th>
                <th scope="col">Expires</th>
                <th scope="col">Status</th>
                <th scope="col">
                  <span className="visually-hidden">Actions</span>
                </th>
              </tr>
            </thead>
            <tbody>
              {[...shares.data].sort(byRelevance(now)).map((share) => {
                const status = statusOf(share, now);
                return (
                  <tr key={share.id} className={status === 'active' ? undefined : 'is-inactive'}>
                    <th scope="row">{shareName(share.label)}</th>
                    <td>
                      <ShareRoleSelect share={share} disabled={status !== 'active'} />
                    </td>
                    <td>
                      <RelativeTime ts={share.createdAt} />
                    </td>
                    <td>{share.expiresAt === null ? 'Never' : <RelativeTime ts={share.expiresAt} />}</td>
                    <td>
                      {status === 'revoked' && share.revokedAt !== null ? (
                        <span className="badge badge-muted">
                          Revoked <RelativeTime ts={share.revokedAt} />
                        </span>
                      ) : status === 'expired' ? (
                        <span className="badge badge-muted">Expired</span>
                      ) : (
                        <span className="badge badge-ok">Active</span>
                      )}
                    </td>
                    <td className="row-actions">
                      {status === 'active' && (
                        <button
                          type="button"
                          className="danger"
                          aria-label={`Revoke ${shareName(share.label)}`}
                          onClick={() => setRevoking(share)}
                        >
                          Revoke
                        </button>
                      )}
                    </td>
                  </tr>
                );
              })}
            </tbody>
          </table>
        </TableScroll>
      )}
      {creating && (
        <NewShareDialog boardId={boardId} boardName={boardName} onClose={() => setCreating(false)} />
      )}
      {revoking && <RevokeShareDialog share={revoking} onClose={() => setRevoking(null)} />}
    </section>
  );
}
