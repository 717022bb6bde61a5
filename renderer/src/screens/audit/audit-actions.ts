/**
 * The audit actions the hub writes (src/storage/audit-store.ts, AUDIT_ACTIONS), in words. The UI
 * may only import the HubClient contract, so the list is repeated here; an action the hub adds
 * later still shows, by its code.
 */
export const AUDIT_ACTION_LABELS: Record<string, string> = {
  connect: 'Connected',
  disconnect: 'Disconnected',
  denied: 'Refused at the door',
  write_refused: 'Change refused',
  protocol_error: 'Protocol error',
  board_create: 'Board created',
  board_rename: 'Board renamed',
  board_delete: 'Board moved to the trash',
  board_restore: 'Board restored',
  board_purge: 'Board deleted for good',
  board_export: 'Board exported',
  board_import: 'Board imported',
  share_create: 'Share link created',
  share_revoke: 'Share link revoked',
  share_role_change: 'Share role changed',
  role_applied: 'New role applied to a connection',
  key_rotate: 'Signing key rotated',
  key_retire: 'Signing key retired',
  admin_token_issue: 'Admin token issued',
  admin_token_reset: 'Admin token reset',
  admin_auth_failed: 'Admin sign-in failed',
  hub_start: 'Hub started',
  hub_stop: 'Hub stopped',
  hub_rename: 'Hub renamed',
  setting_change: 'Setting changed',
  peer_add: 'Hub added by address',
  peer_remove: 'Hub removed',
  peer_trust: 'Hub key trusted',
  audit_pruned: 'Old rows pruned',
  audit_gap: 'Audit rows written late or lost (storage failed)',
};

export const actionLabel = (action: string): string => AUDIT_ACTION_LABELS[action] ?? action;

/** Actions that describe trouble, shown in the warning colour. */
export const ALARMING_ACTIONS: ReadonlySet<string> = new Set([
  'denied',
  'write_refused',
  'protocol_error',
  'admin_auth_failed',
  'audit_gap',
]);
