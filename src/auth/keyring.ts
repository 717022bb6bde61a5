import {
  createHash,
  createPrivateKey,
  createPublicKey,
  generateKeyPairSync,
  type KeyObject,
} from 'node:crypto';
import {
  chmodSync,
  linkSync,
  mkdirSync,
  readFileSync,
  renameSync,
  rmSync,
  type Stats,
  statSync,
  writeFileSync,
} from 'node:fs';
import { join } from 'node:path';
import { describeError, HubError } from '../errors.js';
import type { KeyProtection, KeyProtector } from './key-protector.js';

/**
 * The hub's signing keys, kept in the data folder as keys/keyring.json (owner-only permissions).
 * Ed25519 (JWS alg EdDSA): small keys and signatures, no parameters to get wrong. Each key has a
 * kid so tokens name the key that signed them; a retired key no longer verifies anything.
 *
 * Two file formats: version 1 keeps private keys as PEM; version 2 (`protection: 'os-keychain'`)
 * keeps them sealed by a KeyProtector, next to the public keys in the clear. Given a protector,
 * a version 1 file is sealed on first open. Without one, a sealed keyring still verifies tokens and
 * lists, retires and fingerprints keys (all public), but cannot sign or add keys: KEYS_PROTECTED.
 * Boardhub versions that only know version 1 refuse a sealed file as "unknown format".
 */
export const TOKEN_ALGORITHM = 'EdDSA';

interface PlainStoredKey {
  kid: string;
  privateKeyPem: string;
  createdAt: number;
  retiredAt: number | null;
}

interface SealedStoredKey {
  kid: string;
  /** base64 of KeyProtector.seal(PEM). */
  sealedPrivateKey: string;
  publicKeyPem: string;
  createdAt: number;
  retiredAt: number | null;
}

type KeyringFile =
  | { version: 1; keys: PlainStoredKey[] }
  | { version: 2; protection: 'os-keychain'; keys: SealedStoredKey[] };

/** A key as held in memory. */
interface LoadedKey {
  kid: string;
  createdAt: number;
  retiredAt: number | null;
  publicKeyPem: string;
  /** Null when the file is sealed and this process has no protector. */
  privateKeyPem: string | null;
  /** As stored, for sealed keyrings (kept as is when this process cannot unseal). */
  sealedPrivateKey: string | null;
}

export interface SigningKey {
  kid: string;
  privateKey: KeyObject;
}

export interface KeyInfo {
  kid: string;
  createdAt: number;
  retiredAt: number | null;
  /** The key new tokens are signed with. */
  current: boolean;
}

const KEYRING_FILE = 'keyring.json';

const fileStamp = (stat: Stats): string => `${stat.mtimeMs}:${stat.ino}:${stat.size}`;

function newKey(now: number): LoadedKey {
  const { privateKey } = generateKeyPairSync('ed25519');
  const publicKey = createPublicKey(privateKey);
  const publicDer = publicKey.export({ type: 'spki', format: 'der' });
  return {
    kid: createHash('sha256').update(publicDer).digest('base64url').slice(0, 16),
    createdAt: now,
    retiredAt: null,
    publicKeyPem: publicKey.export({ type: 'spki', format: 'pem' }).toString(),
    privateKeyPem: privateKey.export({ type: 'pkcs8', format: 'pem' }).toString(),
    sealedPrivateKey: null,
  };
}

const protectedMessage = (file: string): string =>
  `The signing keys in ${file} are protected by the Boardhub desktop app's OS keychain, so this ` +
  'program cannot use them: create share links (and rotate keys) in the desktop app.';

export class Keyring {
  private readonly file: string;
  private keys: LoadedKey[] = [];
  private activePublicKeys = new Map<string, KeyObject>();
  private sealed = false;
  /** mtime, inode and size of the file as last read: a rename-replace always changes the inode. */
  private loadedStamp = '';

  private constructor(
    dir: string,
    private readonly protector: KeyProtector | undefined,
  ) {
    this.file = join(dir, KEYRING_FILE);
  }

