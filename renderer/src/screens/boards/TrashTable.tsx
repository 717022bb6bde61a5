import { type ReactNode, useState } from 'react';
import type { BoardListItem } from '../../../../src/client/hub-client';
import { useBoards, useHubMutation } from '../../hub/queries';
import { ConfirmDialog } from '../../ui/Dialog';
import { EmptyState, ErrorMessage, Loading } from '../../ui/status';
import { TableScroll } from '../../ui/TableScroll';
import { RelativeTime } from '../../ui/time';

/** Boards in the trash: restorable for 30 days, then purged by the hub. */
export function TrashTable(): ReactNode {
  const boards = useBoards(true);
  const [purging, setPurging] = useState<BoardListItem | null>(null);
  const restore = useHubMutation((client, boardId: string) => client.restoreBoard(boardId), [['boards']]);
  const purge = useHubMutation((client, boardId: string) => client.purgeBoard(boardId), [['boards']]);

  if (boards.isPending) return <Loading label="Loading the trash…" />;
  if (boards.isError) return <ErrorMessage error={boards.error} retry={() => void boards.refetch()} />;
  if (boards.data.length === 0) {
    return (
      <EmptyState title="The trash is empty">Boards moved to the trash stay here for 30 days.</EmptyState>
    );
  }
  return (
    <>
      {restore.isError && <ErrorMessage error={restore.error} />}
      <TableScroll label="Boards in the trash">
        <table>
          <thead>
            <tr>
              <th scope="col">Name</th>
              <th scope="col">Moved to the trash</th>
              <th scope="col">
                <span className="visually-hidden">Actions</span>
              </th>
            </tr>
          </thead>
          <tbody>
            {boards.data.map((board) => (
              <tr key={board.id}>
                <th scope="row">{board.name}</th>
                <td>{board.deletedAt === null ? '—' : <RelativeTime ts={board.deletedAt} />}</td>
                <td className="row-actions">
                  <button
                    type="button"
                    aria-label={`Restore ${board.name}`}
                    disabled={restore.isPending}
                    onClick={() => restore.mutate(board.id)}
                  >
                    Restore
                  </button>
                  <button
                    type="button"
                    className="danger"
                    aria-label={`Delete ${board.name} forever`}
                    onClick={() => setPurging(board)}
                  >
                    Delete forever
                  </button>
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      </TableScroll>
      {purging && (
        <ConfirmDialog
          title={`Delete “${purging.name}” forever?`}
          confirmLabel="Delete forever"
          busy={purge.isPending}
          error={purge.isError ? <ErrorMessage error={purge.error} /> : undefined}
          onCancel={() => {
            purge.reset();
            setPurging(null);
          }}
          onConfirm={() => purge.mutate(purging.id, { onSuccess: () => setPurging(null) })}
        >
          <p>The board and everything on it are removed from this hub. This cannot be undone.</p>
        </ConfirmDialog>
      )}
    </>
  );
}
