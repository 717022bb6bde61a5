import { type FormEvent, type ReactNode, useId, useState } from 'react';
import { type IssuedShareLink, SHARE_ROLES, type ShareRole } from '../../../../src/client/hub-client';
import { useHubMutation } from '../../hub/queries';
import { CopyField } from '../../ui/CopyField';
import { Dialog } from '../../ui/Dialog';
import { QrImage } from '../../ui/QrImage';
import { ErrorMessage } from '../../ui/status';
import { ROLE_DESCRIPTIONS, ROLE_LABELS, shareName } from './roles';

const HOUR = 3600_000;
const EXPIRY_CHOICES = [
  { value: 'never', label: 'Never', ttlMs: undefined },
  { value: '1h', label: 'In 1 hour', ttlMs: HOUR },
  { value: '1d', label: 'In 1 day', ttlMs: 24 * HOUR },
  { value: '7d', label: 'In 7 days', ttlMs: 7 * 24 * HOUR },
  { value: '30d', label: 'In 30 days', ttlMs: 30 * 24 * HOUR },
] as const;
type ExpiryChoice = (typeof EXPIRY_CHOICES)[number]['value'];

interface NewShareDialogProps {
  boardId: string;
  boardName: string;
  onClose(): void;
}

/** Issues a share link, then shows it once (the hub never stores the token) with a QR code. */
export function NewShareDialog({ boardId, boardName, onClose }: NewShareDialogProps): ReactNode {
  const create = useHubMutation(
    (client, input: { role: ShareRole; label: string; ttlMs: number | undefined }) =>
      client.createShare({ boardId, role: input.role, label: input.label || undefined, ttlMs: input.ttlMs }),
    [['shares', boardId]],
  );
  return (
    <Dialog title={create.data ? 'Share link ready' : `Share “${boardName}”`} onClose={onClose}>
      {create.data ? (
        <IssuedLink issued={create.data} onDone={onClose} />
      ) : (
        <ShareForm
          busy={create.isPending}
          error={create.isError ? create.error : null}
          onCancel={onClose}
          onSubmit={(input) => create.mutate(input)}
        />
      )}
    </Dialog>
  );
}

interface ShareFormProps {
  busy: boolean;
  error: unknown;
  onCancel(): void;
  onSubmit(input: { role: ShareRole; label: string; ttlMs: number | undefined }): void;
}

function ShareForm({ busy, error, onCancel, onSubmit }: ShareFormProps): ReactNode {
  const labelId = useId();
  const expiryId = useId();
  const [role, setRole] = useState<ShareRole>('edit');
  const [label, setLabel] = useState('');
  const [expiry, setExpiry] = useState<ExpiryChoice>('7d');

  const submit = (event: FormEvent): void => {
    event.preventDefault();
    const ttlMs = EXPIRY_CHOICES.find((choice) => choice.value === expiry)?.ttlMs;
    onSubmit({ role, label: label.trim(), ttlMs });
  };

  return (
    <form onSubmit={submit}>
      <div className="dialog-body">
        <fieldset className="role-choices">
          <legend>Role</legend>
          {SHARE_ROLES.map((choice) => (
            <label key={choice} className="role-choice">
              <input
                type="radio"
                name="role"
                value={choice}
                checked={role === choice}
                data-autofocus={role === choice ? true : undefined}
                onChange={() => setRole(choice)}
              />
              <span>
                <strong>{ROLE_LABELS[choice]}</strong> — {ROLE_DESCRIPTIONS[choice]}
              </span>
            </label>
          ))}
        </fieldset>
        <div className="field">
          <label htmlFor={labelId}>Label</label>
          <input
            id={labelId}
            value={label}
            maxLength={200}
            placeholder="Who it is for, e.g. Ana or Group B"
            onChange={(event) => setLabel(event.currentTarget.value)}
          />
        </div>
        <div className="field">
          <label htmlFor={expiryId}>Expires</label>
          <select
            id={expiryId}
            value={expiry}
            onChange={(event) => setExpiry(event.currentTarget.value as ExpiryChoice)}
          >
            {EXPIRY_CHOICES.map((choice) => (
              <option key={choice.value} value={choice.value}>
                {choice.label}
              </option>
            ))}
          </select>
        </div>
      </div>
      {error !== null && <ErrorMessage error={error} />}
      <div className="dialog-actions">
        <button type="button" onClick={onCancel}>
          Cancel
        </button>
        <button type="submit" className="primary" disabled={busy}>
          {busy ? 'Creating…' : 'Create link'}
        </button>
      </div>
    </form>
  );
}

function IssuedLink({ issued, onDone }: { issued: IssuedShareLink; onDone(): void }): ReactNode {
  const name = shareName(issued.share.label);
  return (
    <>
      <div className="dialog-body issued-link">
        <p>
          <strong>{name}</strong> {ROLE_DESCRIPTIONS[issued.share.role]}. This link is shown only once: copy
          it or scan the code now.
        </p>
        <CopyField label="Share link" value={issued.url} focusOnMount />
        <QrImage url={issued.url} label={`QR code of the share link for ${name}`} />
        {issued.alternativeUrls.map((url) => (
          <CopyField key={url} label="Same link by the hub’s name (if the address changes)" value={url} />
        ))}
      </div>
      <div className="dialog-actions">
        <button type="button" className="primary" onClick={onDone}>
          Done
        </button>
      </div>
    </>
  );
}
