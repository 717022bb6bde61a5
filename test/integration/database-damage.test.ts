import assert from 'node:assert/strict';
import { createHash, randomBytes } from 'node:crypto';
import { closeSync, existsSync, openSync, readdirSync, readFileSync, statSync, writeSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import * as Y from 'yjs';
import { DATABASE_FILE } from '../../src/storage/database.js';
import { runCli } from '../helpers/cli.js';
import { makeTempDir } from '../helpers/temp-dir.js';
import { readStoredDoc, startTestHub } from '../helpers/test-hub.js';

/*
 * A damaged database file must stop the hub before it writes anything into it, and say which file
 * and what to do; `boardhub backup` / `restore` are that remedy.
 */

const PAGE_SIZE = 4096;
const actor = { name: 'test' };

const sha256 = (file: string): string => createHash('sha256').update(readFileSync(file)).digest('hex');

/** A data folder of a real hub, stopped, with enough boards and audit rows for a few hundred pages. */
async function filledDataFolder(dataDir: string): Promise<{ boardIds: string[]; contentBoard: string }> {
  const hub = await startTestHub({}, dataDir);
  try {
    const boardIds: string[] = [];
    for (let i = 0; i < 1500; i++) boardIds.push(hub.hub.service.createBoard(`Board ${i}`, actor).id);
    const doc = new Y.Doc();
    doc.getText('notes').insert(0, 'the notes that must survive a restore');
    const contentBoard = hub.hub.service.importBoard(
      { file: Y.encodeStateAsUpdate(doc), name: 'Content' },
      actor,
    ).id;
    return { boardIds: [...boardIds, contentBoard], contentBoard };
  } finally {
    await hub.hub.stop();
  }
}

/** Eight pages of random bytes in the middle of the file, as a failing disk or a bad copy leaves. */
function damageMiddle(file: string): void {
  const pages = Math.floor(statSync(file).size / PAGE_SIZE);
  assert.ok(pages > 40, `the file has ${pages} pages`);
  const fd = openSync(file, 'r+');
  try {
    writeSync(fd, randomBytes(8 * PAGE_SIZE), 0, 8 * PAGE_SIZE, Math.floor(pages / 2) * PAGE_SIZE);
  } finally {
    closeSync(fd);
  }
}

describe('a damaged database', () => {
  it('boardhub serve refuses to start on it, names the file and the remedy, and leaves it byte for byte untouched', async () => {
    const dir = makeTempDir();
    try {
      await filledDataFolder(dir.path);
      const file = join(dir.path, DATABASE_FILE);
      damageMiddle(file);
      const before = sha256(file);
      const run = await runCli([
        'serve',
        '--data',
        dir.path,
        '--port',
        '0',
        '--no-mdns',
        '--log-level',
        'silent',
      ]);
      assert.notEqual(run.code, 0, `serve must fail: ${run.stdout}${run.stderr}`);
      assert.doesNotMatch(run.stdout, /listening/);
      assert.ok(run.stderr.includes(`${file} is damaged`), run.stderr);
      assert.match(run.stderr, /boardhub restore --data .* --from BACKUP/);
      assert.match(run.stderr, /DATABASE_DAMAGED/);
      assert.doesNotMatch(run.stderr, /\n\s+at /, 'no stack trace');
      assert.equal(sha256(file), before, 'the damaged file is untouched');
    } finally {
      dir.remove();
    }
  });

  it('a backup of it fails naming the damaged file, and a damaged backup is not restored', async () => {
    const dir = makeTempDir();
    try {
      await filledDataFolder(dir.path);
      const file = join(dir.path, DATABASE_FILE);
      const damaged = join(dir.path, 'damaged-copy.db');
      const good = join(dir.path, 'good.db');
      assert.equal((await runCli(['backup', '--data', dir.path, '--to', good])).code, 0);
      assert.equal((await runCli(['backup', '--data', dir.path, '--to', damaged])).code, 0);
      damageMiddle(damaged);
      const before = sha256(file);
      const restore = await runCli(['restore', '--data', dir.path, '--from', damaged]);
      assert.equal(restore.code, 1, restore.stdout);
      assert.ok(restore.stderr.includes(`${damaged} is damaged`), restore.stderr);
      assert.equal(sha256(file), before, 'the data folder keeps its database');

      damageMiddle(file);
      const backup = await runCli(['backup', '--data', dir.path, '--to', join(dir.path, 'new.db')]);
      assert.equal(backup.code, 1, backup.stdout);
      assert.ok(backup.stderr.includes(`${file} is damaged`), backup.stderr);
      assert.equal(existsSync(join(dir.path, 'new.db')), false, 'no damaged copy is left under the name');
    } finally {
      dir.remove();
    }
  });
});

describe('boardhub backup and restore', () => {
  it('a backup taken while the hub runs restores its boards; restore is refused while a hub runs', async () => {
    const dir = makeTempDir();
    try {
      const { boardIds, contentBoard } = await filledDataFolder(dir.path);
      const backupFile = join(dir.path, 'backup.db');
      const hub = await startTestHub({}, dir.path);
      try {
        const backup = await runCli(['backup', '--data', dir.path, '--to', backupFile, '--json']);
        assert.equal(backup.code, 0, backup.stderr);
        hub.hub.service.createBoard('Made after the backup', actor);
        const refused = await runCli(['restore', '--data', dir.path, '--from', backupFile]);
        assert.equal(refused.code, 1);
        assert.match(refused.stderr, /stop it before restoring.*DATA_DIR_IN_USE/);
      } finally {
        await hub.hub.stop();
      }
      const restored = await runCli(['restore', '--data', dir.path, '--from', backupFile, '--json']);
      assert.equal(restored.code, 0, restored.stderr);
      const { previous } = JSON.parse(restored.stdout) as { previous: string };
      assert.ok(existsSync(previous), 'the replaced database is kept');
      assert.ok(
        readdirSync(dir.path).every((name) => !name.endsWith('.partial') && !name.endsWith('.restoring')),
      );

      const again = await startTestHub({}, dir.path);
      try {
        const names = again.hub.service.listBoards().map((board) => board.id);
        assert.deepEqual(new Set(names), new Set(boardIds), 'exactly the boards of the backup');
        assert.equal(
          readStoredDoc(dir.path, contentBoard).getText('notes').toString(),
          'the notes that must survive a restore',
        );
      } finally {
        await again.hub.stop();
      }
    } finally {
      dir.remove();
    }
  });
});