  /**
   * Opens the keyring in dataDir/keys, creating a first key if there is none yet. With a
   * protector, new keys are sealed and a plain keyring is sealed now.
   */
  static open(dataDir: string, protector?: KeyProtector): Keyring {
    const dir = join(dataDir, 'keys');
    try {
      mkdirSync(dir, { recursive: true, mode: 0o700 });
      chmodSync(dir, 0o700);
    } catch (error) {
      throw new HubError('DATA_DIR_UNUSABLE', `Cannot create the key folder ${dir}: ${describeError(error)}`);
    }
    const keyring = new Keyring(dir, protector);
    keyring.createIfAbsent();
    keyring.reload();
    if (protector && !keyring.sealed) keyring.save(keyring.keys);
    return keyring;
  }

  /** 'os-keychain' when the private keys are sealed by the desktop app, else 'file'. */
  get protection(): KeyProtection {
    return this.sealed ? 'os-keychain' : 'file';
  }

  /** The newest key that is not retired: the one new tokens are signed with. */
  currentSigningKey(): SigningKey {
    // A key rotated by another process (the CLI) is used from the next token on.
    this.reloadIfChanged();
    const key = this.currentKey();
    if (key.privateKeyPem === null) throw new HubError('KEYS_PROTECTED', protectedMessage(this.file));
    return { kid: key.kid, privateKey: createPrivateKey(key.privateKeyPem) };
  }

  /** Throws KEYS_PROTECTED unless this process can sign (checked before anything is written). */
  assertCanSign(): void {
    this.reloadIfChanged();
    if (this.currentKey().privateKeyPem === null) {
      throw new HubError('KEYS_PROTECTED', protectedMessage(this.file));
    }
  }

  /**
   * The public key for a kid, or undefined if unknown or retired. Re-reads the file when it has
   * changed, so a key rotated by another process (the CLI) is seen without a restart.
   */
  verificationKey(kid: string): KeyObject | undefined {
    this.reloadIfChanged();
    return this.activePublicKeys.get(kid);
  }

  list(): KeyInfo[] {
    this.reloadIfChanged();
    const currentKid = this.keys.filter((k) => k.retiredAt === null).at(-1)?.kid;
    return this.keys.map((k) => ({
      kid: k.kid,
      createdAt: k.createdAt,
      retiredAt: k.retiredAt,
      current: k.kid === currentKid,
    }));
  }

  /**
   * Adds a new signing key: new tokens are signed with it, tokens of the older keys keep working
   * until those keys are retired.
   */
  rotate(now: number): KeyInfo {
    this.reloadIfChanged();
    if (this.sealed && !this.protector) throw new HubError('KEYS_PROTECTED', protectedMessage(this.file));
    const key = newKey(now);
    this.save([...this.keys, key]);
    return { kid: key.kid, createdAt: key.createdAt, retiredAt: null, current: true };
  }

  /**
   * Retires a key (default: every active key but the current one): tokens it signed are refused
   * from then on, also by a hub running in another process (it re-reads this file on change).
   */
  retire(now: number, kid?: string): KeyInfo[] {
    this.reloadIfChanged();
    const active = this.keys.filter((k) => k.retiredAt === null);
    const currentKid = active.at(-1)?.kid;
    const targets =
      kid === undefined ? active.filter((k) => k.kid !== currentKid) : active.filter((k) => k.kid === kid);
    if (kid !== undefined && targets.length === 0) {
      throw new HubError('INVALID_ARGUMENT', `No active key with id ${kid}.`);
    }
    if (kid !== undefined && kid === currentKid) {
      throw new HubError('INVALID_ARGUMENT', 'The current signing key cannot be retired; rotate first.');
    }
    const retired = new Set(targets.map((k) => k.kid));
    this.save(this.keys.map((k) => (retired.has(k.kid) ? { ...k, retiredAt: now } : k)));
    return this.list().filter((k) => retired.has(k.kid));
  }

  /** SHA-256 of the current public key (DER), the hub's identity that peers can check. */
  publicKeyFingerprint(): string {
    this.reloadIfChanged();
    const der = createPublicKey(this.currentKey().publicKeyPem).export({ type: 'spki', format: 'der' });
    return createHash('sha256').update(der).digest('hex');
  }

  private currentKey(): LoadedKey {
    const key = this.keys.filter((k) => k.retiredAt === null).at(-1);
    if (!key) throw new HubError('INTERNAL', 'The keyring has no active signing key.');
    return key;
  }

  private createIfAbsent(): void {
    try {
      statSync(this.file);
      return;
    } catch {
      // No keyring yet: create one below.
    }
    const temp = `${this.file}.${process.pid}.tmp`;
    writeFileSync(temp, JSON.stringify(this.fileContent([newKey(Date.now())]), null, 2), { mode: 0o600 });
    try {
      // link() fails if the file exists: two processes starting at once end up with one keyring.
      linkSync(temp, this.file);
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
    } finally {
      rmSync(temp, { force: true });
    }
  }

