import assert from 'node:assert/strict';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { openStores } from '../../src/storage/stores.js';
import { runCli } from '../helpers/cli.js';
import { makeTempDir } from '../helpers/temp-dir.js';
import { withDatabase } from '../helpers/test-hub.js';

const DAY = 24 * 60 * 60 * 1000;
const cleanups: Array<() => void> = [];
after(() => {
  for (const cleanup of cleanups) cleanup();
});

function dataDir(): string {
  const dir = makeTempDir('boardhub-audit-cli-');
  cleanups.push(() => dir.remove());
  return dir.path;
}

async function createBoard(data: string, name: string): Promise<string> {
  const result = await runCli(['board', 'create', '--data', data, '--name', name]);
  assert.equal(result.code, 0, result.stderr);
  return result.stdout.trim();
}

/** Rows as the hub would have written them long ago (the CLI cannot backdate). */
function appendOldRows(data: string, count: number, ageMs: number): void {
  const stores = openStores(data);
  try {
    for (let i = 0; i < count; i++) {
      stores.audit.append([
        {
          ts: Date.now() - ageMs + i,
          action: 'connect',
          actor: 'share:s_old',
          boardId: 'b_old',
          ip: '10.0.0.9',
        },
      ]);
    }
  } finally {
    stores.close();
  }
}

