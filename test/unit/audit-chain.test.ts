import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { createHash } from 'node:crypto';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import Database from 'better-sqlite3';
import { HubError } from '../../src/errors.js';
import { type AuditEntry, auditRowHash, GENESIS_HASH } from '../../src/storage/audit-store.js';
import { DATABASE_FILE, type Db } from '../../src/storage/database.js';
import { SCHEMA_VERSION } from '../../src/storage/migrations.js';
import { openStores, type Stores } from '../../src/storage/stores.js';
import { makeTempDir } from '../helpers/temp-dir.js';

const run = promisify(execFile);
const REPO_ROOT = fileURLToPath(new URL('../..', import.meta.url));
const WORKER = fileURLToPath(new URL('../helpers/audit-append-worker.ts', import.meta.url));

type HashedFields = Parameters<typeof auditRowHash>[1];

interface AuditRow {
  id: number;
  ts: number;
  action: string;
  board_id: string | null;
  share_id: string | null;
  label: string | null;
  actor: string;
  ip: string | null;
  user_agent: string | null;
  detail: string;
  prev_hash: string;
  hash: string;
}

const cleanups: Array<() => void> = [];
after(() => {
  for (const cleanup of cleanups.reverse()) cleanup();
});

function tempDataDir(): string {
  const dir = makeTempDir('boardhub-audit-');
  cleanups.push(() => dir.remove());
  return dir.path;
}

function open(dataDir: string): Stores {
  const stores = openStores(dataDir);
  cleanups.push(() => {
    if (stores.db.open) stores.close();
  });
  return stores;
}

const allRows = (db: Db): AuditRow[] => db.prepare<[], AuditRow>('SELECT * FROM audit_log ORDER BY id').all();

const fieldsOf = (row: AuditRow): HashedFields => ({
  ts: row.ts,
  action: row.action,
  actor: row.actor,
  boardId: row.board_id,
  shareId: row.share_id,
  label: row.label,
  ip: row.ip,
  userAgent: row.user_agent,
  detailJson: row.detail,
});

/** The id of the first row whose link or hash does not check out, or null for an intact chain. */
function firstBrokenRow(rows: readonly AuditRow[]): number | null {
  let prevHash = GENESIS_HASH;
  for (const row of rows) {
    if (row.prev_hash !== prevHash || row.hash !== auditRowHash(prevHash, fieldsOf(row))) return row.id;
    prevHash = row.hash;
  }
  return null;
}

function assertIntactChain(rows: readonly AuditRow[]): void {
  assert.ok(rows.length > 0);
  assert.equal(rows[0]!.prev_hash, GENESIS_HASH, 'the first row links to the genesis hash');
  rows.forEach((row, index) => {
    if (index > 0) assert.equal(row.prev_hash, rows[index - 1]!.hash, `row ${row.id} links to row ${index}`);
    assert.equal(row.hash, auditRowHash(row.prev_hash, fieldsOf(row)), `row ${row.id} hash`);
    assert.match(row.hash, /^[0-9a-f]{64}$/);
  });
  assert.equal(firstBrokenRow(rows), null);
}

const entry = (overrides: Partial<AuditEntry> = {}): AuditEntry => ({
  ts: 1_700_000_000_000,
  action: 'connect',
  actor: 'share:s_abc',
  boardId: 'b_board1',
  shareId: 's_abc',
  label: 'Design review',
  ip: '192.168.1.20',
  userAgent: 'Mozilla/5.0',
  detail: { connection: 1, role: 'edit' },
  ...overrides,
});

