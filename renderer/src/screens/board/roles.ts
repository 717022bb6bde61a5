import type { ShareRole } from '../../../../src/client/hub-client';

/** What each role lets a guest do, in the words the UI uses everywhere. */
export const ROLE_LABELS: Record<ShareRole, string> = {
  view: 'View',
  comment: 'Comment',
  edit: 'Edit',
};

/** Reads after a name: "Ana can see the board live but change nothing". */
export const ROLE_DESCRIPTIONS: Record<ShareRole, string> = {
  view: 'can see the board live but change nothing',
  comment: 'can see the board and add comments',
  edit: 'can change anything on the board',
};

export const shareName = (label: string | null): string =>
  label === null || label.trim() === '' ? 'Unnamed link' : label;
