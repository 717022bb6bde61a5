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

/**
 * The hub's signing keys, kept in the data folder as keys/keyring.json (owner-only permissions).
 * Ed25519 (JWS alg EdDSA): small keys and signatures, no parameters to get wrong. Each key has a
 * kid so tokens name the key that signed them; a retired key no longer verifies anything.
 */
export const TOKEN_ALGORITHM = 'EdDSA';

interface StoredKey {
  kid: string;
  privateKeyPem: string;
  createdAt: number;
  retiredAt: number | null;
}

interface KeyringFile {
  version: 1;
  keys: StoredKey[];
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

function newStoredKey(now: number): StoredKey {
  const { privateKey } = generateKeyPairSync('ed25519');
  const publicDer = createPublicKey(privateKey).export({ type: 'spki', format: 'der' });
  return {
    kid: createHash('sha256').update(publicDer).digest('base64url').slice(0, 16),
    privateKeyPem: privateKey.export({ type: 'pkcs8', format: 'pem' }).toString(),
    createdAt: now,
    retiredAt: null,
  };
}

export class Keyring {
  private readonly file: string;
  private keys: StoredKey[] = [];
  private activePublicKeys = new Map<string, KeyObject>();
  /** mtime, inode and size of the file as last read: a rename-replace always changes the inode. */
  private loadedStamp = '';

  private constructor(dir: string) {
    this.file = join(dir, KEYRING_FILE);
  }

  /** Opens the keyring in dataDir/keys, creating a first key if there is none yet. */
  static open(dataDir: string): Keyring {
    const dir = join(dataDir, 'keys');
    try {
      mkdirSync(dir, { recursive: true, mode: 0o700 });
      chmodSync(dir, 0o700);
    } catch (error) {
      throw new HubError('DATA_DIR_UNUSABLE', `Cannot create the key folder ${dir}: ${describeError(error)}`);
    }
    const keyring = new Keyring(dir);
    keyring.createIfAbsent();
    keyring.reload();
    return keyring;
  }

  /** The newest key that is not retired: the one new tokens are signed with. */
  currentSigningKey(): SigningKey {
    // A key rotated by another process (the CLI) is used from the next token on.
    this.reloadIfChanged();
    const key = this.keys.filter((k) => k.retiredAt === null).at(-1);
    if (!key) throw new HubError('INTERNAL', 'The keyring has no active signing key.');
    return { kid: key.kid, privateKey: createPrivateKey(key.privateKeyPem) };
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
    const key = newStoredKey(now);
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
    const { privateKey } = this.currentSigningKey();
    const der = createPublicKey(privateKey).export({ type: 'spki', format: 'der' });
    return createHash('sha256').update(der).digest('hex');
  }

  private createIfAbsent(): void {
    try {
      statSync(this.file);
      return;
    } catch {
      // No keyring yet: create one below.
    }
    const content: KeyringFile = { version: 1, keys: [newStoredKey(Date.now())] };
    const temp = `${this.file}.${process.pid}.tmp`;
    writeFileSync(temp, JSON.stringify(content, null, 2), { mode: 0o600 });
    try {
      // link() fails if the file exists: two processes starting at once end up with one keyring.
      linkSync(temp, this.file);
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
    } finally {
      rmSync(temp, { force: true });
    }
  }

  /** Atomic replace (write + rename), so a reader never sees half a keyring. */
  private save(keys: StoredKey[]): void {
    const temp = `${this.file}.${process.pid}.tmp`;
    writeFileSync(temp, JSON.stringify({ version: 1, keys } satisfies KeyringFile, null, 2), { mode: 0o600 });
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
    if (parsed.version !== 1 || !Array.isArray(parsed.keys)) {
      throw new HubError('DATA_DIR_UNUSABLE', `The keyring ${this.file} has an unknown format.`);
    }
    this.keys = parsed.keys;
    this.activePublicKeys = new Map(
      parsed.keys
        .filter((key) => key.retiredAt === null)
        .map((key) => [key.kid, createPublicKey(createPrivateKey(key.privateKeyPem))]),
    );
    this.loadedStamp = fileStamp(stat);
  }
}
