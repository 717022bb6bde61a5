import type { ReactNode } from 'react';
import type { ShareInfo } from '../../../../src/client/hub-client';
import { useHubMutation } from '../../hub/queries';
import { ConfirmDialog } from '../../ui/Dialog';
import { ErrorMessage } from '../../ui/status';
import { shareName } from './roles';

export function RevokeShareDialog({ share, onClose }: { share: ShareInfo; onClose(): void }): ReactNode {
  const revoke = useHubMutation(
    (client) => client.revokeShare(share.id),
    [
      ['shares', share.boardId],
      ['connections', share.boardId],
    ],
  );
  return (
    <ConfirmDialog
      title={`Revoke “${shareName(share.label)}”?`}
      confirmLabel="Revoke link"
      busy={revoke.isPending}
      error={revoke.isError ? <ErrorMessage error={revoke.error} /> : undefined}
      onCancel={onClose}
      onConfirm={() => revoke.mutate(undefined, { onSuccess: onClose })}
    >
      <p>
        Everyone connected with this link is disconnected now, and the link stops working for good. To let
        them back in, make a new link.
      </p>
    </ConfirmDialog>
  );
}
