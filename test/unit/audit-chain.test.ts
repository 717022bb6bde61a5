import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { createHash } from 'node:crypto';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import Database from 'better-sqlite3';
import { DEFAULT_AUDIT_RETENTION_MS } from '../../src/config.js';
import { HubError } from '../../src/errors.js';
import { type AuditQueryInput, AuditService } from '../../src/service/audit-service.js';
import {
  AUDIT_EXPORT_COLUMNS,
  type AuditEntry,
  type AuditFilter,
  auditRowHash,
  exportAuditInSlices,
  GENESIS_HASH,
  verifyAuditChainInSlices,
} from '../../src/storage/audit-store.js';
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

/** What someone with write access to the file does first: lift the append-only guards. */
function dropGuards(db: Db): void {
  db.exec('DROP TRIGGER audit_log_no_update; DROP TRIGGER audit_log_no_delete;');
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

  it('an edited or removed row breaks the chain from that row on (once an attacker drops the triggers)', () => {
    const stores = open(tempDataDir());
    for (let i = 0; i < 5; i++) stores.audit.append([entry({ ts: i })]);
    assert.equal(firstBrokenRow(allRows(stores.db)), null);

    dropGuards(stores.db);
    stores.db.prepare("UPDATE audit_log SET actor = 'someone else' WHERE id = 3").run();
    assert.equal(firstBrokenRow(allRows(stores.db)), 3);

    const other = open(tempDataDir());
    for (let i = 0; i < 5; i++) other.audit.append([entry({ ts: i })]);
    dropGuards(other.db);
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

describe('the audit log refuses changes and proves it was not altered', () => {
  it('UPDATE and DELETE through SQL are refused by the triggers, and the rows stay as they were', () => {
    const stores = open(tempDataDir());
    stores.audit.append([entry({ ts: 1 }), entry({ ts: 2 })]);
    const before = allRows(stores.db);
    assert.throws(
      () => stores.db.prepare("UPDATE audit_log SET actor = 'mallory' WHERE id = 1").run(),
      /audit_log is append-only/,
    );
    assert.throws(
      () => stores.db.prepare('DELETE FROM audit_log WHERE id = 2').run(),
      /audit_log is append-only/,
    );
    assert.throws(() => stores.db.prepare('DELETE FROM audit_log').run(), /audit_log is append-only/);
    assert.deepEqual(allRows(stores.db), before);
  });

  it('verify() is ok on an empty log (head = GENESIS_HASH) and on a fresh chain (head = newest hash)', () => {
    const stores = open(tempDataDir());
    assert.deepEqual(stores.audit.verify(), { ok: true, rows: 0, headHash: GENESIS_HASH });
    for (let i = 0; i < 4; i++)
      stores.audit.append([entry({ ts: i }), entry({ ts: i, action: 'disconnect' })]);
    const rows = allRows(stores.db);
    assert.deepEqual(stores.audit.verify(), { ok: true, rows: 8, headHash: rows.at(-1)!.hash });
    assert.deepEqual(new AuditService(stores).verify(), stores.audit.verify());
  });

  it('verify() names an altered row, whichever field changed', () => {
    const alterations = [
      "actor = 'mallory'",
      'ts = ts + 1',
      "ip = '10.0.0.66'",
      'label = NULL',
      `detail = '{"connection":1,"role":"view"}'`,
      "action = 'disconnect'",
    ];
    for (const change of alterations) {
      const stores = open(tempDataDir());
      for (let i = 0; i < 5; i++) stores.audit.append([entry({ ts: i })]);
      dropGuards(stores.db);
      stores.db.exec(`UPDATE audit_log SET ${change} WHERE id = 3`);
      const result = stores.audit.verify();
      assert.equal(result.ok, false, change);
      assert.deepEqual(!result.ok && result.brokenAt.id, 3, change);
      assert.equal(!result.ok && result.rows, 2, `${change}: rows 1 and 2 check out`);
      assert.match(!result.ok ? result.brokenAt.reason : '', /altered/);
    }
  });

  it('verify() finds a deleted middle row at the next row, and an edit whose hash was recomputed at the next row', () => {
    const deleted = open(tempDataDir());
    for (let i = 0; i < 5; i++) deleted.audit.append([entry({ ts: i })]);
    dropGuards(deleted.db);
    deleted.db.exec('DELETE FROM audit_log WHERE id = 2');
    const afterDelete = deleted.audit.verify();
    assert.equal(afterDelete.ok, false);
    assert.equal(!afterDelete.ok && afterDelete.brokenAt.id, 3);
    assert.match(!afterDelete.ok ? afterDelete.brokenAt.reason : '', /row before it \(row 1\)/);

    const rehashed = open(tempDataDir());
    for (let i = 0; i < 5; i++) rehashed.audit.append([entry({ ts: i })]);
    dropGuards(rehashed.db);
    const row = allRows(rehashed.db)[1]!;
    const forged = { ...fieldsOf(row), actor: 'mallory' };
    rehashed.db
      .prepare('UPDATE audit_log SET actor = ?, hash = ? WHERE id = ?')
      .run('mallory', auditRowHash(row.prev_hash, forged), row.id);
    const afterRehash = rehashed.audit.verify();
    assert.equal(!afterRehash.ok && afterRehash.brokenAt.id, 3, 'row 3 no longer links to row 2');
  });

  it('verify() finds the first rows removed without a checkpoint', () => {
    const stores = open(tempDataDir());
    for (let i = 0; i < 5; i++) stores.audit.append([entry({ ts: i })]);
    dropGuards(stores.db);
    stores.db.exec('DELETE FROM audit_log WHERE id <= 2');
    const result = stores.audit.verify();
    assert.equal(!result.ok && result.brokenAt.id, 3);
    assert.match(!result.ok ? result.brokenAt.reason : '', /genesis/);
  });
});

describe('verifying in slices, as a running hub does', () => {
  it('reaches the same verdicts as verify(): empty, intact, altered, pruned', async () => {
    const empty = open(tempDataDir());
    assert.deepEqual(await new AuditService(empty).verifyInSlices(), empty.audit.verify());

    const intact = open(tempDataDir());
    for (let i = 0; i < 50; i++) intact.audit.append([entry({ ts: i })]);
    const verdict = await new AuditService(intact).verifyInSlices();
    assert.deepEqual(verdict, intact.audit.verify());
    assert.deepEqual(verdict, { ok: true, rows: 50, headHash: allRows(intact.db).at(-1)!.hash });

    const altered = open(tempDataDir());
    for (let i = 0; i < 50; i++) altered.audit.append([entry({ ts: i })]);
    dropGuards(altered.db);
    altered.db.exec("UPDATE audit_log SET ip = '10.0.0.66' WHERE id = 30");
    const broken = await verifyAuditChainInSlices(altered.file, 0);
    assert.deepEqual(broken, altered.audit.verify());
    assert.equal(!broken.ok && broken.brokenAt.id, 30);

    const pruned = open(tempDataDir());
    for (let i = 0; i < 50; i++) pruned.audit.append([entry({ ts: i })]);
    assert.ok(pruned.audit.prune(25, 1_000));
    const afterPrune = await verifyAuditChainInSlices(pruned.file, 0);
    assert.equal(afterPrune.ok, true);
    assert.deepEqual(afterPrune, pruned.audit.verify());
  });

  it('concurrent callers share walks: one runs, one waits and covers what was appended meanwhile', async () => {
    const stores = open(tempDataDir());
    for (let i = 0; i < 20; i++) stores.audit.append([entry({ ts: i })]);
    const service = new AuditService(stores);
    const first = service.verifyInSlices();
    stores.audit.append([entry({ ts: 100 }), entry({ ts: 101 })]);
    const second = service.verifyInSlices();
    const third = service.verifyInSlices();
    assert.notEqual(first, second);
    assert.equal(second, third, 'callers while a walk runs share the next one');
    assert.equal((await first).rows, 20);
    assert.equal((await second).rows, 22);
    // Once both are done, the next caller starts a walk of its own.
    stores.audit.append([entry({ ts: 102 })]);
    assert.deepEqual(await service.verifyInSlices(), stores.audit.verify());
    assert.equal((await service.verifyInSlices()).rows, 23);
  });

  it('lets the event loop run between slices and checks the log as it was when it began, while rows are appended', async () => {
    const stores = open(tempDataDir());
    for (let i = 0; i < 10; i++) {
      stores.audit.append(Array.from({ length: 100 }, (_, j) => entry({ ts: i * 100 + j })));
    }
    let turns = 0;
    let appended = 0;
    let verifying = true;
    const appendEachTurn = (): void => {
      if (!verifying) return;
      turns++;
      // The hub's own connection writes while the walk holds its read snapshot.
      if (turns % 50 === 0) {
        stores.audit.append([entry({ ts: 5_000 + turns, action: 'disconnect' })]);
        appended++;
      }
      setImmediate(appendEachTurn);
    };
    setImmediate(appendEachTurn);
    // One row per slice: the walk takes at least one turn per row.
    const verdict = await verifyAuditChainInSlices(stores.file, 0);
    verifying = false;
    assert.ok(turns >= 900, `the event loop ran ${turns} turns during the walk`);
    assert.ok(appended > 0);
    assert.equal(verdict.ok, true);
    assert.equal(verdict.rows, 1_000, 'rows appended during the walk are not part of it');
    assert.deepEqual(stores.audit.verify(), {
      ok: true,
      rows: 1_000 + appended,
      headHash: allRows(stores.db).at(-1)!.hash,
    });
  });
});

describe('retention pruning keeps the chain verifiable', () => {
  const DAY = 24 * 60 * 60 * 1000;
  const NOW = 1_750_000_000_000;

  /** Rows at NOW - 10 days, -9 days, ... -1 day: one per day. */
  function tenDaysOfRows(stores: Stores): void {
    for (let day = 10; day >= 1; day--)
      stores.audit.append([entry({ ts: NOW - day * DAY, detail: { day } })]);
  }

  const guardNames = (db: Db): string[] =>
    db
      .prepare<[], { name: string }>("SELECT name FROM sqlite_master WHERE type = 'trigger' ORDER BY name")
      .all()
      .map((row) => row.name);

  it('removes the old rows, appends a checkpoint naming where the chain continues, and verify() passes', () => {
    const stores = open(tempDataDir());
    tenDaysOfRows(stores);
    const before = allRows(stores.db);
    const result = stores.audit.prune(NOW - 5.5 * DAY, NOW);

    const firstKept = before[5]!;
    assert.deepEqual(result, {
      removed: 5,
      cutoff: NOW - 5.5 * DAY,
      anchor: { firstKeptId: firstKept.id, firstKeptPrevHash: firstKept.prev_hash },
    });
    const after = allRows(stores.db);
    assert.deepEqual(
      after.slice(0, 5).map((row) => row.id),
      before.slice(5).map((row) => row.id),
    );
    const checkpoint = after.at(-1)!;
    assert.equal(checkpoint.action, 'audit_pruned');
    assert.equal(checkpoint.ts, NOW);
    assert.equal(checkpoint.prev_hash, before.at(-1)!.hash, 'the checkpoint continues the chain');
    assert.deepEqual(JSON.parse(checkpoint.detail), {
      removed: 5,
      cutoff: NOW - 5.5 * DAY,
      anchor: { firstKeptId: firstKept.id, firstKeptPrevHash: firstKept.prev_hash },
    });
    assert.deepEqual(stores.audit.verify(), { ok: true, rows: 6, headHash: checkpoint.hash });
    assert.deepEqual(guardNames(stores.db), ['audit_log_no_delete', 'audit_log_no_update']);
    assert.throws(() => stores.db.exec('DELETE FROM audit_log'), /append-only/, 'the delete guard is back');
  });

  it('a second prune (which also removes the first checkpoint) and later appends still verify', () => {
    const stores = open(tempDataDir());
    tenDaysOfRows(stores);
    const first = stores.audit.prune(NOW - 8.5 * DAY, NOW - DAY / 2);
    assert.equal(first.removed, 2);
    assert.equal(stores.audit.verify().ok, true);
    stores.audit.append([entry({ ts: NOW })]);
    const second = stores.audit.prune(NOW - DAY / 4, NOW + 1);
    assert.equal(second.removed, 8 + 1, 'days -8..-1 and the first checkpoint');
    stores.audit.append([entry({ ts: NOW + 2 })]);
    const result = stores.audit.verify();
    assert.equal(result.ok, true);
    assert.equal(result.rows, 3, 'the row at NOW, the second checkpoint, the last append');
    const checkpoints = allRows(stores.db).filter((row) => row.action === 'audit_pruned');
    assert.equal(checkpoints.length, 1);
  });

  it('pruning with nothing old enough removes nothing and appends no checkpoint', () => {
    const stores = open(tempDataDir());
    assert.deepEqual(stores.audit.prune(NOW, NOW), { removed: 0, cutoff: NOW, anchor: null });
    tenDaysOfRows(stores);
    const before = allRows(stores.db);
    assert.deepEqual(stores.audit.prune(NOW - 20 * DAY, NOW), {
      removed: 0,
      cutoff: NOW - 20 * DAY,
      anchor: null,
    });
    assert.deepEqual(allRows(stores.db), before);
  });

  it('only a prefix is removed when timestamps are out of order, and the newest row is always kept', () => {
    const stores = open(tempDataDir());
    // Row 3 is older than row 2 (another process's clock, or a queued group commit).
    for (const ts of [NOW - 9 * DAY, NOW - 5 * DAY, NOW - 8 * DAY, NOW - 2 * DAY])
      stores.audit.append([entry({ ts })]);
    const outOfOrder = stores.audit.prune(NOW - 6 * DAY, NOW);
    assert.equal(outOfOrder.removed, 1, 'row 3 stays: removing it would cut the chain between rows 2 and 4');
    assert.deepEqual(
      allRows(stores.db).map((row) => row.id),
      [2, 3, 4, 5],
    );
    assert.equal(stores.audit.verify().ok, true);

    const allOld = stores.audit.prune(NOW + DAY, NOW + 2 * DAY);
    assert.equal(allOld.removed, 3, 'everything but the newest row (the first checkpoint)');
    assert.deepEqual(
      allRows(stores.db).map((row) => row.id),
      [5, 6],
    );
    assert.equal(stores.audit.verify().ok, true);
  });

  it('after pruning, removing the first kept row is detected at the new first row', () => {
    const stores = open(tempDataDir());
    tenDaysOfRows(stores);
    const { anchor } = stores.audit.prune(NOW - 5.5 * DAY, NOW);
    dropGuards(stores.db);
    stores.db.prepare('DELETE FROM audit_log WHERE id = ?').run(anchor!.firstKeptId);
    const result = stores.audit.verify();
    assert.equal(!result.ok && result.brokenAt.id, anchor!.firstKeptId + 1);
    assert.match(
      !result.ok ? result.brokenAt.reason : '',
      /prune checkpoint row 11 says the chain continues at row 6/,
    );
  });

  it('after pruning, a forged first row or a changed anchor is detected', () => {
    // A forged first row: new content, linked to the genesis hash, its own hash recomputed.
    const forgedFirst = open(tempDataDir());
    tenDaysOfRows(forgedFirst);
    const { anchor } = forgedFirst.audit.prune(NOW - 5.5 * DAY, NOW);
    dropGuards(forgedFirst.db);
    const first = allRows(forgedFirst.db)[0]!;
    const fields = { ...fieldsOf(first), actor: 'nobody' };
    forgedFirst.db
      .prepare('UPDATE audit_log SET actor = ?, prev_hash = ?, hash = ? WHERE id = ?')
      .run('nobody', GENESIS_HASH, auditRowHash(GENESIS_HASH, fields), first.id);
    const forged = forgedFirst.audit.verify();
    assert.equal(!forged.ok && forged.brokenAt.id, anchor!.firstKeptId);

    // The anchor rewritten to name the row after a removed first row: the checkpoint's hash breaks.
    const movedAnchor = open(tempDataDir());
    tenDaysOfRows(movedAnchor);
    movedAnchor.audit.prune(NOW - 5.5 * DAY, NOW);
    dropGuards(movedAnchor.db);
    const [kept, next] = allRows(movedAnchor.db);
    movedAnchor.db.prepare('DELETE FROM audit_log WHERE id = ?').run(kept!.id);
    const checkpoint = allRows(movedAnchor.db).at(-1)!;
    const detail = JSON.parse(checkpoint.detail) as { anchor: { firstKeptId: number } };
    detail.anchor = { firstKeptId: next!.id, firstKeptPrevHash: next!.prev_hash } as typeof detail.anchor;
    movedAnchor.db
      .prepare('UPDATE audit_log SET detail = ? WHERE id = ?')
      .run(JSON.stringify(detail), checkpoint.id);
    const moved = movedAnchor.audit.verify();
    assert.equal(!moved.ok && moved.brokenAt.id, checkpoint.id);
    assert.match(!moved.ok ? moved.brokenAt.reason : '', /altered/);
  });

  it('refuses to prune when the delete guard was dropped, and changes nothing', () => {
    const stores = open(tempDataDir());
    tenDaysOfRows(stores);
    stores.db.exec('DROP TRIGGER audit_log_no_delete');
    const before = allRows(stores.db);
    assert.throws(() => stores.audit.prune(NOW - 5.5 * DAY, NOW), /delete guard .* is missing/);
    assert.deepEqual(allRows(stores.db), before);
  });

  it('AuditService.prune keeps the retention period counted back from now, and validates it', () => {
    const stores = open(tempDataDir());
    const now = Date.now();
    for (const age of [200, 190, 170, 10]) stores.audit.append([entry({ ts: now - age * DAY })]);
    const service = new AuditService(stores);
    const result = service.prune(DEFAULT_AUDIT_RETENTION_MS, { name: 'cli:alice' });
    assert.equal(DEFAULT_AUDIT_RETENTION_MS, 180 * DAY);
    assert.equal(result.removed, 2);
    assert.equal(allRows(stores.db).at(-1)?.actor, 'cli:alice');
    assert.equal(service.verify().ok, true);
    for (const bad of [0, -1, 1.5, Number.NaN]) {
      assert.throws(() => service.prune(bad), isInvalidArgument, String(bad));
    }
  });
});

describe('querying and exporting the audit log', () => {
  const BOARDS = ['b_one', 'b_two', null] as const;
  const ACTIONS = ['connect', 'disconnect', 'denied', 'share_create'] as const;
  const ACTORS = ['share:s_1', 'share:s_2', 'cli:alice'] as const;
  const IPS = ['10.0.0.1', '10.0.0.2', null] as const;

  /** 240 rows cycling through boards, actions, actors and IPs, 1 minute apart. */
  function variedLog(): Stores {
    const stores = open(tempDataDir());
    for (let i = 0; i < 240; i++) {
      stores.audit.append([
        entry({
          ts: 1_000_000 + i * 60_000,
          boardId: BOARDS[i % 3] ?? null,
          action: ACTIONS[i % 4]!,
          actor: ACTORS[Math.floor(i / 5) % 3]!,
          ip: IPS[(i % 7) % 3] ?? null,
        }),
      ]);
    }
    return stores;
  }

  const matches = (row: AuditRow, filter: AuditFilter): boolean =>
    (filter.from === undefined || row.ts >= filter.from) &&
    (filter.to === undefined || row.ts < filter.to) &&
    (filter.boardId === undefined || row.board_id === filter.boardId) &&
    (filter.action === undefined || row.action === filter.action) &&
    (filter.actor === undefined || row.actor === filter.actor) &&
    (filter.ip === undefined || row.ip === filter.ip);

  const FILTERS: AuditFilter[] = [
    {},
    { boardId: 'b_one' },
    { action: 'denied' },
    { actor: 'cli:alice' },
    { ip: '10.0.0.2' },
    { from: 1_000_000 + 30 * 60_000, to: 1_000_000 + 100 * 60_000 },
    { boardId: 'b_two', action: 'disconnect', from: 1_000_000 + 50 * 60_000 },
    { boardId: 'b_one', actor: 'share:s_2', ip: '10.0.0.1', to: 1_000_000 + 200 * 60_000 },
    { boardId: 'b_nope' },
  ];

  it('keyset paging through every filter returns each matching row exactly once, newest first', () => {
    const stores = variedLog();
    const service = new AuditService(stores);
    const rows = allRows(stores.db);
    for (const filter of FILTERS) {
      const expected = rows
        .filter((row) => matches(row, filter))
        .map((row) => row.id)
        .reverse();
      for (const limit of [1, 7, 100, 1000]) {
        const seen: number[] = [];
        let cursor: number | null | undefined;
        let pages = 0;
        do {
          const page = service.query({ ...filter, limit, beforeId: cursor ?? undefined });
          assert.ok(page.entries.length <= limit);
          seen.push(...page.entries.map((record) => record.id));
          cursor = page.nextCursor;
          pages++;
        } while (cursor !== null && pages < 1000);
        assert.deepEqual(seen, expected, `${JSON.stringify(filter)} limit ${limit}`);
        assert.equal(pages, Math.max(1, Math.ceil(expected.length / limit)), 'no empty trailing page');
      }
    }
  });

  it('query() returns whole records (detail as an object) and defaults to 100 rows', () => {
    const stores = variedLog();
    const page = new AuditService(stores).query();
    assert.equal(page.entries.length, 100);
    assert.equal(page.nextCursor, 141);
    const newest = allRows(stores.db).at(-1)!;
    assert.deepEqual(page.entries[0], {
      id: newest.id,
      ts: newest.ts,
      action: newest.action,
      actor: newest.actor,
      boardId: newest.board_id,
      shareId: newest.share_id,
      label: newest.label,
      ip: newest.ip,
      userAgent: newest.user_agent,
      detail: JSON.parse(newest.detail),
      prevHash: newest.prev_hash,
      hash: newest.hash,
    });
  });

  it('invalid queries are refused with INVALID_ARGUMENT and a message naming the field', () => {
    const service = new AuditService(open(tempDataDir()));
    const bad: Array<[Record<string, unknown>, RegExp]> = [
      [{ limit: 1001 }, /limit: at most 1000/],
      [{ limit: 0 }, /limit/],
      [{ action: 'nope' }, /action/],
      [{ from: 10, to: 10 }, /from: must be before to/],
      [{ from: -1 }, /from/],
      [{ beforeId: 0 }, /beforeId/],
      [{ boardId: '' }, /boardId/],
      [{ board: 'b_one' }, /board/],
    ];
    for (const [query, message] of bad) {
      assert.throws(
        () => service.query(query as AuditQueryInput),
        (error: unknown) => isInvalidArgument(error) && message.test((error as HubError).message),
        JSON.stringify(query),
      );
    }
    assert.throws(() => service.export({}, 'xml' as 'csv', () => {}), isInvalidArgument);
  });

  /** Values that need CSV quoting, and the null / empty-string distinction. */
  function awkwardLog(): Stores {
    const stores = open(tempDataDir());
    stores.audit.append([
      entry({ label: 'Group A, B', userAgent: 'Mozilla/5.0 "quoted"', detail: { note: 'a,b "c"' } }),
      entry({ label: 'two\nlines', userAgent: 'cr\r\nlf', ip: null }),
      entry({ label: '', shareId: null, boardId: null, detail: {} }),
      entry({ label: '"', actor: '=cmd|calc', detail: { nested: { list: [1, 'x,y'] } } }),
      entry({ action: 'denied', label: null, userAgent: '' }),
    ]);
    return stores;
  }

  const exportedFields = (row: AuditRow): Array<string | number | null> => [
    row.id,
    new Date(row.ts).toISOString(),
    row.action,
    row.actor,
    row.board_id,
    row.share_id,
    row.label,
    row.ip,
    row.user_agent,
    row.detail,
    row.hash,
  ];

  function exportText(service: AuditService, filter: AuditFilter, format: 'csv' | 'jsonl'): string {
    const chunks: string[] = [];
    service.export(filter, format, (chunk) => chunks.push(chunk));
    return chunks.join('');
  }

  it('CSV export parses back (RFC 4180) to the stored rows, newest first, null and "" kept apart', () => {
    const stores = awkwardLog();
    const text = exportText(new AuditService(stores), {}, 'csv');
    const [header, ...records] = parseCsv(text);
    assert.deepEqual(header, [...AUDIT_EXPORT_COLUMNS]);
    const expected = allRows(stores.db)
      .reverse()
      .map((row) => exportedFields(row).map((value) => (value === null ? null : String(value))));
    assert.deepEqual(records, expected);
    // The exported detail and hash are enough to recheck a row against the one before it.
    const rows = allRows(stores.db);
    const second = records.at(-2)!;
    assert.equal(second[10], auditRowHash(rows[0]!.hash, fieldsOf(rows[1]!)));
  });

  it('JSONL export is one object per line with the same columns and values', () => {
    const stores = awkwardLog();
    const text = exportText(new AuditService(stores), {}, 'jsonl');
    assert.ok(text.endsWith('\n'));
    const lines = text.trimEnd().split('\n');
    const expected = allRows(stores.db)
      .reverse()
      .map((row) => {
        const values = exportedFields(row);
        return Object.fromEntries(AUDIT_EXPORT_COLUMNS.map((column, index) => [column, values[index]]));
      });
    assert.deepEqual(
      lines.map((line) => JSON.parse(line)),
      expected,
    );
  });

  it('a filtered export holds exactly the rows a query with that filter pages through', () => {
    const stores = variedLog();
    const service = new AuditService(stores);
    for (const filter of FILTERS) {
      const exported = exportText(service, filter, 'jsonl')
        .split('\n')
        .filter((line) => line !== '')
        .map((line) => (JSON.parse(line) as { id: number }).id);
      const queried = service.query({ ...filter, limit: 1000 }).entries.map((record) => record.id);
      assert.deepEqual(exported, queried, JSON.stringify(filter));
      const csvRows = parseCsv(exportText(service, filter, 'csv')).slice(1);
      assert.deepEqual(
        csvRows.map((record) => Number(record[0])),
        queried,
      );
    }
  });

  it('the export a running hub streams in slices is the one-piece export, for every filter and format', async () => {
    const stores = variedLog();
    const service = new AuditService(stores);
    for (const filter of [...FILTERS, {}]) {
      for (const format of ['csv', 'jsonl'] as const) {
        const chunks: string[] = [];
        // One row per slice: many chunks, each a whole number of lines.
        for await (const chunk of exportAuditInSlices(stores.file, filter, format, 0)) chunks.push(chunk);
        const oneChunk: string[] = [];
        for await (const chunk of service.exportInSlices(filter, format)) oneChunk.push(chunk);
        const expected = exportText(service, filter, format);
        assert.equal(chunks.join(''), expected, `${format} ${JSON.stringify(filter)}`);
        assert.equal(oneChunk.join(''), expected);
        assert.ok(chunks.every((chunk) => chunk.endsWith('\n')));
        if (expected.split('\n').length > 3) assert.ok(chunks.length > 1);
      }
    }
    assert.throws(() => service.exportInSlices({ from: 10, to: 5 }, 'csv'), isInvalidArgument);
  });

  it('a sliced export stopped early releases its snapshot and its connection', async () => {
    const stores = variedLog();
    const chunks = exportAuditInSlices(stores.file, {}, 'jsonl', 0);
    const first = await chunks.next();
    assert.equal(first.done, false);
    // While the export holds its read snapshot, the WAL cannot be reset past it.
    stores.audit.append([entry({ ts: 9_000 })]);
    const held = stores.db.pragma('wal_checkpoint(TRUNCATE)') as Array<{ busy: number }>;
    assert.equal(held[0]?.busy, 1);
    await chunks.return(undefined);
    const released = stores.db.pragma('wal_checkpoint(TRUNCATE)') as Array<{ busy: number }>;
    assert.equal(released[0]?.busy, 0);
  });
});

const isInvalidArgument = (error: unknown): boolean =>
  error instanceof HubError && error.code === 'INVALID_ARGUMENT';

/**
 * A strict RFC 4180 reader for the tests: CRLF records, quoted fields with doubled quotes.
 * An unquoted empty field reads as null and a quoted one ("") as '', as the export writes them.
 */
function parseCsv(text: string): Array<Array<string | null>> {
  const records: Array<Array<string | null>> = [];
  let record: Array<string | null> = [];
  let i = 0;
  while (i < text.length) {
    if (text[i] === '"') {
      let field = '';
      i++;
      for (;;) {
        if (i >= text.length) throw new Error('unterminated quoted field');
        if (text[i] === '"') {
          if (text[i + 1] !== '"') break;
          field += '"';
          i += 2;
        } else {
          field += text[i];
          i++;
        }
      }
      i++;
      record.push(field);
    } else {
      let end = i;
      while (end < text.length && text[end] !== ',' && text[end] !== '\r') end++;
      const field = text.slice(i, end);
      if (/["\n]/.test(field)) throw new Error(`unquoted field with a quote or newline: ${field}`);
      record.push(field === '' ? null : field);
      i = end;
    }
    if (text[i] === ',') {
      i++;
      if (i >= text.length) throw new Error('the last record does not end with CRLF');
    } else if (text.startsWith('\r\n', i)) {
      records.push(record);
      record = [];
      i += 2;
    } else {
      throw new Error(`expected a comma or CRLF at ${i}`);
    }
  }
  if (record.length > 0) throw new Error('the last record does not end with CRLF');
  return records;
}

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