describe('boardhub audit', () => {
  it('verify exits 0 on an intact chain and 1, naming the row, once a row was altered in SQLite', async () => {
    const data = dataDir();
    await createBoard(data, 'Retro');
    await createBoard(data, 'Plan');
    await createBoard(data, 'Roadmap');

    const intact = await runCli(['audit', 'verify', '--data', data]);
    assert.equal(intact.code, 0, intact.stderr);
    assert.match(intact.stdout, /^chain intact: 3 rows, head [0-9a-f]{64}\n$/);

    withDatabase(data, (db) => {
      db.exec('DROP TRIGGER audit_log_no_update');
      db.prepare("UPDATE audit_log SET actor = 'cli:mallory' WHERE id = 2").run();
    });
    const broken = await runCli(['audit', 'verify', '--data', data]);
    assert.equal(broken.code, 1);
    assert.match(broken.stderr, /audit chain BROKEN at row 2: .*altered/);
    assert.doesNotMatch(broken.stderr, /\n\s+at /);

    const json = await runCli(['audit', 'verify', '--data', data, '--json']);
    assert.equal(json.code, 1);
    const result = JSON.parse(json.stdout) as { ok: boolean; rows: number; brokenAt: { id: number } };
    assert.deepEqual([result.ok, result.rows, result.brokenAt.id], [false, 1, 2]);
  });

  it('export --format csv --out FILE writes exactly the filtered rows, newest first', async () => {
    const data = dataDir();
    const retro = await createBoard(data, 'Retro, "the big one"');
    const plan = await createBoard(data, 'Plan');
    const share = await runCli(['share', 'create', '--data', data, '--board', retro, '--role', 'edit']);
    assert.equal(share.code, 0, share.stderr);

    const out = join(data, 'retro.csv');
    const exported = await runCli([
      'audit',
      'export',
      '--data',
      data,
      '--format',
      'csv',
      '--board',
      retro,
      '--out',
      out,
    ]);
    assert.equal(exported.code, 0, exported.stderr);
    assert.equal(exported.stdout, '', 'nothing on stdout when writing a file');
    assert.match(exported.stderr, /2 rows written/);
    assert.equal(statSync(out).mode & 0o777, 0o600);
    assert.deepEqual(
      readdirSync(data).filter((name) => name.includes('partial')),
      [],
    );

    const lines = readFileSync(out, 'utf8').split('\r\n');
    assert.equal(lines[0], 'id,time,action,actor,board_id,share_id,label,ip,user_agent,detail,hash');
    assert.equal(lines.at(-1), '', 'every record ends with CRLF');
    const records = lines.slice(1, -1);
    assert.equal(records.length, 2);
    assert.match(records[0]!, new RegExp(`^3,[^,]+,share_create,cli:[^,]+,${retro},s_`));
    assert.match(records[1]!, new RegExp(`^1,[^,]+,board_create,cli:[^,]+,${retro},,,,,`));
    assert.ok(records[1]!.includes('"{""name"":""Retro, \\""the big one\\""""}"'), records[1]);
    assert.ok(!readFileSync(out, 'utf8').includes(plan));

    const jsonl = await runCli([
      'audit',
      'export',
      '--data',
      data,
      '--format',
      'jsonl',
      '--action',
      'board_create',
    ]);
    assert.equal(jsonl.code, 0, jsonl.stderr);
    const rows = jsonl.stdout
      .trimEnd()
      .split('\n')
      .map((line) => JSON.parse(line) as { id: number; board_id: string; detail: string });
    assert.deepEqual(
      rows.map((row) => [row.id, row.board_id, JSON.parse(row.detail).name]),
      [
        [2, plan, 'Plan'],
        [1, retro, 'Retro, "the big one"'],
      ],
    );
  });

  it('list shows filtered rows as a table or JSON pages, and explains bad filters', async () => {
    const data = dataDir();
    const board = await createBoard(data, 'Retro');
    await createBoard(data, 'Plan');

    const table = await runCli(['audit', 'list', '--data', data, '--board', board]);
    assert.equal(table.code, 0, table.stderr);
    assert.match(table.stdout, /^ID\s+TIME\s+ACTION/);
    assert.match(table.stdout, /board_create/);
    assert.equal(table.stdout.trim().split('\n').length, 2, 'header and one row');

    const page = await runCli(['audit', 'list', '--data', data, '--limit', '1', '--json']);
    const first = JSON.parse(page.stdout) as { entries: Array<{ id: number }>; nextCursor: number | null };
    assert.deepEqual([first.entries.map((e) => e.id), first.nextCursor], [[2], 2]);
    const next = await runCli([
      'audit',
      'list',
      '--data',
      data,
      '--limit',
      '1',
      '--before-id',
      '2',
      '--json',
    ]);
    const second = JSON.parse(next.stdout) as typeof first;
    assert.deepEqual([second.entries.map((e) => e.id), second.nextCursor], [[1], null]);

    const badTime = await runCli(['audit', 'list', '--data', data, '--from', 'last tuesday']);
    assert.notEqual(badTime.code, 0);
    assert.match(badTime.stderr, /ISO 8601/);
    const badRange = await runCli([
      'audit',
      'list',
      '--data',
      data,
      '--from',
      '2025-02-01',
      '--to',
      '2025-01-01',
    ]);
    assert.equal(badRange.code, 1);
    assert.match(badRange.stderr, /from: must be before to/);
    const noData = await runCli(['audit', 'verify', '--data', join(data, 'typo')]);
    assert.equal(noData.code, 1);
    assert.match(noData.stderr, /No Boardhub database/);
  });

  it('prune removes rows past retention with a checkpoint, and verify still exits 0', async () => {
    const data = dataDir();
    appendOldRows(data, 4, 200 * DAY);
    await createBoard(data, 'Retro');

    const pruned = await runCli(['audit', 'prune', '--data', data]);
    assert.equal(pruned.code, 0, pruned.stderr);
    assert.match(pruned.stdout, /removed 4 rows older than .*; the chain now starts at row 5/);

    const verified = await runCli(['audit', 'verify', '--data', data]);
    assert.equal(verified.code, 0, verified.stderr);
    assert.match(verified.stdout, /chain intact: 2 rows/);

    const again = await runCli(['audit', 'prune', '--data', data, '--older-than', '90d']);
    assert.equal(again.code, 0, again.stderr);
    assert.match(again.stdout, /nothing to remove/);

    const checkpoint = await runCli(['audit', 'list', '--data', data, '--action', 'audit_pruned', '--json']);
    const { entries } = JSON.parse(checkpoint.stdout) as {
      entries: Array<{ actor: string; detail: { removed: number; anchor: { firstKeptId: number } } }>;
    };
    assert.equal(entries.length, 1);
    assert.match(entries[0]!.actor, /^cli:/);
    assert.deepEqual([entries[0]!.detail.removed, entries[0]!.detail.anchor.firstKeptId], [4, 5]);
    assert.equal((await runCli(['audit', 'verify', '--data', data])).code, 0);
  });
});
