/**
 * @module presence
 * Awareness states on a board: what each client publishes (PresenceState) and how the page turns the
 * states of others into Excalidraw `collaborators`. Awareness comes from any client that holds a link,
 * so every remote state is untrusted: strings are bounded, numbers finite, unknown fields dropped, and
 * a state without a usable user is ignored rather than shown half-drawn.
 */

import type { SocketId } from '@excalidraw/excalidraw/types';

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

/** The fields of Excalidraw 0.18.1's `Collaborator` the board fills in (assignable to it). */
export interface BoardCollaborator {
  id: string;
  username: string;
  color: { background: string; stroke: string };
  pointer?: PresencePointer;
  button?: 'up' | 'down';
  selectedElementIds?: Record<string, true>;
}

export const PRESENCE_LIMITS = {
  idLength: 64,
  nameLength: 40,
  colorLength: 32,
  selectedElements: 1000,
  elementIdLength: 64,
} as const;

const ROLES: readonly BoardRole[] = ['view', 'comment', 'edit'];

type Fields = Record<string, unknown>;

function fieldsOf(value: unknown): Fields | null {
  return typeof value === 'object' && value !== null && !Array.isArray(value) ? (value as Fields) : null;
}

/** A trimmed string without control characters, cut to `max` characters; null if nothing is left. */
function boundedString(value: unknown, max: number): string | null {
  if (typeof value !== 'string') return null;
  // biome-ignore lint/suspicious/noControlCharactersInRegex: stripping control characters is the point
  const cleaned = value.replace(/[\u0000-\u001f\u007f]/g, '').trim();
  return cleaned.length === 0 ? null : Array.from(cleaned).slice(0, max).join('');
}

function finite(value: unknown): number | null {
  return typeof value === 'number' && Number.isFinite(value) ? value : null;
}

function normaliseUser(value: unknown): PresenceUser | null {
  const fields = fieldsOf(value);
  if (fields === null) return null;
  const id = boundedString(fields.id, PRESENCE_LIMITS.idLength);
  if (id === null) return null;
  const role = ROLES.includes(fields.role as BoardRole) ? (fields.role as BoardRole) : 'view';
  const color = boundedString(fields.color, PRESENCE_LIMITS.colorLength);
  return {
    id,
    name: boundedString(fields.name, PRESENCE_LIMITS.nameLength) ?? 'Guest',
    color: color !== null && /^#[0-9a-fA-F]{6}$/.test(color) ? color : colorForUser(id).stroke,
    role,
  };
}

function normalisePointer(value: unknown): PresencePointer | undefined {
  const fields = fieldsOf(value);
  if (fields === null) return undefined;
  const x = finite(fields.x);
  const y = finite(fields.y);
  if (x === null || y === null) return undefined;
  return { x, y, tool: fields.tool === 'laser' ? 'laser' : 'pointer' };
}

function normaliseSelection(value: unknown): Record<string, true> | undefined {
  const fields = fieldsOf(value);
  if (fields === null) return undefined;
  const selection: Record<string, true> = {};
  let count = 0;
  for (const [id, selected] of Object.entries(fields)) {
    if (count >= PRESENCE_LIMITS.selectedElements) break;
    if (selected !== true || id.length === 0 || id.length > PRESENCE_LIMITS.elementIdLength) continue;
    selection[id] = true;
    count++;
  }
  return selection;
}

function normaliseViewport(value: unknown): PresenceViewport | undefined {
  const fields = fieldsOf(value);
  if (fields === null) return undefined;
  const scrollX = finite(fields.scrollX);
  const scrollY = finite(fields.scrollY);
  const zoom = finite(fields.zoom);
  const width = finite(fields.width);
  const height = finite(fields.height);
  if (scrollX === null || scrollY === null || zoom === null || width === null || height === null)
    return undefined;
  if (zoom <= 0 || width < 0 || height < 0) return undefined;
  return { scrollX, scrollY, zoom, width, height };
}

/** A remote awareness state as the board may use it, or null when it carries no usable user. */
export function normalisePresence(state: unknown): PresenceState | null {
  const fields = fieldsOf(state);
  if (fields === null) return null;
  const user = normaliseUser(fields.user);
  if (user === null) return null;
  const presence: PresenceState = { user };
  const pointer = normalisePointer(fields.pointer);
  if (pointer !== undefined) presence.pointer = pointer;
  if (fields.button === 'up' || fields.button === 'down') presence.button = fields.button;
  const selection = normaliseSelection(fields.selectedElementIds);
  if (selection !== undefined) presence.selectedElementIds = selection;
  const viewport = normaliseViewport(fields.viewport);
  if (viewport !== undefined) presence.viewport = viewport;
  return presence;
}

/** Cursor colours readable on light and dark canvases (Excalidraw's palette, shade 6 and shade 1). */
const PALETTE: readonly { background: string; stroke: string }[] = [
  { background: '#ffc9c9', stroke: '#e03131' },
  { background: '#fcc2d7', stroke: '#c2255c' },
  { background: '#eebefa', stroke: '#9c36b5' },
  { background: '#d0bfff', stroke: '#6741d9' },
  { background: '#a5d8ff', stroke: '#1971c2' },
  { background: '#99e9f2', stroke: '#0c8599' },
  { background: '#96f2d7', stroke: '#099268' },
  { background: '#b2f2bb', stroke: '#2f9e44' },
  { background: '#ffec99', stroke: '#f08c00' },
  { background: '#ffd8a8', stroke: '#e8590c' },
];

/** The same colour for a user id on every client (FNV-1a over the id picks a palette entry). */
export function colorForUser(userId: string): { background: string; stroke: string } {
  let hash = 0x811c9dc5;
  for (let i = 0; i < userId.length; i++) {
    hash ^= userId.charCodeAt(i);
    hash = Math.imul(hash, 0x01000193) >>> 0;
  }
  return PALETTE[hash % PALETTE.length] as { background: string; stroke: string };
}

/**
 * Excalidraw `collaborators` from awareness states (keyed by awareness client id, as the page passes
 * `awareness.getStates()`), leaving out this client and any state that does not validate. Keys are the
 * awareness client ids as strings, Excalidraw's socket ids.
 */
export function collaboratorsFrom(
  states: ReadonlyMap<number, unknown>,
  localClientId: number,
): Map<SocketId, BoardCollaborator> {
  const collaborators = new Map<SocketId, BoardCollaborator>();
  for (const [clientId, state] of states) {
    if (clientId === localClientId) continue;
    const presence = normalisePresence(state);
    if (presence === null) continue;
    const collaborator: BoardCollaborator = {
      id: presence.user.id,
      username: presence.user.name,
      color: colorForUser(presence.user.id),
    };
    if (presence.pointer !== undefined) collaborator.pointer = presence.pointer;
    if (presence.button !== undefined) collaborator.button = presence.button;
    if (presence.selectedElementIds !== undefined)
      collaborator.selectedElementIds = presence.selectedElementIds;
    collaborators.set(String(clientId) as SocketId, collaborator);
  }
  return collaborators;
}
