import { randomBytes } from 'node:crypto';

/** Ids are random, URL-safe and unguessable; a board id is safe to put in a path segment. */
export const ID_PATTERN = /^[A-Za-z0-9_-]{6,64}$/;

function randomId(prefix: string, bytes: number): string {
  return `${prefix}${randomBytes(bytes).toString('base64url')}`;
}

export const newBoardId = (): string => randomId('b_', 12);
export const newShareId = (): string => randomId('s_', 16);
export const newHubId = (): string => randomId('h_', 12);
