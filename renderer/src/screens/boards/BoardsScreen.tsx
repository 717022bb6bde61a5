import { type ReactNode, useState } from 'react';
import { BoardsTable } from './BoardsTable';
import { ImportBoard } from './ImportBoard';
import { NewBoardForm } from './NewBoardForm';
import { TrashTable } from './TrashTable';

type View = 'active' | 'trash';

/** Every board on this hub, live connection counts included, and the trash. */
export function BoardsScreen(): ReactNode {
  const [view, setView] = useState<View>('active');
  return (
    <section className="screen" aria-labelledby="boards-title">
      <header className="screen-header">
        <h1 id="boards-title">Boards</h1>
        <p className="screen-lead">
          Each board is one shared canvas. Open one to share it and see who is on it.
        </p>
      </header>
      <div className="toolbar">
        <NewBoardForm />
        <ImportBoard />
      </div>
      <fieldset className="segmented">
        <legend className="visually-hidden">Which boards</legend>
        <button type="button" aria-pressed={view === 'active'} onClick={() => setView('active')}>
          Boards
        </button>
        <button type="button" aria-pressed={view === 'trash'} onClick={() => setView('trash')}>
          Trash
        </button>
      </fieldset>
      {view === 'active' ? <BoardsTable /> : <TrashTable />}
    </section>
  );
}
