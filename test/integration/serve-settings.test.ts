import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { createServer } from 'node:net';
import { describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { assertCliBuilt } from '../helpers/child-hub.js';
import { makeTempDir } from '../helpers/temp-dir.js';
import { startTestHub, withDatabase } from '../helpers/test-hub.js';

/**
 * `boardhub serve` and the saved settings: without flags it uses what the data folder holds, an
 * explicit flag wins for that run without being saved, and it says plainly whether it is visible
 * on the LAN. (Never with a LAN address here: these hubs stay on 127.0.0.1, mDNS off.)
 */
const CLI = fileURLToPath(new URL('../../bin/boardhub.js', import.meta.url));

interface Served {
  port: number;
  banner: string;
}

/** Runs `serve` until it prints its banner, then stops it with SIGTERM and waits for the exit. */
async function serveOnce(args: string[]): Promise<Served> {
  assertCliBuilt();
  const env = { ...process.env };
  delete env.NODE_TEST_CONTEXT;
  delete env.NODE_OPTIONS;
  const child = spawn(process.execPath, [CLI, 'serve', '--log-level', 'silent', '--no-mdns', ...args], {
    env,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  child.stdout.on('data', (chunk: Buffer) => {
    output += chunk.toString();
  });
  child.stderr.on('data', (chunk: Buffer) => {
    output += chunk.toString();
  });
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  try {
    const deadline = Date.now() + 20_000;
    while (!/name:/.test(output)) {
      if (Date.now() > deadline || child.exitCode !== null)
        throw new Error(`serve did not start:\n${output}`);
      await new Promise((resolve) => setTimeout(resolve, 25));
    }
    const match = /Boardhub listening on http:\/\/127\.0\.0\.1:(\d+)/.exec(output);
    assert.ok(match, output);
    return { port: Number(match[1]), banner: output };
  } finally {
    child.kill('SIGTERM');
    const code = await exited;
    assert.equal(code, 0, output);
  }
}

async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

const storedPort = (dataDir: string): string | undefined =>
  withDatabase(dataDir, (db) =>
    db.prepare<[], { value: string }>("SELECT value FROM hub_meta WHERE key = 'setting_port'").get(),
  )?.value;

describe('serve and the saved settings', () => {
  it('uses the saved port without --port; --port wins for its run and is not saved', async () => {
    const data = makeTempDir();
    try {
      const port = await freePort();
      const hub = await startTestHub({}, data.path);
      await hub.hub.service.updateSettings({ port, idleUnloadMs: 90_000 }, { name: 'test' });
      await hub.stop();

      const saved = await serveOnce(['--data', data.path]);
      assert.equal(saved.port, port);
      assert.match(saved.banner, /NOT visible on the LAN: this machine only/);

      const flagged = await serveOnce(['--data', data.path, '--port', '0']);
      assert.notEqual(flagged.port, port);
      assert.equal(storedPort(data.path), String(port), 'the flag was not saved');
    } finally {
      data.remove();
    }
  });
});
