import type { AuditFilterInput, HubTopic } from '../../../src/client/hub-client';

/**
 * Every cached query's key, in one place, so a live change can find what it made stale.
 * Keys start with their topic; a key's second element is the board it concerns, if any.
 */
export const queryKeys = {
  overview: ['status', 'overview'] as const,
  boards: (trash: boolean) => ['boards', 'list', trash] as const,
  board: (boardId: string) => ['boards', boardId] as const,
  connections: (boardId: string) => ['connections', boardId] as const,
  shares: (boardId: string) => ['shares', boardId] as const,
  peers: ['peers'] as const,
  settings: ['settings'] as const,
  audit: (filter: AuditFilterInput) => ['audit', 'rows', filter] as const,
  /**
   * Not under the 'audit' topic: every connect and disconnect is an audit change, and re-hashing
   * the whole log for each would keep the hub busy while this screen is open (see useAuditChain).
   */
  auditChain: ['audit-chain'] as const,
};

/** What else shows data about a topic: a new connection changes board counts and the status bar. */
export const ALSO_STALE: Record<HubTopic, readonly HubTopic[]> = {
  boards: ['status'],
  connections: ['boards', 'status'],
  shares: [],
  audit: [],
  peers: [],
  settings: ['status'],
  status: [],
};
