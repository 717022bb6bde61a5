/**
 * What each role may do with a board's document. Every role receives updates and awareness and
 * may publish awareness (presence). `edit` may change anything, `comment` only the root type
 * `comments` (checked per update by update-scope.ts), `view` nothing.
 */
export const ROLES = ['view', 'comment', 'edit'] as const;
export type Role = (typeof ROLES)[number];

/** The root type of a board that holds its comments: the only part a `comment` role may change. */
export const COMMENTS_ROOT = 'comments';

/** What a role may change: the whole document, one root type of it, or nothing. */
export type WritableRoot = 'all' | typeof COMMENTS_ROOT | 'none';

export function isRole(value: unknown): value is Role {
  return typeof value === 'string' && (ROLES as readonly string[]).includes(value);
}

export function writableRoot(role: Role): WritableRoot {
  switch (role) {
    case 'edit':
      return 'all';
    case 'comment':
      return COMMENTS_ROOT;
    case 'view':
      return 'none';
  }
}

/** Whether the role may change anything in the document, with no per-update check. */
export function mayChangeDocument(role: Role): boolean {
  return writableRoot(role) === 'all';
}