  /** Sealed when this process has a protector or the file already was (sealing is never undone). */
  private fileContent(keys: LoadedKey[]): KeyringFile {
    if (!this.protector && !this.sealed) {
      return {
        version: 1,
        keys: keys.map((k) => ({
          kid: k.kid,
          privateKeyPem: k.privateKeyPem as string,
          createdAt: k.createdAt,
          retiredAt: k.retiredAt,
        })),
      };
    }
    return {
      version: 2,
      protection: 'os-keychain',
      keys: keys.map((k) => ({
        kid: k.kid,
        sealedPrivateKey: k.sealedPrivateKey ?? this.seal(k),
        publicKeyPem: k.publicKeyPem,
        createdAt: k.createdAt,
        retiredAt: k.retiredAt,
      })),
    };
  }

  private seal(key: LoadedKey): string {
    if (!this.protector || key.privateKeyPem === null) {
      throw new HubError('KEYS_PROTECTED', protectedMessage(this.file));
    }
    try {
      return this.protector.seal(Buffer.from(key.privateKeyPem, 'utf8')).toString('base64');
    } catch (error) {
      throw new HubError(
        'DATA_DIR_UNUSABLE',
        `Cannot protect the signing keys with the OS keychain: ${describeError(error)}`,
      );
    }
  }

  /** Atomic replace (write + rename), so a reader never sees half a keyring. */
  private save(keys: LoadedKey[]): void {
    const content = this.fileContent(keys);
    const temp = `${this.file}.${process.pid}.tmp`;
    writeFileSync(temp, JSON.stringify(content, null, 2), { mode: 0o600 });
    renameSync(temp, this.file);
    this.reload();
  }

  private reloadIfChanged(): void {
    if (fileStamp(statSync(this.file)) !== this.loadedStamp) this.reload();
  }

  private reload(): void {
    const stat = statSync(this.file);
    if ((stat.mode & 0o077) !== 0) chmodSync(this.file, 0o600);
    let parsed: KeyringFile;
    try {
      parsed = JSON.parse(readFileSync(this.file, 'utf8')) as KeyringFile;
    } catch (error) {
      throw new HubError(
        'DATA_DIR_UNUSABLE',
        `The keyring ${this.file} is unreadable: ${describeError(error)}`,
      );
    }
    if (!Array.isArray(parsed.keys) || (parsed.version !== 1 && parsed.version !== 2)) {
      throw new HubError('DATA_DIR_UNUSABLE', `The keyring ${this.file} has an unknown format.`);
    }
    this.keys = parsed.version === 1 ? parsed.keys.map(plainKey) : parsed.keys.map((k) => this.unseal(k));
    this.sealed = parsed.version === 2;
    this.activePublicKeys = new Map(
      this.keys
        .filter((key) => key.retiredAt === null)
        .map((key) => [key.kid, createPublicKey(key.publicKeyPem)]),
    );
    this.loadedStamp = fileStamp(stat);
  }

  private unseal(key: SealedStoredKey): LoadedKey {
    let privateKeyPem: string | null = null;
    if (this.protector) {
      try {
        privateKeyPem = this.protector.unseal(Buffer.from(key.sealedPrivateKey, 'base64')).toString('utf8');
      } catch (error) {
        throw new HubError(
          'DATA_DIR_UNUSABLE',
          `The signing keys in ${this.file} cannot be unsealed with this user's OS keychain ` +
            `(sealed by another user or machine, or the keychain was reset): ${describeError(error)}`,
        );
      }
    }
    return {
      kid: key.kid,
      createdAt: key.createdAt,
      retiredAt: key.retiredAt,
      publicKeyPem: key.publicKeyPem,
      privateKeyPem,
      sealedPrivateKey: key.sealedPrivateKey,
    };
  }
}

function plainKey(key: PlainStoredKey): LoadedKey {
  return {
    kid: key.kid,
    createdAt: key.createdAt,
    retiredAt: key.retiredAt,
    publicKeyPem: createPublicKey(createPrivateKey(key.privateKeyPem))
      .export({ type: 'spki', format: 'pem' })
      .toString(),
    privateKeyPem: key.privateKeyPem,
    sealedPrivateKey: null,
  };
}
