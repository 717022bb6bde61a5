/**
 * @module presence
 * Awareness states of a board (skeleton; filled in next).
 */

export type BoardRole = 'view' | 'comment' | 'edit';

export interface PresenceUser {
  id: string;
  name: string;
  color: string;
  role: BoardRole;
}

export interface PresencePointer {
  x: number;
  y: number;
  tool: 'pointer' | 'laser';
}

export interface PresenceViewport {
  scrollX: number;
  scrollY: number;
  zoom: number;
  width: number;
  height: number;
}

export interface PresenceState {
  user: PresenceUser;
  pointer?: PresencePointer;
  button?: 'up' | 'down';
  selectedElementIds?: Record<string, true>;
  viewport?: PresenceViewport;
}

/** Structurally Excalidraw 0.18.1's `Collaborator` (the fields the board fills in). */
export interface BoardCollaborator {
  id: string;
  username: string;
  color: { background: string; stroke: string };
  pointer?: PresencePointer;
  button?: 'up' | 'down';
  selectedElementIds?: Record<string, true>;
}

export function normalisePresence(_state: unknown): PresenceState | null {
  return null;
}

export function colorForUser(_userId: string): { background: string; stroke: string } {
  return { background: '#a5d8ff', stroke: '#1971c2' };
}

export function collaboratorsFrom(
  _states: ReadonlyMap<number, unknown>,
  _localClientId: number,
): Map<string, BoardCollaborator> {
  return new Map();
}
