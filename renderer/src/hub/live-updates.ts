import type { QueryClient } from '@tanstack/react-query';
import { useEffect, useState } from 'react';
import type { HubChange, HubClient, HubTopic } from '../../../src/client/hub-client';
import { ALSO_STALE } from './query-keys';

export type LiveState = 'connecting' | 'live' | 'reconnecting';

/** Topics whose queries are kept per board, so a change to one board refetches only that board's. */
const PER_BOARD: ReadonlySet<HubTopic> = new Set(['connections', 'shares']);

function staleKeys(change: HubChange): Array<readonly unknown[]> {
  const own: readonly unknown[] =
    change.boardId !== undefined && PER_BOARD.has(change.topic)
      ? [change.topic, change.boardId]
      : [change.topic];
  return [own, ...ALSO_STALE[change.topic].map((topic) => [topic])];
}

/**
 * Subscribes once to the hub's live changes and marks the matching queries stale, so what is on
 * screen refetches by itself (only the queries someone is looking at refetch at once). After an
 * interrupted stream ('resync') nothing is known to be fresh: everything refetches.
 */
export function useLiveUpdates(client: HubClient, queryClient: QueryClient): LiveState {
  const [state, setState] = useState<LiveState>('connecting');
  useEffect(() => {
    setState('connecting');
    return client.subscribe((event) => {
      if (event.type === 'connection') {
        setState(event.state);
        return;
      }
      // Whatever arrives proves the stream is flowing.
      setState('live');
      if (event.type === 'resync') {
        void queryClient.invalidateQueries();
      } else {
        for (const change of event.changes) {
          for (const queryKey of staleKeys(change)) void queryClient.invalidateQueries({ queryKey });
        }
      }
    });
  }, [client, queryClient]);
  return state;
}
