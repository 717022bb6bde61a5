import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { runCli } from '../helpers/cli.js';
import { connectSynced } from '../helpers/clients.js';
import { makeTempDir } from '../helpers/temp-dir.js';
import { startTestHub, withDatabase } from '../helpers/test-hub.js';

describe('boardhub CLI', () => {
  it('creates and lists boards, as text and as JSON', async () => {
    const data = makeTempDir();
    try {
      const created = await runCli(['board', 'create', '--data', data.path, '--name', 'Retro', '--json']);
      assert.equal(created.code, 0, created.stderr);
      const board = JSON.parse(created.stdout) as { id: string; name: string };
      assert.equal(board.name, 'Retro');

      const plain = await runCli(['board', 'create', '--data', data.path, '--name', 'Plan']);
      assert.match(plain.stdout.trim(), /^b_[A-Za-z0-9_-]+$/);

      const listed = await runCli(['board', 'list', '--data', data.path, '--json']);
      assert.deepEqual(
        (JSON.parse(listed.stdout) as Array<{ name: string }>).map((b) => b.name),
        ['Retro', 'Plan'],
      );
      const table = await runCli(['board', 'list', '--data', data.path]);
      assert.match(table.stdout, /Retro/);
      assert.match(table.stdout, /Plan/);
    } finally {
      data.remove();
    }
  });

  it('two commands opening a brand-new data folder at the same moment both succeed (one migration)', async () => {
    for (let round = 0; round < 5; round++) {
      const data = makeTempDir();
      try {
        const results = await Promise.all(
          ['a', 'b', 'c'].map((name) =>
            runCli(['board', 'create', '--data', data.path, '--name', name, '--json']),
          ),
        );
        for (const result of results) assert.equal(result.code, 0, result.stderr);
        const listed = await runCli(['board', 'list', '--data', data.path, '--json']);
        assert.equal((JSON.parse(listed.stdout) as unknown[]).length, 3);
      } finally {
        data.remove();
      }
    }
  });

  it('uses BOARDHUB_DATA when --data is not given', async () => {
    const data = makeTempDir();
    try {
      await runCli(['board', 'create', '--name', 'From env'], { BOARDHUB_DATA: data.path });
      const listed = await runCli(['board', 'list', '--json'], { BOARDHUB_DATA: data.path });
      assert.equal((JSON.parse(listed.stdout) as Array<{ name: string }>)[0]?.name, 'From env');
    } finally {
      data.remove();
    }
  });

  it('share create, run while a hub is running, prints a link to that hub which a stock client can open', async () => {
    const hub = await startTestHub();
    try {
      const board = hub.createBoard('Live');
      const result = await runCli([
        'share',
        'create',
        '--data',
        hub.dataDir,
        '--board',
        board,
        '--role',
        'edit',
        '--label',
        'Group A',
        '--ttl',
        '2h',
        '--json',
      ]);
      assert.equal(result.code, 0, result.stderr);
      const issued = JSON.parse(result.stdout) as {
        id: string;
        token: string;
        url: string;
        socketUrl: string;
      };
      assert.equal(issued.url, `http://127.0.0.1:${hub.port}/b/${board}#t=${issued.token}`);
      assert.equal(issued.socketUrl, `ws://127.0.0.1:${hub.port}/ws/canvas/${board}?token=${issued.token}`);
      const payload = JSON.parse(Buffer.from(issued.token.split('.')[1] as string, 'base64url').toString());
      assert.equal(payload.jti, issued.id);
      assert.equal(payload.sub, board);

      const client = await connectSynced(hub.wsBase, board, issued.token);
      client.destroy();
      const shares = await runCli(['share', 'list', '--data', hub.dataDir, '--board', board, '--json']);
      const [share] = JSON.parse(shares.stdout) as Array<{
        id: string;
        label: string;
        role: string;
        expiresAt: number;
      }>;
      assert.equal(share?.label, 'Group A');
      assert.equal(share?.role, 'edit');
      assert.ok((share?.expiresAt ?? 0) > Date.now() + 60 * 60_000);
    } finally {
      await hub.stop();
    }
  });

  it('explains bad input without a stack trace', async () => {
    const data = makeTempDir();
    try {
      const unknownBoard = await runCli([
        'share',
        'create',
        '--data',
        data.path,
        '--board',
        'b_nope',
        '--role',
        'view',
      ]);
      assert.equal(unknownBoard.code, 1);
      assert.match(unknownBoard.stderr, /No board with id b_nope/);
      const badRole = await runCli([
        'share',
        'create',
        '--data',
        data.path,
        '--board',
        'x',
        '--role',
        'admin',
      ]);
      assert.notEqual(badRole.code, 0);
      assert.match(badRole.stderr, /Allowed choices are view, comment, edit/);
      const badTtl = await runCli([
        'share',
        'create',
        '--data',
        data.path,
        '--board',
        'x',
        '--role',
        'view',
        '--ttl',
        'soon',
      ]);
      assert.notEqual(badTtl.code, 0);
      assert.match(badTtl.stderr, /duration/);
      const emptyName = await runCli(['board', 'create', '--data', data.path, '--name', '  ']);
      assert.equal(emptyName.code, 1);
      assert.match(emptyName.stderr, /a board needs a name/);
      for (const result of [unknownBoard, badRole, badTtl, emptyName])
        assert.doesNotMatch(result.stderr, /\n\s+at /);
    } finally {
      data.remove();
    }
  });

  it('refuses a data folder written by a newer Boardhub, and leaves it alone', async () => {
    const data = makeTempDir();
    try {
      await runCli(['board', 'create', '--data', data.path, '--name', 'Old']);
      withDatabase(data.path, (db) => db.pragma('user_version = 99'));
      const result = await runCli(['board', 'list', '--data', data.path]);
      assert.equal(result.code, 1);
      assert.match(result.stderr, /newer Boardhub/);
      assert.equal(
        withDatabase(data.path, (db) => db.pragma('user_version', { simple: true })),
        99,
      );
    } finally {
      data.remove();
    }
  });
});
