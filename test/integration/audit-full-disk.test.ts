import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { closeSync, mkdtempSync, openSync, rmSync, writeSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { AuditStore } from '../../src/storage/audit-store.js';
import { runCli } from '../helpers/cli.js';
import { connectSynced, type TestClient } from '../helpers/clients.js';
import { startTestHub, withDatabase } from '../helpers/test-hub.js';
import { sleep, waitFor } from '../helpers/wait.js';

/*
 * A real full disk: a small tmpfs this test mounts (root only), filled to the last byte while a
 * hub runs on it. Audit rows the hub could not write must reach the log once there is space again,
 * behind an `audit_gap` row, in a chain that verifies.
 */

const CLIENTS = 8;

interface Mounted {
  dir: string;
  unmount(): void;
}

/** A 16 MiB tmpfs, or the reason there cannot be one here. */
function mountTmpfs(): Mounted | string {
  if (process.getuid?.() !== 0) return 'mounting a tmpfs needs root';
  const dir = mkdtempSync(join(tmpdir(), 'boardhub-full-disk-'));
  try {
    execFileSync('mount', ['-t', 'tmpfs', '-o', 'size=16m,mode=0700', 'tmpfs', dir], { stdio: 'pipe' });
  } catch (error) {
    rmSync(dir, { recursive: true, force: true });
    return `mount -t tmpfs failed: ${String(error).split('\n')[0]}`;
  }
  return {
    dir,
    unmount: () => {
      execFileSync('umount', ['-l', dir]);
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** Writes zeros into `file` until the file system is full. */
function fillUp(file: string): void {
  const fd = openSync(file, 'w');
  const chunk = Buffer.alloc(64 * 1024);
  try {
    for (;;) {
      try {
        writeSync(fd, chunk);
      } catch (error) {
        if ((error as NodeJS.ErrnoException).code === 'ENOSPC') break;
        throw error;
      }
    }
    // Then the last few bytes a 64 KiB chunk did not fit into.
    for (;;) {
      try {
        writeSync(fd, chunk, 0, 512);
      } catch {
        break;
      }
    }
  } finally {
    closeSync(fd);
  }
}

const actionCounts = (dataDir: string): Record<string, number> =>
  withDatabase(dataDir, (db) =>
    Object.fromEntries(
      db
        .prepare<[], { action: string; n: number }>(
          'SELECT action, count(*) AS n FROM audit_log GROUP BY action',
        )
        .all()
        .map((row) => [row.action, row.n]),
    ),
  );

const mounted = mountTmpfs();
const skip = typeof mounted === 'string' ? mounted : null;
if (skip) process.stderr.write(`full-disk audit test skipped: ${skip}\n`);

describe('audit rows on a full disk', { skip: skip ?? false }, () => {
  it('connect, disconnect and hub_stop rows made while the disk was full are written once there is space, behind an audit_gap row, and the chain verifies', async () => {
    if (typeof mounted === 'string') return;
    const dataDir = join(mounted.dir, 'hub');
    const filler = join(mounted.dir, 'filler');
    const hub = await startTestHub({}, dataDir);
    const clients: TestClient[] = [];
    try {
      const board = hub.createBoard();
      const token = await hub.share(board, 'view');
      const before = actionCounts(dataDir);
      fillUp(filler);
      for (let i = 0; i < CLIENTS; i++) clients.push(await connectSynced(hub.wsBase, board, token));
      for (const client of clients) client.destroy();
      await waitFor('the hub to see the clients go', () => hub.hub.service.status().connections === 0);
      // Give the group commit a few turns to try (and fail) on the full disk.
      await sleep(300);
      rmSync(filler);
      await waitFor(
        'the kept rows to be written',
        () => (actionCounts(dataDir).disconnect ?? 0) >= CLIENTS,
        15_000,
      );
      await hub.hub.stop();
      const after = actionCounts(dataDir);
      assert.equal((after.connect ?? 0) - (before.connect ?? 0), CLIENTS, 'every connect row');
      assert.equal((after.disconnect ?? 0) - (before.disconnect ?? 0), CLIENTS, 'every disconnect row');
      assert.equal(after.hub_stop, 1, 'the hub_stop row');
      assert.ok((after.audit_gap ?? 0) >= 1, 'an audit_gap row says the disk refused rows');
      const gap = withDatabase(dataDir, (db) =>
        db.prepare<[], { detail: string }>("SELECT detail FROM audit_log WHERE action = 'audit_gap'").get(),
      );
      const detail = JSON.parse(gap?.detail ?? '{}') as {
        writtenLate?: number;
        lost?: number;
        failedFrom?: number;
      };
      assert.ok(
        (detail.writtenLate ?? 0) >= 1 && detail.lost === 0 && typeof detail.failedFrom === 'number',
        gap?.detail,
      );
      const verification = withDatabase(dataDir, (db) => new AuditStore(db).verify());
      assert.equal(verification.ok, true, JSON.stringify(verification));
      const cli = await runCli(['audit', 'verify', '--data', dataDir]);
      assert.equal(cli.code, 0, cli.stderr);
      assert.match(
        cli.stdout,
        /chain intact[\s\S]*the log records storage failures/,
        'verify does not claim a complete log',
      );
    } finally {
      for (const client of clients) client.destroy();
      await hub.stop();
      mounted.unmount();
    }
  });
});
