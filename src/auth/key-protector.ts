/**
 * Seals the hub's private signing keys with a secret the operating system keeps for the user
 * (the desktop app passes one backed by Electron's safeStorage: Keychain, DPAPI, libsecret).
 * The keyring then stores only sealed keys, so copying the data folder does not copy the power
 * to sign share links. src/ never imports Electron: the shell hands an implementation to createHub.
 */
export interface KeyProtector {
  readonly kind: 'os-keychain';
  seal(plain: Buffer): Buffer;
  /** Throws when the data was not sealed by this protector (another user, a reset keychain). */
  unseal(sealed: Buffer): Buffer;
}

/** How the keyring keeps its private keys: sealed by a KeyProtector, or plain in an owner-only file. */
export type KeyProtection = KeyProtector['kind'] | 'file';
