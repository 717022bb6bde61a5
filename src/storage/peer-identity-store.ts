import type { Db } from './database.js';

/**
 * Other hubs this hub has seen: per hub id, the key fingerprint first seen (kept until the user
 * trusts a new one, like ssh's known_hosts), the last name and when it was seen; and, for hubs
 * added by address because multicast does not get through, that address.
 */
export interface PeerIdentityRecord {
  hubId: string;
  fingerprint: string;
  name: string;
  firstSeen: number;
  lastSeen: number;
  manualHost: string | null;
  manualPort: number | null;
}

interface PeerIdentityRow {
  hub_id: string;
  fingerprint: string;
  name: string;
  first_seen: number;
  last_seen: number;
  manual_host: string | null;
  manual_port: number | null;
}

const toRecord = (row: PeerIdentityRow): PeerIdentityRecord => ({
  hubId: row.hub_id,
  fingerprint: row.fingerprint,
  name: row.name,
  firstSeen: row.first_seen,
  lastSeen: row.last_seen,
  manualHost: row.manual_host,
  manualPort: row.manual_port,
});

export class PeerIdentityStore {
  private readonly getStmt;
  private readonly lastByNameStmt;
  private readonly insertStmt;
  private readonly seenStmt;
  private readonly trustStmt;
  private readonly setManualStmt;
  private readonly listManualStmt;

  constructor(db: Db) {
    this.getStmt = db.prepare<[string], PeerIdentityRow>('SELECT * FROM peer_identities WHERE hub_id = ?');
    this.lastByNameStmt = db.prepare<[string, string], PeerIdentityRow>(
      'SELECT * FROM peer_identities WHERE name = ? AND hub_id <> ? ORDER BY last_seen DESC LIMIT 1',
    );
    this.insertStmt = db.prepare<[string, string, string, number, number]>(
      `INSERT INTO peer_identities (hub_id, fingerprint, name, first_seen, last_seen) VALUES (?, ?, ?, ?, ?)
       ON CONFLICT(hub_id) DO NOTHING`,
    );
    this.seenStmt = db.prepare<[string, number, string]>(
      'UPDATE peer_identities SET name = ?, last_seen = max(last_seen, ?) WHERE hub_id = ?',
    );
    this.trustStmt = db.prepare<[string, string]>(
      'UPDATE peer_identities SET fingerprint = ? WHERE hub_id = ?',
    );
    this.setManualStmt = db.prepare<[string | null, number | null, string]>(
      'UPDATE peer_identities SET manual_host = ?, manual_port = ? WHERE hub_id = ?',
    );
    this.listManualStmt = db.prepare<[], PeerIdentityRow>(
      'SELECT * FROM peer_identities WHERE manual_host IS NOT NULL ORDER BY first_seen',
    );
  }

  get(hubId: string): PeerIdentityRecord | undefined {
    const row = this.getStmt.get(hubId);
    return row ? toRecord(row) : undefined;
  }

  /** The hub other than `exceptHubId` seen most recently under `name`. */
  lastSeenWithName(name: string, exceptHubId: string): PeerIdentityRecord | undefined {
    const row = this.lastByNameStmt.get(name, exceptHubId);
    return row ? toRecord(row) : undefined;
  }

  /** Notes a sighting: a new hub is remembered with this fingerprint; a known one keeps its own. */
  recordSighting(sighting: { hubId: string; fingerprint: string; name: string; seenAt: number }): void {
    const { hubId, fingerprint, name, seenAt } = sighting;
    this.insertStmt.run(hubId, fingerprint, name, seenAt, seenAt);
    this.seenStmt.run(name, seenAt, hubId);
  }

  /** Accepts a hub's new key. */
  trust(hubId: string, fingerprint: string): void {
    this.trustStmt.run(fingerprint, hubId);
  }

  setManualAddress(hubId: string, address: { host: string; port: number } | null): void {
    this.setManualStmt.run(address?.host ?? null, address?.port ?? null, hubId);
  }

  listManual(): PeerIdentityRecord[] {
    return this.listManualStmt.all().map(toRecord);
  }
}
