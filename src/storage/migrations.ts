import type { Database } from 'better-sqlite3';
import { HubError } from '../errors.js';

/**
 * Schema migrations keyed on PRAGMA user_version. Each entry moves the schema one version up and
 * runs in one transaction with the version bump. A database from newer code is refused, never
 * "fixed": its owner may need the newer Boardhub to read it.
 */
const MIGRATIONS: readonly string[] = [
  `
  CREATE TABLE hub_meta (
    key   TEXT PRIMARY KEY,
    value TEXT NOT NULL
  ) STRICT;

  CREATE TABLE boards (
    id         TEXT PRIMARY KEY,
    name       TEXT NOT NULL,
    created_at INTEGER NOT NULL,
    updated_at INTEGER NOT NULL,
    deleted_at INTEGER
  ) STRICT;

  -- Append-only log of accepted updates; seq numbers a board's updates (1, 2, ...) and is
  -- assigned by the hub's room, the board's only writer. Clustered on (board_id, seq), so an
  -- append touches one B-tree and a load reads one range.
  CREATE TABLE doc_updates (
    board_id   TEXT NOT NULL REFERENCES boards(id),
    seq        INTEGER NOT NULL,
    data       BLOB NOT NULL,
    created_at INTEGER NOT NULL,
    PRIMARY KEY (board_id, seq)
  ) STRICT, WITHOUT ROWID;

  -- Compacted state: everything of the board up to and including upto_seq.
  CREATE TABLE doc_snapshots (
    board_id   TEXT PRIMARY KEY REFERENCES boards(id),
    data       BLOB NOT NULL,
    upto_seq   INTEGER NOT NULL,
    updated_at INTEGER NOT NULL
  ) STRICT;

  CREATE TABLE shares (
    id         TEXT PRIMARY KEY,
    board_id   TEXT NOT NULL REFERENCES boards(id),
    role       TEXT NOT NULL CHECK (role IN ('view', 'comment', 'edit')),
    label      TEXT NOT NULL DEFAULT '',
    created_at INTEGER NOT NULL,
    expires_at INTEGER,
    revoked_at INTEGER
  ) STRICT;
  CREATE INDEX shares_by_board ON shares(board_id);

  -- Append-only; hash = SHA-256(prev_hash || canonical row) makes silent edits detectable.
  CREATE TABLE audit_log (
    id         INTEGER PRIMARY KEY AUTOINCREMENT,
    ts         INTEGER NOT NULL,
    action     TEXT NOT NULL,
    board_id   TEXT,
    share_id   TEXT,
    label      TEXT,
    actor      TEXT NOT NULL,
    ip         TEXT,
    user_agent TEXT,
    detail     TEXT NOT NULL DEFAULT '{}',
    prev_hash  TEXT NOT NULL,
    hash       TEXT NOT NULL
  ) STRICT;
  -- Audit queries filter by one of these and page newest first by id (the rowid each index ends in).
  CREATE INDEX audit_by_board_newest ON audit_log(board_id, id);
  CREATE INDEX audit_by_action ON audit_log(action);
  CREATE INDEX audit_by_actor ON audit_log(actor);
  CREATE INDEX audit_by_ip ON audit_log(ip);
  -- Rows are never changed or removed in place; retention pruning lifts the delete guard inside
  -- its own transaction and leaves a checkpoint row (see audit-store.ts).
  CREATE TRIGGER audit_log_no_update BEFORE UPDATE ON audit_log
  BEGIN SELECT RAISE(ABORT, 'audit_log is append-only'); END;
  CREATE TRIGGER audit_log_no_delete BEFORE DELETE ON audit_log
  BEGIN SELECT RAISE(ABORT, 'audit_log is append-only'); END;

  -- Admin API credentials: only a SHA-256 of the secret is kept.
  CREATE TABLE admin_tokens (
    id          TEXT PRIMARY KEY,
    secret_hash TEXT NOT NULL,
    created_at  INTEGER NOT NULL,
    revoked_at  INTEGER
  ) STRICT;

  -- Other hubs seen on the LAN: the key fingerprint first seen per hub id (trust on first use),
  -- so a hub whose key changed is flagged. manual_* is set for hubs added by address.
  CREATE TABLE peer_identities (
    hub_id      TEXT PRIMARY KEY,
    fingerprint TEXT NOT NULL,
    name        TEXT NOT NULL,
    first_seen  INTEGER NOT NULL,
    last_seen   INTEGER NOT NULL,
    manual_host TEXT,
    manual_port INTEGER
  ) STRICT;
  CREATE INDEX peer_identities_by_name ON peer_identities(name, last_seen);
  `,
  `
  -- Image bytes of a board (the doc's 'files' root holds only their metadata). A rowid table:
  -- rows this large do not belong in a WITHOUT ROWID B-tree. Immutable once written.
  CREATE TABLE board_files (
    board_id         TEXT NOT NULL REFERENCES boards(id),
    file_id          TEXT NOT NULL,
    mime_type        TEXT NOT NULL,
    bytes            BLOB NOT NULL,
    size             INTEGER NOT NULL,
    created_at       INTEGER NOT NULL,
    created_by_share TEXT,
    UNIQUE (board_id, file_id)
  ) STRICT;

  -- 'owner': the share behind "Open board" (one live one per board), hidden from share lists.
  ALTER TABLE shares ADD COLUMN kind TEXT NOT NULL DEFAULT 'link' CHECK (kind IN ('link', 'owner'));
  CREATE UNIQUE INDEX shares_one_owner_per_board ON shares(board_id)
    WHERE kind = 'owner' AND revoked_at IS NULL;
  `,
  `
  -- Which link first wrote each Yjs client id on a board (client-id-store.ts): only that link
  -- may write the id's later clocks. Ids from before this table have no row until written again.
  CREATE TABLE board_client_ids (
    board_id   TEXT NOT NULL REFERENCES boards(id),
    client_id  INTEGER NOT NULL,
    share_id   TEXT NOT NULL,
    first_seen INTEGER NOT NULL,
    PRIMARY KEY (board_id, client_id)
  ) STRICT, WITHOUT ROWID;
  `,
];

export const SCHEMA_VERSION = MIGRATIONS.length;

/** Refuses a database from newer code; call before changing anything about the file. */
export function assertSchemaKnown(db: Database): number {
  const current = db.pragma('user_version', { simple: true }) as number;
  if (current > SCHEMA_VERSION) {
    throw new HubError(
      'SCHEMA_TOO_NEW',
      `This data folder was written by a newer Boardhub (schema ${current}, this version knows up to ${SCHEMA_VERSION}). Upgrade Boardhub to open it; nothing was changed.`,
    );
  }
  return current;
}

/**
 * Each step re-reads the version inside its IMMEDIATE (write-locked) transaction: two processes
 * opening a new data folder at once must not both run the same migration.
 */
export function migrate(db: Database): void {
  const step = db.transaction((): boolean => {
    const version = assertSchemaKnown(db);
    if (version >= SCHEMA_VERSION) return false;
    db.exec(MIGRATIONS[version] ?? '');
    db.pragma(`user_version = ${version + 1}`);
    return true;
  });
  while (step.immediate()) {
    // One migration per transaction, until the schema is current.
  }
}
