import { createHash, createPublicKey, type KeyObject, sign, verify } from 'node:crypto';
import { z } from 'zod';
import { describeError, HubError } from '../../errors.js';
import { isFingerprint, shortFingerprint } from './fingerprint.js';
import type { PublicHubIdentity } from './types.js';

/**
 * A hub's public identity (GET /api/hub) and how another hub checks it when it is added by
 * address. The caller sends a random challenge; the hub answers with its public key and an
 * Ed25519 signature over "boardhub-hub-identity", its id and the challenge. The fingerprint must
 * be the SHA-256 of that key and the signature must verify: the answer comes from the holder of
 * the key, not from something that copied the fingerprint. The signed text contains no "." so it
 * can never be mistaken for a JWT's signing input, though the same key signs share tokens.
 */
export const CHALLENGE_PATTERN = /^[A-Za-z0-9_-]{16,128}$/;
const PROOF_CONTEXT = 'boardhub-hub-identity';
const FETCH_TIMEOUT_MS = 3000;

const proofMessage = (hubId: string, challenge: string): Buffer =>
  Buffer.from(`${PROOF_CONTEXT}\n${hubId}\n${challenge}`);

export function fingerprintOf(publicKey: KeyObject): string {
  return createHash('sha256')
    .update(publicKey.export({ type: 'spki', format: 'der' }))
    .digest('hex');
}

export function identityProof(
  privateKey: KeyObject,
  hubId: string,
  challenge: string,
): { publicKey: string; proof: string } {
  const publicKey = createPublicKey(privateKey).export({ type: 'spki', format: 'der' });
  return {
    publicKey: publicKey.toString('base64'),
    proof: sign(null, proofMessage(hubId, challenge), privateKey).toString('base64'),
  };
}

/** True when publicKey hashes to the identity's fingerprint and proof signs (id, challenge) with it. */
export function proofHolds(identity: PublicHubIdentity, challenge: string): boolean {
  if (identity.publicKey === undefined || identity.proof === undefined) return false;
  try {
    const key = createPublicKey({
      key: Buffer.from(identity.publicKey, 'base64'),
      format: 'der',
      type: 'spki',
    });
    return (
      fingerprintOf(key) === identity.fingerprint &&
      verify(null, proofMessage(identity.id, challenge), key, Buffer.from(identity.proof, 'base64'))
    );
  } catch {
    return false;
  }
}

const IdentitySchema = z.object({
  id: z.string().regex(/^[A-Za-z0-9_-]{3,64}$/),
  name: z.string().min(1).max(255),
  version: z.string().max(64),
  protocolVersion: z.string().max(8),
  fingerprint: z.string().refine(isFingerprint),
  fingerprintShort: z.string().max(64),
  publicKey: z.string().max(1024).optional(),
  proof: z.string().max(1024).optional(),
});

export function hostForUrl(host: string): string {
  return host.includes(':') ? `[${host}]` : host;
}

/**
 * Asks the hub at host:port who it is and checks the answer (see above). Errors say what went
 * wrong in words a user can act on: nothing listening, not a Boardhub, a proof that fails.
 */
export async function fetchHubIdentity(
  host: string,
  port: number,
  challenge: string,
  timeoutMs = FETCH_TIMEOUT_MS,
): Promise<PublicHubIdentity> {
  const url = `http://${hostForUrl(host)}:${port}/api/hub?challenge=${encodeURIComponent(challenge)}`;
  let response: Response;
  try {
    response = await fetch(url, { signal: AbortSignal.timeout(timeoutMs), redirect: 'error' });
  } catch (error) {
    const cause = (error as { cause?: unknown }).cause;
    const code = (cause as { code?: unknown } | undefined)?.code;
    const reason =
      (error as Error).name === 'TimeoutError'
        ? `no answer within ${timeoutMs / 1000} s (wrong address, or a firewall in between?)`
        : code === 'ECONNREFUSED'
          ? 'connection refused (nothing listens on that port)'
          : code === 'EHOSTUNREACH' || code === 'ENETUNREACH'
            ? 'no route to that address (another network?)'
            : describeError(cause ?? error);
    throw new HubError('PEER_UNREACHABLE', `Cannot reach a hub at ${host}:${port}: ${reason}.`);
  }
  let body: unknown;
  try {
    body = await response.json();
  } catch {
    body = undefined;
  }
  const parsed = IdentitySchema.safeParse(body);
  if (!response.ok || !parsed.success) {
    throw new HubError('PEER_NOT_A_HUB', `${host}:${port} answered, but not as a Boardhub hub.`);
  }
  const identity = parsed.data;
  if (!proofHolds(identity, challenge)) {
    throw new HubError(
      'PEER_IDENTITY_INVALID',
      `${host}:${port} claims to be hub ${identity.id} but cannot prove it holds that hub's key.`,
    );
  }
  return { ...identity, fingerprintShort: shortFingerprint(identity.fingerprint) };
}
