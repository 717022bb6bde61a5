import { type KeyObject, verify as verifySignature } from 'node:crypto';
import { HubError } from '../errors.js';
import { type Keyring, TOKEN_ALGORITHM } from './keyring.js';
import type { Role } from './roles.js';

/**
 * Share tokens are JWTs (JWS compact, EdDSA/Ed25519) signed by the hub's own key. They carry the
 * board (sub), the share id (jti) and, for the reader's convenience, the role; the share row
 * stays the authority on role and revocation.
 *
 * Signing uses jose (loaded when the first share is signed). Verification is done here with
 * node:crypto, on purpose: jose 6 verifies through WebCrypto, which runs every check on libuv's
 * thread pool; in a reconnect storm of a whole room that costs a thread hop per upgrade and
 * ~4 KiB of native memory per connection (measured), while a synchronous Ed25519 check costs
 * ~50 µs. What is accepted is deliberately
 * narrow: exactly three base64url parts, alg pinned to EdDSA, no `crit` extensions, a kid of a
 * live key of this hub, then issuer, audience, expiry and not-before checked like jose does.
 */
export const TOKEN_AUDIENCE = 'boardhub:board';

export const issuerFor = (hubId: string): string => `boardhub:${hubId}`;

export interface ShareClaims {
  boardId: string;
  shareId: string;
  role: Role;
  /** Seconds since the epoch, or null for a token without expiry. */
  expiresAt: number | null;
}

export async function signShareToken(keyring: Keyring, hubId: string, claims: ShareClaims): Promise<string> {
  const { kid, privateKey } = keyring.currentSigningKey();
  // Loaded on the first share, not at start: the process relaying edits keeps ~1 MB less heap.
  const { SignJWT } = await import('jose');
  let jwt = new SignJWT({ role: claims.role })
    .setProtectedHeader({ alg: TOKEN_ALGORITHM, kid, typ: 'JWT' })
    .setIssuer(issuerFor(hubId))
    .setAudience(TOKEN_AUDIENCE)
    .setSubject(claims.boardId)
    .setJti(claims.shareId)
    .setIssuedAt();
  if (claims.expiresAt !== null) jwt = jwt.setExpirationTime(claims.expiresAt);
  return jwt.sign(privateKey);
}

export interface VerifiedToken {
  boardId: string;
  shareId: string;
  /** Seconds since the epoch, or null. */
  expiresAt: number | null;
  /** The signing key's id: retiring that key must end the connections it let in. */
  keyId: string;
}

const BASE64URL = /^[A-Za-z0-9_-]+$/;
/** Tokens are a few hundred bytes; anything far larger is not ours and not worth parsing. */
const MAX_TOKEN_LENGTH = 4096;
const ED25519_SIGNATURE_BYTES = 64;

const invalid = (message = 'The token is not valid for this hub.'): HubError =>
  new HubError('TOKEN_INVALID', message);

function decodeJsonPart(part: string): Record<string, unknown> {
  let value: unknown;
  try {
    value = JSON.parse(Buffer.from(part, 'base64url').toString('utf8'));
  } catch {
    throw invalid();
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) throw invalid();
  return value as Record<string, unknown>;
}

const isNonEmptyString = (value: unknown): value is string => typeof value === 'string' && value.length > 0;

/** What the signature vouches for: everything in a token but the clock checks. */
interface SignedClaims {
  boardId: string;
  shareId: string;
  keyId: string;
  /** The key the signature was checked with. */
  key: KeyObject;
  exp: number | undefined;
  nbf: number | undefined;
}

