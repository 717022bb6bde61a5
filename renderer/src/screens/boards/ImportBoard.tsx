import { type ChangeEvent, type ReactNode, useId } from 'react';
import { Link } from 'react-router';
import { useHubMutation } from '../../hub/queries';
import { ErrorMessage } from '../../ui/status';

/** Creates a board from a file that Export (or `boardhub board export`) wrote. */
export function ImportBoard(): ReactNode {
  const id = useId();
  const importBoard = useHubMutation(
    async (client, file: File) =>
      client.importBoard({
        bytes: new Uint8Array(await file.arrayBuffer()),
        name: file.name.replace(/\.yjs$/i, '') || undefined,
      }),
    [['boards']],
  );

  const onFile = (event: ChangeEvent<HTMLInputElement>): void => {
    const file = event.currentTarget.files?.[0];
    // Clear the input so choosing the same file again imports it again.
    event.currentTarget.value = '';
    if (file) importBoard.mutate(file);
  };

  return (
    <div className="import-board">
      <label htmlFor={id} className="file-button">
        Import a board file (.yjs)
      </label>
      <input
        id={id}
        className="visually-hidden-file"
        type="file"
        accept=".yjs,application/octet-stream"
        onChange={onFile}
      />
      <p className="hint" role="status">
        {importBoard.isPending && 'Importing…'}
        {importBoard.isSuccess && (
          <>
            Imported as{' '}
            <Link to={`/boards/${encodeURIComponent(importBoard.data.id)}`}>{importBoard.data.name}</Link>.
          </>
        )}
      </p>
      {importBoard.isError && <ErrorMessage error={importBoard.error} />}
    </div>
  );
}
