import type { PeerIdentityStore } from '../../storage/peer-identity-store.js';
import type { IdentityStatus } from './types.js';

/**
 * Is this the hub we met before? Trust on first use, per hub id: the first key fingerprint seen
 * for a hub id is remembered, and a later sighting with another key is 'changed' until the user
 * trusts the new key (`boardhub peers trust`). A hub id never seen before is 'changed' too when
 * the hub last seen under the same name had another key (someone else now uses that name), else
 * 'new'.
 */
export interface IdentityJudgement {
  status: IdentityStatus;
  previousFingerprint: string | null;
}

export function judgeAndRecord(
  store: PeerIdentityStore,
  sighting: { hubId: string; name: string; fingerprint: string },
  now: number,
): IdentityJudgement {
  const { hubId, name, fingerprint } = sighting;
  const known = store.get(hubId);
  let judgement: IdentityJudgement;
  if (known) {
    judgement =
      known.fingerprint === fingerprint
        ? { status: 'known', previousFingerprint: null }
        : { status: 'changed', previousFingerprint: known.fingerprint };
  } else {
    const sameName = store.lastSeenWithName(name, hubId);
    judgement =
      sameName && sameName.fingerprint !== fingerprint
        ? { status: 'changed', previousFingerprint: sameName.fingerprint }
        : { status: 'new', previousFingerprint: null };
  }
  store.recordSighting({ hubId, name, fingerprint, seenAt: now });
  return judgement;
}
