import { useMutation } from '@tanstack/react-query';
import { type ReactNode, useState } from 'react';
import { useSession } from '../../session/session';
import { CopyField } from '../../ui/CopyField';
import { ConfirmDialog, Dialog } from '../../ui/Dialog';
import { ErrorMessage } from '../../ui/status';

/** Replaces every admin token with a new one, shown once. This tab carries on with the new one. */
export function AdminTokenReset(): ReactNode {
  const session = useSession();
  const [confirming, setConfirming] = useState(false);
  const reset = useMutation({ mutationFn: () => session.resetAdminToken() });
  return (
    <section className="panel" aria-labelledby="token-title">
      <h2 id="token-title">Admin token</h2>
      <p className="hint">
        The admin token lets a browser manage this hub. Reset it if it may have leaked: every earlier token
        stops working at once.
      </p>
      <button type="button" className="danger" onClick={() => setConfirming(true)}>
        Reset admin token
      </button>
      {confirming && (
        <ConfirmDialog
          title="Reset the admin token?"
          confirmLabel="Reset token"
          busy={reset.isPending}
          error={reset.isError ? <ErrorMessage error={reset.error} /> : undefined}
          onCancel={() => setConfirming(false)}
          onConfirm={() => reset.mutate(undefined, { onSuccess: () => setConfirming(false) })}
        >
          <p>
            Other browsers signed in to this hub are signed out. This tab stays signed in with the new token.
          </p>
        </ConfirmDialog>
      )}
      {reset.data && (
        <Dialog title="New admin token" onClose={() => reset.reset()}>
          <div className="dialog-body">
            <p>Copy it now: it is shown only once. Keep it somewhere safe, like a password.</p>
            <CopyField label="Admin token" value={reset.data} focusOnMount />
          </div>
          <div className="dialog-actions">
            <button type="button" className="primary" onClick={() => reset.reset()}>
              Done
            </button>
          </div>
        </Dialog>
      )}
    </section>
  );
}
