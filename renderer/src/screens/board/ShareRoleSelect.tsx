import { type ReactNode, useId } from 'react';
import { SHARE_ROLES, type ShareInfo, type ShareRole } from '../../../../src/client/hub-client';
import { useHubMutation } from '../../hub/queries';
import { ErrorMessage } from '../../ui/status';
import { ROLE_LABELS, shareName } from './roles';

/** Changes a link's role; people connected with it switch at once. */
export function ShareRoleSelect({ share, disabled }: { share: ShareInfo; disabled: boolean }): ReactNode {
  const id = useId();
  const setRole = useHubMutation(
    (client, role: ShareRole) => client.setShareRole(share.id, role),
    [
      ['shares', share.boardId],
      ['connections', share.boardId],
    ],
  );
  return (
    <>
      <label htmlFor={id} className="visually-hidden">
        Role for {shareName(share.label)}
      </label>
      <select
        id={id}
        value={setRole.isPending ? setRole.variables : share.role}
        disabled={disabled || setRole.isPending}
        onChange={(event) => setRole.mutate(event.currentTarget.value as ShareRole)}
      >
        {SHARE_ROLES.map((role) => (
          <option key={role} value={role}>
            {ROLE_LABELS[role]}
          </option>
        ))}
      </select>
      {setRole.isError && <ErrorMessage error={setRole.error} />}
    </>
  );
}
