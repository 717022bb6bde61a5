import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { after, describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { assertCliBuilt, runModuleProbe, spawnChildHub } from '../helpers/child-hub.js';
import { makeTempDir } from '../helpers/temp-dir.js';

/**
 * `boardhub serve` gives V8's helper threads the lowest CPU priority so they never take the CPU
 * from the event loop (src/thread-priority.ts), and the checkpoint worker lowers its own. Checked on real processes through /proc, where
 * the kernel keeps each thread's nice value: in a fresh process calling the function, and in a
 * hub started with the CLI as a user would.
 */
const skip = process.platform === 'linux' ? false : 'thread priorities are read from /proc (Linux only)';
const MODULE = fileURLToPath(new URL('../../dist/src/thread-priority.js', import.meta.url));

/** nice is the 19th field of /proc/…/stat; counting starts after the command name's ")". */
function niceOf(pid: number, tid: number): number {
  const stat = readFileSync(`/proc/${pid}/task/${tid}/stat`, 'utf8');
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return Number(fields[19 - 3]);
}

function threadNices(pid: number): Map<number, number> {
  const nices = new Map<number, number>();
  for (const tid of readdirSync(`/proc/${pid}/task`).map(Number)) nices.set(tid, niceOf(pid, tid));
  return nices;
}

// Lowers, then starts a worker thread (its eval'd source is a module, as --input-type says) and reports every thread's nice value, the worker's id
// and what the function returned.
const PROBE = `
import { readdirSync, readFileSync, readlinkSync } from 'node:fs';
import { Worker } from 'node:worker_threads';
const { lowerHelperThreadPriority } = await import(process.argv[1]);
const before = readdirSync('/proc/self/task').length;
const lowered = lowerHelperThreadPriority();
const worker = new Worker(
  "import { parentPort } from 'node:worker_threads'; import { readlinkSync } from 'node:fs';" +
  "parentPort.postMessage(readlinkSync('/proc/thread-self').split('/').pop());" +
  "setInterval(() => {}, 1000);",
  { eval: true },
);
const workerTid = Number(await new Promise((resolve) => worker.once('message', resolve)));
const nices = {};
for (const tid of readdirSync('/proc/self/task')) {
  const stat = readFileSync('/proc/self/task/' + tid + '/stat', 'utf8');
  nices[tid] = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[16]);
}
await worker.terminate();
process.stdout.write(JSON.stringify({ pid: process.pid, before, lowered, workerTid, nices }));
`;

interface ProbeResult {
  pid: number;
  before: number;
  lowered: number;
  workerTid: number;
  nices: Record<string, number>;
}

describe('helper thread priority', { skip }, () => {
  const temp = makeTempDir();
  after(() => temp.remove());

  it('lowers every thread but the main one; threads started afterwards keep the normal priority', async () => {
    assertCliBuilt();
    const result = await runModuleProbe<ProbeResult>(PROBE, [MODULE]);
    // Node starts V8's platform threads before any script runs.
    assert.ok(result.lowered >= 2, `lowered only ${result.lowered} threads`);
    assert.equal(result.lowered, result.before - 1, 'every thread present but the main one');
    assert.equal(result.nices[String(result.pid)], 0, 'the main thread keeps its priority');
    assert.equal(
      result.nices[String(result.workerTid)],
      0,
      'a thread the main thread starts later inherits its priority',
    );
    const lowest = Object.entries(result.nices).filter(([, nice]) => nice === 19);
    assert.equal(lowest.length, result.lowered, JSON.stringify(result.nices));
  });

  it('boardhub serve runs its event loop at normal priority and every other thread at the lowest, the checkpoint worker included', async () => {
    const hub = await spawnChildHub(temp.path);
    try {
      // The checkpoint worker starts right after the hub listens, after the lowering, and lowers
      // itself once its script runs: look from 1 s on (it exists by then), for up to 5 s.
      const settled = Date.now() + 1_000;
      const deadline = Date.now() + 5_000;
      let nices = threadNices(hub.pid);
      const lowered = (): boolean => [...nices].every(([tid, nice]) => tid === hub.pid || nice === 19);
      while ((Date.now() < settled || !lowered()) && Date.now() < deadline) {
        await new Promise((resolve) => setTimeout(resolve, 50));
        nices = threadNices(hub.pid);
      }
      assert.equal(nices.get(hub.pid), 0, 'the event loop thread');
      const others = [...nices].filter(([tid]) => tid !== hub.pid);
      // V8's helper threads, libuv's pool and the checkpoint worker.
      assert.ok(others.length >= 3, `only ${others.length} other threads`);
      for (const [tid, nice] of others)
        assert.equal(nice, 19, `thread ${tid}: ${JSON.stringify([...nices])}`);
      // The hub answers as before.
      const response = await fetch(`${hub.httpBase}/healthz`);
      assert.equal(response.status, 200);
    } finally {
      hub.signal('SIGTERM');
      await hub.exit;
      await hub.dispose();
    }
  });
});
