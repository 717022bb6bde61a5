import { useMemo } from 'react';
import { useBoards } from '../../hub/queries';

/** Names of every board, in the trash too, for showing ids as names. */
export function useBoardNames(): Map<string, string> {
  const active = useBoards(false);
  const trash = useBoards(true);
  return useMemo(() => {
    const names = new Map<string, string>();
    for (const board of [...(active.data ?? []), ...(trash.data ?? [])]) names.set(board.id, board.name);
    return names;
  }, [active.data, trash.data]);
}
