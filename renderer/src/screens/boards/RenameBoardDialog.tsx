import { type FormEvent, type ReactNode, useId, useState } from 'react';
import type { BoardInfo } from '../../../../src/client/hub-client';
import { useHubMutation } from '../../hub/queries';
import { Dialog } from '../../ui/Dialog';
import { ErrorMessage } from '../../ui/status';

export function RenameBoardDialog({
  board,
  onClose,
}: {
  board: Pick<BoardInfo, 'id' | 'name'>;
  onClose(): void;
}): ReactNode {
  const id = useId();
  const [name, setName] = useState(board.name);
  const rename = useHubMutation(
    (client, newName: string) => client.renameBoard(board.id, newName),
    [['boards']],
  );
  const submit = (event: FormEvent): void => {
    event.preventDefault();
    const trimmed = name.trim();
    if (trimmed !== '') rename.mutate(trimmed, { onSuccess: onClose });
  };
  return (
    <Dialog title={`Rename “${board.name}”`} onClose={onClose}>
      <form onSubmit={submit}>
        <div className="dialog-body field">
          <label htmlFor={id}>Board name</label>
          <input
            id={id}
            value={name}
            maxLength={200}
            data-autofocus
            onChange={(event) => setName(event.currentTarget.value)}
          />
        </div>
        {rename.isError && <ErrorMessage error={rename.error} />}
        <div className="dialog-actions">
          <button type="button" onClick={onClose}>
            Cancel
          </button>
          <button type="submit" className="primary" disabled={rename.isPending || name.trim() === ''}>
            {rename.isPending ? 'Saving…' : 'Rename'}
          </button>
        </div>
      </form>
    </Dialog>
  );
}
