import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { describe, it } from 'node:test';
import {
  advertTxt,
  announcementRecords,
  decodeTxt,
  foreignClaim,
  goodbyeRecords,
  type HubAdvert,
  instanceLabel,
  type MdnsPacket,
  nameCandidate,
  parseAdvertTxt,
  SERVICE_TYPE,
  serviceFqdn,
  sightings,
} from '../../src/net/lan/records.js';

const fingerprint = createHash('sha256').update('key').digest('hex');
const advert: HubAdvert = {
  hubId: 'h_abc123',
  name: 'Room A',
  protocolVersion: '1',
  fingerprint,
  version: '0.1.0',
};
const announcement = {
  name: 'Room A',
  host: 'laptop.local',
  port: 7420,
  advert,
  addresses: ['192.168.1.23', '169.254.7.9'],
  ttlSeconds: 120,
};
const txtBuffers = (txt: Record<string, string>): Buffer[] =>
  Object.entries(txt).map(([k, v]) => Buffer.from(`${k}=${v}`));

describe('what a hub announces', () => {
  it('PTR, SRV, TXT and one A record per selected address, all with the configured TTL', () => {
    const records = announcementRecords(announcement);
    const fqdn = `Room A.${SERVICE_TYPE}`;
    assert.deepEqual(
      records.map((r) => [r.type, r.name, r.ttl]),
      [
        ['PTR', SERVICE_TYPE, 120],
        ['PTR', '_services._dns-sd._udp.local', 120],
        ['SRV', fqdn, 120],
        ['TXT', fqdn, 120],
        ['A', 'laptop.local', 120],
        ['A', 'laptop.local', 120],
      ],
    );
    assert.deepEqual(records[2]?.data, { port: 7420, target: 'laptop.local' });
    assert.deepEqual(
      records.filter((r) => r.type === 'A').map((r) => r.data),
      ['192.168.1.23', '169.254.7.9'],
    );
    assert.deepEqual(decodeTxt(records[3]?.data), {
      id: 'h_abc123',
      name: 'Room A',
      proto: '1',
      fp: fingerprint,
      ver: '0.1.0',
    });
  });

  it('a goodbye is the same records with TTL 0 (the shared service enumeration record stays)', () => {
    const goodbye = goodbyeRecords(announcementRecords(announcement));
    assert.ok(goodbye.every((r) => r.ttl === 0));
    assert.ok(goodbye.some((r) => r.type === 'PTR' && r.name === SERVICE_TYPE));
    assert.ok(!goodbye.some((r) => r.name === '_services._dns-sd._udp.local'));
  });

  it('TXT round-trips and malformed adverts are rejected', () => {
    assert.deepEqual(parseAdvertTxt(decodeTxt(txtBuffers(advertTxt(advert)))), advert);
    assert.deepEqual(parseAdvertTxt({ id: 'h_abc123', name: 'X', proto: '1', fp: fingerprint }), {
      ...advert,
      name: 'X',
      version: null,
    });
    for (const bad of [
      undefined,
      'text',
      { id: 'h_abc123', name: 'X', proto: '1' },
      { id: 'h_abc123', name: 'X', proto: '1', fp: 'not-hex' },
      { id: 'has space', name: 'X', proto: '1', fp: fingerprint },
      { id: 'h_abc123', name: '', proto: '1', fp: fingerprint },
    ]) {
      assert.equal(parseAdvertTxt(bad), undefined, JSON.stringify(bad));
    }
  });

  it('TXT values may contain "="; the first occurrence of a key wins; junk entries are ignored', () => {
    assert.deepEqual(
      decodeTxt([Buffer.from('name=a=b'), Buffer.from('name=second'), Buffer.from('novalue'), 'x=1']),
      {
        name: 'a=b',
        x: '1',
      },
    );
  });
});

describe('instance names', () => {
  it('dots become hyphens and a label stays within 63 bytes (multi-byte characters kept whole)', () => {
    assert.equal(instanceLabel('v1.2 room'), 'v1-2 room');
    const long = 'Ünïcödé '.repeat(20);
    const label = instanceLabel(long);
    assert.ok(Buffer.byteLength(label) <= 63);
    assert.ok(long.startsWith(label));
  });

  it('conflicts are resolved as "Name (2)", "Name (3)", … still within one label', () => {
    assert.equal(nameCandidate('Room', 1), 'Room');
    assert.equal(nameCandidate('Room', 2), 'Room (2)');
    assert.equal(nameCandidate('Room', 12), 'Room (12)');
    const long = nameCandidate('x'.repeat(63), 3);
    assert.ok(long.endsWith(' (3)'));
    assert.equal(Buffer.byteLength(long), 63);
  });
});

describe('reading other hubs out of responses', () => {
  const own = { hubId: 'h_abc123', host: 'laptop.local', port: 7420 };
  const fqdn = serviceFqdn('Room A');
  const other = (id: string): MdnsPacket => ({
    answers: [
      { name: fqdn, type: 'SRV', ttl: 120, data: { port: 7421, target: 'box.local' } },
      { name: fqdn, type: 'TXT', ttl: 120, data: txtBuffers({ ...advertTxt(advert), id }) },
    ],
  });

  it('another hub answering for our name is a conflict; our own answers (even a lone SRV) are not', () => {
    assert.equal(foreignClaim(other('h_zzz'), fqdn, own), 'h_zzz');
    assert.equal(foreignClaim({ answers: announcementRecords(announcement) }, fqdn, own), undefined);
    const loneSrv = announcementRecords(announcement).filter((r) => r.type === 'SRV');
    assert.equal(foreignClaim({ answers: loneSrv }, fqdn, own), undefined);
    assert.equal(foreignClaim(other('h_zzz'), serviceFqdn('Room B'), own), undefined);
    assert.equal(
      foreignClaim({ answers: goodbyeRecords(other('h_zzz').answers ?? []) }, fqdn, own),
      undefined,
    );
    assert.equal(
      foreignClaim(
        {
          answers: [{ name: fqdn.toUpperCase(), type: 'SRV', ttl: 5, data: { port: 1, target: 'x.local' } }],
        },
        fqdn,
        own,
      ),
      '',
      'names compare case-insensitively; a claim without TXT is someone else',
    );
  });

  it('sightings: which instances a packet shows alive, with TTL and the SRV target addresses', () => {
    const seen = sightings({ answers: announcementRecords(announcement) });
    assert.deepEqual(seen, [
      { fqdn: fqdn.toLowerCase(), ttlSeconds: 120, addresses: ['192.168.1.23', '169.254.7.9'] },
    ]);
    assert.deepEqual(sightings({ answers: goodbyeRecords(announcementRecords(announcement)) }), []);
    assert.deepEqual(
      sightings({
        answers: [{ name: '_other._tcp.local', type: 'PTR', ttl: 120, data: 'x._other._tcp.local' }],
      }),
      [],
    );
  });
});
