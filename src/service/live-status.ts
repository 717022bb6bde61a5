import type { Role } from '../auth/roles.js';

/**
 * What only a running hub knows (who is connected right now). The CLI works on the data folder
 * without it; the hub provides it to HubService, and learns from HubService when access changed.
 */
export interface LiveConnection {
  id: number;
  boardId: string;
  shareId: string;
  label: string;
  role: Role;
  ip: string | null;
  userAgent: string | null;
  connectedAt: number;
}

export interface LiveStatus {
  connections(): LiveConnection[];
  roomsLoaded(): number;
  startedAt: number;
}

export type AccessChange =
  | { kind: 'share'; shareId: string }
  | { kind: 'board'; boardId: string }
  | { kind: 'keys' };
