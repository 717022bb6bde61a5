import { type JWTPayload, errors as joseErrors, jwtVerify, SignJWT } from 'jose';
import { HubError } from '../errors.js';
import { type Keyring, TOKEN_ALGORITHM } from './keyring.js';
import type { Role } from './roles.js';

/**
 * Share tokens are JWTs signed by the hub's own key. They carry the board (sub), the share id
 * (jti) and, for the reader's convenience, the role; the share row stays the authority on role
 * and revocation. Verification pins the algorithm, issuer and audience, so a token of another
 * hub, an unsigned (`alg: none`) token or a tampered payload is refused.
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
}

export async function verifyShareToken(
  keyring: Keyring,
  hubId: string,
  token: string,
): Promise<VerifiedToken> {
  let payload: JWTPayload;
  try {
    ({ payload } = await jwtVerify(
      token,
      (header) => {
        const key = header.kid === undefined ? undefined : keyring.verificationKey(header.kid);
        if (!key) throw new HubError('TOKEN_INVALID', 'The token was not signed by a key of this hub.');
        return key;
      },
      {
        algorithms: [TOKEN_ALGORITHM],
        issuer: issuerFor(hubId),
        audience: TOKEN_AUDIENCE,
        requiredClaims: ['sub', 'jti'],
      },
    ));
  } catch (error) {
    if (error instanceof HubError) throw error;
    if (error instanceof joseErrors.JWTExpired) throw new HubError('TOKEN_EXPIRED', 'The token has expired.');
    throw new HubError('TOKEN_INVALID', 'The token is not valid for this hub.');
  }
  if (typeof payload.sub !== 'string' || typeof payload.jti !== 'string') {
    throw new HubError('TOKEN_INVALID', 'The token lacks its board or share.');
  }
  return { boardId: payload.sub, shareId: payload.jti, expiresAt: payload.exp ?? null };
}
