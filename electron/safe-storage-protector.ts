/**
 * Protects the hub's secrets (signing keys, admin secret) with the operating system's keychain
 * through Electron's safeStorage: Keychain on macOS, DPAPI on Windows, libsecret or KWallet on
 * Linux. Where Linux has no keyring, safeStorage falls back to 'basic_text' (a hard-coded
 * password: obfuscation, not protection); we then pass no protector and the hub keeps its owner-only
 * files, which HubSettings.keyProtection reports as 'file' so the UI can say so.
 *
 * Written against the few safeStorage calls it uses, so the decision is tested in Node. Must be
 * called after the app is ready: before that Linux reports the backend as 'unknown'.
 */
import type { KeyProtector } from '../src/index.js';

export interface SafeStorageLike {
  isEncryptionAvailable(): boolean;
  getSelectedStorageBackend(): string;
  encryptString(plainText: string): Buffer;
  decryptString(encrypted: Buffer): string;
}

/** Why there is (or is not) a keychain-backed protector, for the log. */
export interface KeyProtection {
  protector: KeyProtector | null;
  reason: string;
}

export function chooseKeyProtection(storage: SafeStorageLike, platform: NodeJS.Platform): KeyProtection {
  if (!storage.isEncryptionAvailable()) {
    return { protector: null, reason: 'the system offers no encryption to this app' };
  }
  if (platform === 'linux') {
    const backend = storage.getSelectedStorageBackend();
    if (backend === 'basic_text' || backend === 'unknown') {
      return { protector: null, reason: `no keyring is available (safeStorage backend: ${backend})` };
    }
  }
  return {
    reason: 'the system keychain',
    protector: {
      kind: 'os-keychain',
      // safeStorage encrypts strings; base64 carries any bytes through it unchanged.
      seal: (plain) => storage.encryptString(plain.toString('base64')),
      unseal: (sealed) => Buffer.from(storage.decryptString(sealed), 'base64'),
    },
  };
}
