/**
 * Child processes, temp dirs and /proc sampling for the orchestrator.
 *
 * Every child and temp dir goes through this module so one cleanup() can kill and remove all
 * of them, on success, on error and on Ctrl-C alike. Children are killed by their own pid,
 * never by name.
 */
import { type ChildProcess, execFileSync, spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const liveChildren = new Set<ChildProcess>();
const tempDirs = new Set<string>();

export function track(child: ChildProcess): ChildProcess {
  liveChildren.add(child);
  child.once('exit', () => liveChildren.delete(child));
  return child;
}

export function makeTempDir(label: string): string {
  const dir = mkdtempSync(join(tmpdir(), `boardhub-bench-${label}-`));
  tempDirs.add(dir);
  return dir;
}

export function removeTempDir(dir: string): void {
  rmSync(dir, { recursive: true, force: true });
  tempDirs.delete(dir);
}

/** Kills every child still alive and removes every temp dir. Synchronous so it works in exit handlers. */
export function cleanup(): void {
  for (const child of liveChildren) {
    if (child.exitCode === null && child.signalCode === null && child.pid !== undefined) {
      try {
        process.kill(child.pid, 'SIGKILL');
      } catch {
        // Already gone between the check and the kill: nothing left to do.
      }
    }
  }
  liveChildren.clear();
  for (const dir of tempDirs) rmSync(dir, { recursive: true, force: true });
  tempDirs.clear();
}

export function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

export async function withTimeout<T>(promise: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`timed out after ${ms} ms: ${what}`)), ms);
  });
  try {
    return await Promise.race([promise, timeout]);
  } finally {
    clearTimeout(timer);
  }
}

/** Asks the kernel for a free port. Tiny race until the server binds it; acceptable on loopback. */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const probe = createServer();
    probe.once('error', reject);
    probe.listen(0, '127.0.0.1', () => {
      const address = probe.address();
      const port = typeof address === 'object' && address !== null ? address.port : 0;
      probe.close(() => (port > 0 ? resolve(port) : reject(new Error('no free port'))));
    });
  });
}

export function exited(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((resolve) => child.once('exit', () => resolve()));
}

/**
 * A long-running child whose stdout/stderr we keep draining (an undrained pipe would block a
 * chatty server and distort its numbers) into a short ring buffer used in error messages.
 */
export class ServerProcess {
  readonly child: ChildProcess;
  private readonly recent: string[] = [];
  private exitExpected = false;
  /** Set when the process exits without us stopping or killing it: a crash worth reporting. */
  crash: string | null = null;

  constructor(command: string, args: string[], cwd: string, env: NodeJS.ProcessEnv = process.env) {
    this.child = track(spawn(command, args, { cwd, env, stdio: ['ignore', 'pipe', 'pipe'] }));
    const keep = (chunk: Buffer) => {
      for (const line of chunk.toString('utf8').split('\n')) {
        if (line.trim() === '') continue;
        this.recent.push(line);
        if (this.recent.length > 40) this.recent.shift();
      }
    };
    this.child.stdout?.on('data', keep);
    this.child.stderr?.on('data', keep);
    this.child.once('exit', (code, signal) => {
      if (!this.exitExpected)
        this.crash = `exited unexpectedly (code ${code}, signal ${signal}):\n${this.output()}`;
    });
  }

  get pid(): number {
    if (this.child.pid === undefined) throw new Error('server process has no pid (spawn failed)');
    return this.child.pid;
  }

  output(): string {
    return this.recent.join('\n');
  }

  /** Resolves once a stdout/stderr line contains `needle`; rejects if the process exits first. */
  waitForOutput(needle: string, timeoutMs: number): Promise<void> {
    const seen = new Promise<void>((resolve, reject) => {
      if (this.recent.some((line) => line.includes(needle))) return resolve();
      let buffered = '';
      const onData = (chunk: Buffer) => {
        buffered = (buffered + chunk.toString('utf8')).slice(-4096);
        if (buffered.includes(needle)) {
          detach();
          resolve();
        }
      };
      const onExit = (code: number | null, signal: string | null) => {
        detach();
        reject(
          new Error(`server exited (code ${code}, signal ${signal}) before "${needle}":\n${this.output()}`),
        );
      };
      const detach = () => {
        this.child.stdout?.off('data', onData);
        this.child.stderr?.off('data', onData);
        this.child.off('exit', onExit);
      };
      this.child.stdout?.on('data', onData);
      this.child.stderr?.on('data', onData);
      this.child.once('exit', onExit);
    });
    return withTimeout(seen, timeoutMs, `waiting for "${needle}"\n${this.output()}`);
  }

  /** SIGTERM and wait; escalates to SIGKILL after `graceMs`. */
  async stop(graceMs: number): Promise<StopOutcome> {
    const started = performance.now();
    this.exitExpected = true;
    if (this.child.exitCode !== null || this.child.signalCode !== null)
      return { kind: 'already-exited', ms: 0 };
    this.child.kill('SIGTERM');
    try {
      await withTimeout(exited(this.child), graceMs, 'clean shutdown');
    } catch {
      this.child.kill('SIGKILL');
      await exited(this.child);
      return { kind: 'timeout', ms: performance.now() - started };
    }
    const ms = performance.now() - started;
    if (this.child.exitCode === 0) return { kind: 'clean', ms };
    if (this.child.exitCode !== null)
      return { kind: 'nonzero-exit', ms, detail: `exit code ${this.child.exitCode}` };
    return { kind: 'died-by-signal', ms, detail: `signal ${this.child.signalCode}` };
  }

  async kill9(): Promise<void> {
    this.exitExpected = true;
    this.child.kill('SIGKILL');
    await exited(this.child);
  }
}

export type StopOutcome =
  | { kind: 'clean' | 'already-exited' | 'timeout'; ms: number }
  | { kind: 'nonzero-exit' | 'died-by-signal'; ms: number; detail: string };

const clockTicks = (() => {
  try {
    return Number(execFileSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).trim()) || 100;
  } catch {
    return 100;
  }
})();

export interface ProcSample {
  /** user + system CPU time of the process so far, ms */
  cpuMs: number;
  /** resident set size, KiB */
  rssKiB: number;
}

/** Reads utime+stime from /proc/PID/stat and VmRSS from /proc/PID/status. */
export function sampleProc(pid: number): ProcSample {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  // The command name (field 2) may contain spaces; fields after its closing ")" are fixed.
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  const utime = Number(fields[11]);
  const stime = Number(fields[12]);
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  const rss = /^VmRSS:\s+(\d+)\s+kB/m.exec(status);
  return { cpuMs: ((utime + stime) * 1000) / clockTicks, rssKiB: rss ? Number(rss[1]) : Number.NaN };
}