describe('the audit log is an append-only hash chain', () => {
  it('appended rows chain: first links to GENESIS_HASH, each to the one before, each hash recomputes', () => {
    const stores = open(tempDataDir());
    stores.audit.append([
      entry({ action: 'hub_start', actor: 'hub', boardId: null, shareId: null, label: null }),
    ]);
    stores.audit.append([entry(), entry({ action: 'disconnect', detail: { durationMs: 1234, code: 1000 } })]);
    stores.audit.append([
      entry({ action: 'denied', actor: 'anonymous', ip: null, userAgent: null, detail: {} }),
    ]);
    stores.audit.append([{ ts: 5, action: 'hub_stop', actor: 'hub' }]);

    const rows = allRows(stores.db);
    assert.equal(rows.length, 5);
    assert.equal(GENESIS_HASH, '0'.repeat(64));
    assertIntactChain(rows);
    assert.equal(new Set(rows.map((row) => row.hash)).size, rows.length, 'every hash is distinct');
    // Absent optional fields are stored (and hashed) as null and {}.
    assert.deepEqual(
      { board: rows[4]!.board_id, ip: rows[4]!.ip, detail: rows[4]!.detail },
      { board: null, ip: null, detail: '{}' },
    );
  });

  it('appends inside a caller transaction continue the same chain', () => {
    const stores = open(tempDataDir());
    stores.audit.append([entry()]);
    stores.db
      .transaction(() => stores.audit.appendInTransaction([entry({ ts: 2 }), entry({ ts: 3 })]))
      .immediate();
    stores.audit.append([entry({ ts: 4 })]);
    assertIntactChain(allRows(stores.db));
  });

  it('recent() returns the newest rows first, with detail as an object', () => {
    const stores = open(tempDataDir());
    stores.audit.append([entry({ ts: 1 }), entry({ ts: 2, detail: { nested: { ok: true } } })]);
    const [newest, older] = stores.audit.recent(2);
    assert.equal(newest?.ts, 2);
    assert.deepEqual(newest?.detail, { nested: { ok: true } });
    assert.equal(newest?.prevHash, older?.hash);
  });

  it('changing any single hashed field of a row changes its hash', () => {
    const base: HashedFields = {
      ts: 1_700_000_000_000,
      action: 'connect',
      actor: 'share:s_abc',
      boardId: 'b_board1',
      shareId: 's_abc',
      label: 'Design review',
      ip: '192.168.1.20',
      userAgent: 'Mozilla/5.0',
      detailJson: '{"role":"edit"}',
    };
    const prevHash = createHash('sha256').update('previous').digest('hex');
    const original = auditRowHash(prevHash, base);
    assert.equal(auditRowHash(prevHash, { ...base }), original, 'the hash is deterministic');

    const changes: Array<[string, Partial<HashedFields>]> = [
      ['ts', { ts: base.ts + 1 }],
      ['action', { action: 'disconnect' }],
      ['actor', { actor: 'share:s_abd' }],
      ['boardId', { boardId: 'b_board2' }],
      ['boardId to null', { boardId: null }],
      ['shareId', { shareId: 's_abd' }],
      ['label', { label: 'Design review!' }],
      ['label to empty', { label: '' }],
      ['label to the text "null"', { label: 'null' }],
      ['ip', { ip: '192.168.1.21' }],
      ['userAgent', { userAgent: null }],
      ['detailJson', { detailJson: '{"role":"view"}' }],
    ];
    for (const [what, change] of changes) {
      assert.notEqual(auditRowHash(prevHash, { ...base, ...change }), original, what);
    }
    assert.notEqual(auditRowHash(GENESIS_HASH, base), original, 'the previous hash');
    // Moving text between neighbouring fields must not collide either.
    assert.notEqual(
      auditRowHash(prevHash, { ...base, actor: 'share:s_abcs_abc', shareId: '' }),
      auditRowHash(prevHash, { ...base, actor: 'share:s_abc', shareId: 's_abc' }),
    );
  });

  it('an edited or removed row breaks the chain from that row on', () => {
    const stores = open(tempDataDir());
    for (let i = 0; i < 5; i++) stores.audit.append([entry({ ts: i })]);
    assert.equal(firstBrokenRow(allRows(stores.db)), null);

    stores.db.prepare("UPDATE audit_log SET actor = 'someone else' WHERE id = 3").run();
    assert.equal(firstBrokenRow(allRows(stores.db)), 3);

    const other = open(tempDataDir());
    for (let i = 0; i < 5; i++) other.audit.append([entry({ ts: i })]);
    other.db.prepare('DELETE FROM audit_log WHERE id = 2').run();
    assert.equal(firstBrokenRow(allRows(other.db)), 3);
  });

  it('two separately opened Stores on one file (as two processes would) append to one unbroken chain', () => {
    const dataDir = tempDataDir();
    const first = open(dataDir);
    const second = open(dataDir);
    let appended = 0;
    for (let i = 0; i < 20; i++) {
      const writer = i % 2 === 0 ? first : second;
      const actor = i % 2 === 0 ? 'hub' : 'cli';
      const batch = Array.from({ length: (i % 3) + 1 }, (_, j) => entry({ ts: i * 10 + j, actor }));
      writer.audit.append(batch);
      appended += batch.length;
    }
    const rows = allRows(first.db);
    assert.equal(rows.length, appended);
    assertIntactChain(rows);
    assert.deepEqual(allRows(second.db), rows, 'both connections see the same log');
  });

  it('two real processes appending at the same moment still form one unbroken chain', async () => {
    const dataDir = tempDataDir();
    open(dataDir).close(); // create and migrate once, so the workers only append
    const batches = 150;
    const startAt = Date.now() + 2_000;
    const worker = (actor: string) =>
      run(process.execPath, ['--import', 'tsx', WORKER, dataDir, actor, String(batches), String(startAt)], {
        cwd: REPO_ROOT,
      });
    await Promise.all([worker('process-a'), worker('process-b')]);

    const stores = open(dataDir);
    const rows = allRows(stores.db);
    const perWorker = (batches / 3) * (1 + 2 + 3);
    assert.equal(rows.filter((row) => row.actor === 'process-a').length, perWorker);
    assert.equal(rows.filter((row) => row.actor === 'process-b').length, perWorker);
    const turns = rows.filter((row, index) => index > 0 && row.actor !== rows[index - 1]!.actor).length;
    assert.ok(turns > 1, 'the two processes did not overlap, so this run proved nothing');
    assertIntactChain(rows);
  });
});

