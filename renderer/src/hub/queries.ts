import { type QueryKey, useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import type { HubClient } from '../../../src/client/hub-client';
import { useHubClient } from './client-context';
import { queryKeys } from './query-keys';

/** Reads, cached and refetched on live changes (see live-updates.ts). */
export function useOverview() {
  const client = useHubClient();
  return useQuery({ queryKey: queryKeys.overview, queryFn: () => client.overview() });
}

export function useBoards(trash: boolean) {
  const client = useHubClient();
  return useQuery({ queryKey: queryKeys.boards(trash), queryFn: () => client.listBoards({ trash }) });
}

export function useBoard(boardId: string) {
  const client = useHubClient();
  return useQuery({ queryKey: queryKeys.board(boardId), queryFn: () => client.getBoard(boardId) });
}

export function useConnections(boardId: string) {
  const client = useHubClient();
  return useQuery({
    queryKey: queryKeys.connections(boardId),
    queryFn: () => client.listConnections(boardId),
  });
}

export function useShares(boardId: string) {
  const client = useHubClient();
  return useQuery({ queryKey: queryKeys.shares(boardId), queryFn: () => client.listShares(boardId) });
}

export function usePeers() {
  const client = useHubClient();
  return useQuery({ queryKey: queryKeys.peers, queryFn: () => client.listPeers() });
}

export function useSettings() {
  const client = useHubClient();
  return useQuery({ queryKey: queryKeys.settings, queryFn: () => client.getSettings() });
}

/** How often the open audit screen re-checks the chain (a walk re-hashes every row). */
const CHAIN_RECHECK_MS = 30_000;

export function useAuditChain() {
  const client = useHubClient();
  return useQuery({
    queryKey: queryKeys.auditChain,
    queryFn: () => client.verifyAudit(),
    refetchInterval: CHAIN_RECHECK_MS,
  });
}

/**
 * A change through the hub client. On success the named topics refetch at once, without waiting
 * for the live event that will follow (the refetch is cheap and the screen reacts immediately).
 */
export function useHubMutation<Input, Output>(
  run: (client: HubClient, input: Input) => Promise<Output>,
  stale: readonly QueryKey[],
) {
  const client = useHubClient();
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: (input: Input) => run(client, input),
    onSuccess: async () => {
      await Promise.all(stale.map((queryKey) => queryClient.invalidateQueries({ queryKey })));
    },
  });
}
