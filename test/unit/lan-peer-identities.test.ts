import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { after, describe, it } from 'node:test';
import { judgeAndRecord } from '../../src/net/lan/peer-identities.js';
import { openStores } from '../../src/storage/stores.js';
import { makeTempDir } from '../helpers/temp-dir.js';

const fp = (seed: string): string => createHash('sha256').update(seed).digest('hex');

describe('remembering the keys of other hubs (trust on first use)', () => {
  const dir = makeTempDir();
  const stores = openStores(dir.path);
  after(() => {
    stores.close();
    dir.remove();
  });
  const store = stores.peerIdentities;

  it('a hub seen for the first time is new, then known', () => {
    assert.deepEqual(judgeAndRecord(store, { hubId: 'h_one', name: 'Room', fingerprint: fp('1') }, 1000), {
      status: 'new',
      previousFingerprint: null,
    });
    assert.equal(
      judgeAndRecord(store, { hubId: 'h_one', name: 'Room', fingerprint: fp('1') }, 2000).status,
      'known',
    );
    assert.equal(store.get('h_one')?.lastSeen, 2000);
    assert.equal(store.get('h_one')?.firstSeen, 1000);
  });

  it('the same hub id with another key is changed, and stays changed until trusted', () => {
    const judged = judgeAndRecord(store, { hubId: 'h_one', name: 'Room', fingerprint: fp('1b') }, 3000);
    assert.deepEqual(judged, { status: 'changed', previousFingerprint: fp('1') });
    assert.equal(
      judgeAndRecord(store, { hubId: 'h_one', name: 'Room', fingerprint: fp('1b') }, 4000).status,
      'changed',
    );
    store.trust('h_one', fp('1b'));
    assert.equal(
      judgeAndRecord(store, { hubId: 'h_one', name: 'Room', fingerprint: fp('1b') }, 5000).status,
      'known',
    );
  });

  it('a new hub id under a name last seen with another key is changed (someone else uses that name now)', () => {
    assert.deepEqual(judgeAndRecord(store, { hubId: 'h_two', name: 'Room', fingerprint: fp('2') }, 6000), {
      status: 'changed',
      previousFingerprint: fp('1b'),
    });
    assert.equal(
      judgeAndRecord(store, { hubId: 'h_three', name: 'Other', fingerprint: fp('3') }, 6000).status,
      'new',
    );
  });

  it('hubs added by address keep their address until removed', () => {
    store.setManualAddress('h_three', { host: '10.0.0.5', port: 7420 });
    assert.deepEqual(
      store.listManual().map((r) => [r.hubId, r.manualHost, r.manualPort]),
      [['h_three', '10.0.0.5', 7420]],
    );
    store.setManualAddress('h_three', null);
    assert.deepEqual(store.listManual(), []);
  });
});
