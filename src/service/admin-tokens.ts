import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';

/**
 * Admin tokens look like `bhadm_<id>.<secret>`. The id finds the row; only SHA-256(secret) is
 * stored, compared in constant time. A stolen database therefore yields no usable token.
 */
const PREFIX = 'bhadm_';
const FORMAT = /^bhadm_([A-Za-z0-9_-]{11})\.([A-Za-z0-9_-]{43})$/;

export interface NewAdminToken {
  id: string;
  token: string;
  secretHash: string;
}

export const hashSecret = (secret: string): string => createHash('sha256').update(secret).digest('hex');

export function newAdminToken(): NewAdminToken {
  const id = randomBytes(8).toString('base64url');
  const secret = randomBytes(32).toString('base64url');
  return { id, token: `${PREFIX}${id}.${secret}`, secretHash: hashSecret(secret) };
}

export function parseAdminToken(token: string): { id: string; secret: string } | undefined {
  const match = FORMAT.exec(token);
  return match?.[1] && match[2] ? { id: match[1], secret: match[2] } : undefined;
}

export function secretMatches(secret: string, storedHash: string): boolean {
  const actual = Buffer.from(hashSecret(secret), 'hex');
  const expected = Buffer.from(storedHash, 'hex');
  return actual.length === expected.length && timingSafeEqual(actual, expected);
}
