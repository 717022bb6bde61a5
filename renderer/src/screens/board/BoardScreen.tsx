import { type ReactNode, useState } from 'react';
import { Link, useParams } from 'react-router';
import { errorCode } from '../../hub/errors';
import { useBoard, useHubMutation } from '../../hub/queries';
import { EmptyState, ErrorMessage, Loading } from '../../ui/status';
import { RelativeTime } from '../../ui/time';
import { lastActivity } from '../boards/BoardsTable';
import { downloadBoard } from '../boards/board-file';
import { openBoardPage } from '../boards/open-board';
import { RenameBoardDialog } from '../boards/RenameBoardDialog';
import { ConnectionsSection } from './ConnectionsSection';
import { SharesSection } from './SharesSection';

/** One board: who is on it now, and the links that let them in. */
export function BoardScreen(): ReactNode {
  const { boardId = '' } = useParams();
  const board = useBoard(boardId);
  if (board.isPending) return <Loading label="Loading the board…" />;
  if (board.isError) {
    return (
      <section className="screen">
        <p>
          <Link to="/boards">← All boards</Link>
        </p>
        {errorCode(board.error) === 'BOARD_NOT_FOUND' ? (
          <EmptyState title="This board does not exist">It may have been deleted from the trash.</EmptyState>
        ) : (
          <ErrorMessage error={board.error} retry={() => void board.refetch()} />
        )}
      </section>
    );
  }
  const info = board.data;
  return (
    <section className="screen" aria-labelledby="board-title">
      <p className="breadcrumb">
        <Link to="/boards">← All boards</Link>
      </p>
      <header className="screen-header">
        <h1 id="board-title">{info.name}</h1>
        <p className="screen-lead">
          <span className="mono">{info.id}</span> · last activity <RelativeTime ts={lastActivity(info)} />
        </p>
        <BoardActions boardId={info.id} name={info.name} inTrash={info.deletedAt !== null} />
      </header>
      {info.deletedAt !== null && (
        <p className="notice" role="status">
          This board is in the trash: nobody can connect to it. Restore it to use it again.
        </p>
      )}
      <ConnectionsSection boardId={info.id} />
      <SharesSection boardId={info.id} boardName={info.name} />
    </section>
  );
}

function BoardActions(props: { boardId: string; name: string; inTrash: boolean }): ReactNode {
  const { boardId, name, inTrash } = props;
  const [renaming, setRenaming] = useState(false);
  const stale = [['boards'], ['connections', boardId]];
  const exportBoard = useHubMutation((client) => downloadBoard(client, boardId), []);
  const trash = useHubMutation((client) => client.deleteBoard(boardId), stale);
  const restore = useHubMutation((client) => client.restoreBoard(boardId), stale);
  const open = useHubMutation((client) => openBoardPage(client, boardId), []);
  const failed = exportBoard.error ?? trash.error ?? restore.error ?? open.error;
  return (
    <div className="header-actions">
      {!inTrash && (
        <button
          type="button"
          className="primary"
          disabled={open.isPending}
          onClick={() => open.mutate(undefined)}
        >
          Open board
        </button>
      )}
      <button type="button" onClick={() => setRenaming(true)}>
        Rename
      </button>
      <button type="button" disabled={exportBoard.isPending} onClick={() => exportBoard.mutate(undefined)}>
        Export
      </button>
      {inTrash ? (
        <button type="button" disabled={restore.isPending} onClick={() => restore.mutate(undefined)}>
          Restore
        </button>
      ) : (
        <button type="button" disabled={trash.isPending} onClick={() => trash.mutate(undefined)}>
          Move to trash
        </button>
      )}
      <Link className="button-link" to={`/audit?board=${encodeURIComponent(boardId)}`}>
        Audit log for this board
      </Link>
      {failed && <ErrorMessage error={failed} />}
      {renaming && <RenameBoardDialog board={{ id: boardId, name }} onClose={() => setRenaming(false)} />}
    </div>
  );
}
