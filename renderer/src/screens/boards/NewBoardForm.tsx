import { type FormEvent, type ReactNode, useId, useState } from 'react';
import { useNavigate } from 'react-router';
import { useHubMutation } from '../../hub/queries';
import { ErrorMessage } from '../../ui/status';

/** Creates a board and opens it, where it can be shared right away. */
export function NewBoardForm(): ReactNode {
  const id = useId();
  const navigate = useNavigate();
  const [name, setName] = useState('');
  const create = useHubMutation((client, boardName: string) => client.createBoard(boardName), [['boards']]);

  const submit = (event: FormEvent): void => {
    event.preventDefault();
    const trimmed = name.trim();
    if (trimmed === '') return;
    create.mutate(trimmed, {
      onSuccess: (board) => {
        setName('');
        void navigate(`/boards/${encodeURIComponent(board.id)}`);
      },
    });
  };

  return (
    <form className="inline-form" onSubmit={submit}>
      <label htmlFor={id}>New board name</label>
      <div className="form-row">
        <input
          id={id}
          value={name}
          maxLength={200}
          placeholder="e.g. Retro, Friday"
          onChange={(event) => setName(event.currentTarget.value)}
        />
        <button type="submit" className="primary" disabled={create.isPending || name.trim() === ''}>
          {create.isPending ? 'Creating…' : 'Create board'}
        </button>
      </div>
      {create.isError && <ErrorMessage error={create.error} />}
    </form>
  );
}
