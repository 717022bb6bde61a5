import { type ReactNode, useState } from 'react';
import { Link } from 'react-router';
import type { BoardListItem } from '../../../../src/client/hub-client';
import { useBoards, useHubMutation } from '../../hub/queries';
import { formatBytes } from '../../ui/format';
import { EmptyState, ErrorMessage, Loading } from '../../ui/status';
import { TableScroll } from '../../ui/TableScroll';
import { RelativeTime } from '../../ui/time';
import { downloadBoard } from './board-file';
import { openBoardPage } from './open-board';
import { RenameBoardDialog } from './RenameBoardDialog';

export const lastActivity = (board: BoardListItem): number =>
  Math.max(board.lastEditAt, board.updatedAt, board.createdAt);

export const boardPath = (boardId: string): string => `/boards/${encodeURIComponent(boardId)}`;

export function BoardsTable(): ReactNode {
  const boards = useBoards(false);
  const [renaming, setRenaming] = useState<BoardListItem | null>(null);
  const exportBoard = useHubMutation((client, boardId: string) => downloadBoard(client, boardId), []);
  const trash = useHubMutation((client, boardId: string) => client.deleteBoard(boardId), [['boards']]);
  const open = useHubMutation((client, boardId: string) => openBoardPage(client, boardId), []);

  if (boards.isPending) return <Loading label="Loading boards…" />;
  if (boards.isError) return <ErrorMessage error={boards.error} retry={() => void boards.refetch()} />;
  if (boards.data.length === 0) {
    return (
      <EmptyState title="No boards yet">
        Create one above, or import a board file exported from another hub.
      </EmptyState>
    );
  }
  const sorted = [...boards.data].sort((a, b) => lastActivity(b) - lastActivity(a));
  return (
    <>
      {(exportBoard.isError || trash.isError || open.isError) && (
        <ErrorMessage error={exportBoard.error ?? trash.error ?? open.error} />
      )}
      <TableScroll label="All boards">
        <table>
          <thead>
            <tr>
              <th scope="col">Name</th>
              <th scope="col">Connected now</th>
              <th scope="col">Last activity</th>
              <th scope="col">Size</th>
              <th scope="col">
                <span className="visually-hidden">Actions</span>
              </th>
            </tr>
          </thead>
          <tbody>
            {sorted.map((board) => (
              <tr key={board.id}>
                <th scope="row">
                  <Link to={boardPath(board.id)}>{board.name}</Link>
                </th>
                <td>
                  <span className={board.connections > 0 ? 'count is-live' : 'count'}>
                    {board.connections}
                  </span>
                </td>
                <td>
                  <RelativeTime ts={lastActivity(board)} />
                </td>
                <td>{formatBytes(board.sizeBytes)}</td>
                <td className="row-actions">
                  <button
                    type="button"
                    aria-label={`Open ${board.name}`}
                    disabled={open.isPending}
                    onClick={() => open.mutate(board.id)}
                  >
                    Open board
                  </button>
                  <button
                    type="button"
                    aria-label={`Rename ${board.name}`}
                    onClick={() => setRenaming(board)}
                  >
                    Rename
                  </button>
                  <button
                    type="button"
                    aria-label={`Export ${board.name}`}
                    disabled={exportBoard.isPending}
                    onClick={() => exportBoard.mutate(board.id)}
                  >
                    Export
                  </button>
                  <button
                    type="button"
                    aria-label={`Move ${board.name} to the trash`}
                    disabled={trash.isPending}
                    onClick={() => trash.mutate(board.id)}
                  >
                    Move to trash
                  </button>
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      </TableScroll>
      {renaming && <RenameBoardDialog board={renaming} onClose={() => setRenaming(null)} />}
    </>
  );
}
