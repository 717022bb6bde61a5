/**
 * The admin token for this browser tab. sessionStorage, not localStorage: it is gone when the tab
 * closes, so a shared computer does not keep a key to the hub.
 */
const KEY = 'boardhub.adminToken';

export function readStoredToken(): string | null {
  try {
    return window.sessionStorage.getItem(KEY);
  } catch {
    return null;
  }
}

export function storeToken(token: string): void {
  try {
    window.sessionStorage.setItem(KEY, token);
  } catch {
    // Storage can be disabled; the session then lasts until the page reloads.
  }
}

export function forgetToken(): void {
  try {
    window.sessionStorage.removeItem(KEY);
  } catch {
    // Nothing stored, nothing to forget.
  }
}