function verifySignedClaims(keyring: Keyring, hubId: string, token: string): SignedClaims {
  const parts = token.length <= MAX_TOKEN_LENGTH ? token.split('.') : [];
  const [encodedHeader, encodedPayload, encodedSignature] = parts;
  if (
    parts.length !== 3 ||
    encodedHeader === undefined ||
    encodedPayload === undefined ||
    encodedSignature === undefined ||
    !parts.every((part) => BASE64URL.test(part))
  ) {
    throw invalid();
  }

  const header = decodeJsonPart(encodedHeader);
  if (header.alg !== TOKEN_ALGORITHM || header.crit !== undefined || header.b64 !== undefined)
    throw invalid();
  const keyId = header.kid;
  const key = isNonEmptyString(keyId) ? keyring.verificationKey(keyId) : undefined;
  if (!key) throw invalid('The token was not signed by a key of this hub.');
  const signature = Buffer.from(encodedSignature, 'base64url');
  if (
    signature.length !== ED25519_SIGNATURE_BYTES ||
    !verifySignature(null, Buffer.from(`${encodedHeader}.${encodedPayload}`), key, signature)
  ) {
    throw invalid();
  }

  // The signature is ours; now the claims must say this hub and this audience.
  const payload = decodeJsonPart(encodedPayload);
  const audience = payload.aud;
  const audienceOk = Array.isArray(audience)
    ? audience.includes(TOKEN_AUDIENCE)
    : audience === TOKEN_AUDIENCE;
  if (payload.iss !== issuerFor(hubId) || !audienceOk) throw invalid();
  if (!isNonEmptyString(payload.sub) || !isNonEmptyString(payload.jti)) {
    throw invalid('The token lacks its board or share.');
  }
  const { exp, nbf } = payload;
  if (exp !== undefined && typeof exp !== 'number') throw invalid();
  if (nbf !== undefined && typeof nbf !== 'number') throw invalid();
  return { boardId: payload.sub, shareId: payload.jti, keyId: keyId as string, key, exp, nbf };
}

/** Not before, and expiry: the part of a token's validity that changes with time. */
function checkClock(claims: SignedClaims, nowSeconds: number): VerifiedToken {
  if (claims.nbf !== undefined && claims.nbf > nowSeconds) throw invalid();
  if (claims.exp !== undefined && claims.exp <= nowSeconds)
    throw new HubError('TOKEN_EXPIRED', 'The token has expired.');
  return {
    boardId: claims.boardId,
    shareId: claims.shareId,
    expiresAt: claims.exp ?? null,
    keyId: claims.keyId,
  };
}

export function verifyShareToken(
  keyring: Keyring,
  hubId: string,
  token: string,
  nowSeconds = Math.floor(Date.now() / 1000),
): VerifiedToken {
  return checkClock(verifySignedClaims(keyring, hubId, token), nowSeconds);
}

/** Enough for every link of a busy hub; an entry is a token string and a few fields (~0.5 KB). */
const DEFAULT_REMEMBERED_TOKENS = 512;

/**
 * verifyShareToken with a memory of signatures already checked. One link usually lets in many
 * connections (a room shares one edit link; every reconnect and every restart brings the same
 * tokens back), and the Ed25519 check is most of the CPU an upgrade costs (~100 µs). A token seen
 * before skips only that check: its key must still be the live key of its id (so retiring a key
 * refuses its tokens at once, as before) and the clock checks run on every use. Only tokens whose
 * signature verified are remembered, so invalid tokens cannot fill the memory; the oldest-used
 * entry makes room for a new one.
 */
export class ShareTokenVerifier {
  private readonly checked = new Map<string, SignedClaims>();

  constructor(
    private readonly keyring: Keyring,
    private readonly hubId: string,
    private readonly capacity = DEFAULT_REMEMBERED_TOKENS,
  ) {}

  verify(token: string, nowSeconds = Math.floor(Date.now() / 1000)): VerifiedToken {
    return checkClock(this.signedClaims(token), nowSeconds);
  }

  /** Tokens whose signature is remembered (observability, tests). */
  get remembered(): number {
    return this.checked.size;
  }

  private signedClaims(token: string): SignedClaims {
    const known = this.checked.get(token);
    if (known !== undefined) {
      this.checked.delete(token);
      if (this.keyring.verificationKey(known.keyId) === known.key) {
        this.checked.set(token, known);
        return known;
      }
    }
    const claims = verifySignedClaims(this.keyring, this.hubId, token);
    if (this.checked.size >= this.capacity) {
      const oldest = this.checked.keys().next();
      if (!oldest.done) this.checked.delete(oldest.value);
    }
    this.checked.set(token, claims);
    return claims;
  }
}