describe('schema migrations', () => {
  const fingerprint = (dataDir: string): { files: string[]; bytes: string } => ({
    files: readdirSync(dataDir).sort(),
    bytes: createHash('sha256')
      .update(readFileSync(join(dataDir, DATABASE_FILE)))
      .digest('hex'),
  });

  /** A database as some future Boardhub would leave it: a higher user_version and tables we do not know. */
  function futureDatabase(journalMode: 'wal' | 'delete'): string {
    const dataDir = tempDataDir();
    const db = new Database(join(dataDir, DATABASE_FILE));
    db.pragma(`journal_mode = ${journalMode}`);
    db.exec(
      "CREATE TABLE boards_v9 (id TEXT PRIMARY KEY, shape TEXT); INSERT INTO boards_v9 VALUES ('b_1', 'new')",
    );
    db.pragma(`user_version = ${SCHEMA_VERSION + 1}`);
    db.close();
    return dataDir;
  }

  function assertRefusedUnchanged(dataDir: string): void {
    const before = fingerprint(dataDir);
    assert.throws(
      () => openStores(dataDir),
      (error: unknown) => {
        assert.ok(error instanceof HubError, `expected a HubError, got ${String(error)}`);
        assert.equal(error.code, 'SCHEMA_TOO_NEW');
        assert.match(error.message, new RegExp(`schema ${SCHEMA_VERSION + 1}`));
        return true;
      },
    );
    assert.deepEqual(fingerprint(dataDir), before, 'the database file must be byte-for-byte unchanged');
    const db = new Database(join(dataDir, DATABASE_FILE), { readonly: true });
    try {
      assert.equal(db.pragma('user_version', { simple: true }), SCHEMA_VERSION + 1);
      const tables = db
        .prepare<[], { name: string }>("SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name")
        .all()
        .map((row) => row.name);
      assert.deepEqual(tables, ['boards_v9']);
    } finally {
      db.close();
    }
  }

  it('a fresh data folder is migrated to SCHEMA_VERSION, and reopening it changes nothing', () => {
    const dataDir = tempDataDir();
    const stores = open(dataDir);
    assert.equal(stores.db.pragma('user_version', { simple: true }), SCHEMA_VERSION);
    stores.audit.append([entry()]);
    stores.close();
    const again = open(dataDir);
    assert.equal(again.db.pragma('user_version', { simple: true }), SCHEMA_VERSION);
    assert.equal(allRows(again.db).length, 1);
  });

  it('a database from a newer Boardhub (WAL, as we leave it) is refused with SCHEMA_TOO_NEW and left unchanged', () => {
    assertRefusedUnchanged(futureDatabase('wal'));
  });

  it('a newer database in rollback-journal mode is refused and left unchanged too (not switched to WAL)', () => {
    assertRefusedUnchanged(futureDatabase('delete'));
  });
});
