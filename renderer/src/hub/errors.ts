import { HubClientError } from '../../../src/client/hub-client';

/**
 * Turns any failure into one sentence a person can act on. HubClientError messages are already
 * written for users; a few codes get a fuller explanation because the fix is outside this page.
 */
export function errorCode(error: unknown): string | null {
  return error instanceof HubClientError ? error.code : null;
}

export const isAdminTokenInvalid = (error: unknown): boolean => errorCode(error) === 'ADMIN_TOKEN_INVALID';

export function describeError(error: unknown): string {
  if (!(error instanceof HubClientError)) {
    return `Something went wrong: ${error instanceof Error ? error.message : String(error)}`;
  }
  switch (error.code) {
    case 'ADMIN_TOKEN_INVALID':
      return 'The hub did not accept this admin token. It may have been replaced by a newer one: get a fresh token on the hub’s computer with `npx boardhub admin-token --data DIR`.';
    case 'ADMIN_LOOPBACK_ONLY':
      return 'This hub lets itself be managed only from the computer it runs on. Open this page there (http://127.0.0.1:PORT/), or restart the hub with --admin-on-lan to manage it from other computers.';
    case 'ORIGIN_NOT_ALLOWED':
      return `The hub refuses requests from this page’s address (${window.location.origin}). Open the management UI at the hub’s own address, or restart the hub with --allow-origin ${window.location.origin}.`;
    case 'TOO_MANY_FAILURES':
      return `Too many wrong tokens were tried from this computer. ${error.message}`;
    case 'UNREACHABLE':
      return 'The hub does not answer. Check that it is still running and that this computer can reach it.';
    default:
      return error.message;
  }
}
