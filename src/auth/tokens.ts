import { verify as verifySignature } from 'node:crypto';
import { SignJWT } from 'jose';
import { HubError } from '../errors.js';
import { type Keyring, TOKEN_ALGORITHM } from './keyring.js';
import type { Role } from './roles.js';

/**
 * Share tokens are JWTs (JWS compact, EdDSA/Ed25519) signed by the hub's own key. They carry the
 * board (sub), the share id (jti) and, for the reader's convenience, the role; the share row
 * stays the authority on role and revocation.
 *
 * Signing uses jose. Verification is done here with node:crypto, on purpose: jose 6 verifies
 * through WebCrypto, which runs every check on libuv's thread pool; in a reconnect storm of a
 * whole room that costs a thread hop per upgrade and ~4 KiB of native memory per connection
 * (measured), while a synchronous Ed25519 check costs ~50 µs. What is accepted is deliberately
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

export function verifyShareToken(
  keyring: Keyring,
  hubId: string,
  token: string,
  nowSeconds = Math.floor(Date.now() / 1000),
): VerifiedToken {
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

  // The signature is ours; now the claims must say this hub, this audience, and now.
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
  if (nbf !== undefined && (typeof nbf !== 'number' || nbf > nowSeconds)) throw invalid();
  if (typeof exp === 'number' && exp <= nowSeconds)
    throw new HubError('TOKEN_EXPIRED', 'The token has expired.');
  return { boardId: payload.sub, shareId: payload.jti, expiresAt: exp ?? null, keyId: keyId as string };
}
