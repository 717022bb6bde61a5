/**
 * What each role may do with a board's document. Every role receives updates and awareness and
 * may publish awareness (presence); only `edit` may change the document. (`comment`, limited to
 * the `comments` root type, arrives with the sharing issue; until then it is read-only.)
 */
export const ROLES = ['view', 'comment', 'edit'] as const;
export type Role = (typeof ROLES)[number];

export function isRole(value: unknown): value is Role {
  return typeof value === 'string' && (ROLES as readonly string[]).includes(value);
}

export function mayChangeDocument(role: Role): boolean {
  return role === 'edit';
}
