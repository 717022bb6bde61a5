import { type ChildProcess, execFile, spawn, spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { fileURLToPath } from 'node:url';

/**
 * Two "hosts" on one machine for mDNS tests: two network namespaces joined by a veth pair (each
 * end named eth0 inside its namespace, like a real machine's NIC), with multicast routed onto it.
 * Multicast never touches the machine's real interfaces. Needs root (`ip netns`); namespaces.skip
 * says why when they cannot be made. Everything started here is killed and both namespaces are
 * deleted by cleanup(), which also runs at process exit as a safety net.
 */
const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const CLI = `${ROOT}bin/boardhub.js`;
const AGENT = `${ROOT}test/helpers/netns-agent.ts`;

function ip(args: string[]): { ok: boolean; output: string } {
  const result = spawnSync('ip', args, { encoding: 'utf8' });
  return {
    ok: result.status === 0,
    output: `${result.stdout ?? ''}${result.stderr ?? ''}${result.error?.message ?? ''}`,
  };
}

/** Why namespace tests cannot run here, or null when they can (checked by making one). */
export function namespaceSkipReason(): string | null {
  if (process.platform !== 'linux') return 'network namespaces need Linux';
  if (process.getuid?.() !== 0) return 'network namespaces need root (ip netns add)';
  const probe = `bhprobe${process.pid}`;
  const made = ip(['netns', 'add', probe]);
  if (!made.ok) return `cannot create a network namespace: ${made.output.trim()}`;
  ip(['netns', 'del', probe]);
  return null;
}

function childEnv(): NodeJS.ProcessEnv {
  const env = { ...process.env };
  delete env.NODE_TEST_CONTEXT;
  delete env.NODE_OPTIONS;
  return env;
}

export interface Host {
  ns: string;
  address: string;
}

export interface NsProcess {
  readonly child: ChildProcess;
  output(): string;
  readonly exit: Promise<void>;
  /** Sends a signal (no-op once it exited). */
  signal(signal: NodeJS.Signals): void;
  /** SIGKILL if still running; resolves when gone. */
  dispose(): Promise<void>;
}

export interface HubProcess extends NsProcess {
  port: number;
  dataDir: string;
}

export interface Agent {
  fetch(
    url: string,
    init?: { method?: string; headers?: Record<string, string>; body?: unknown },
  ): Promise<{
    status: number;
    json: unknown;
  }>;
  yjsWrite(wsBase: string, boardId: string, token: string, text: string): Promise<void>;
}

export class TwoHosts {
  readonly a: Host;
  readonly b: Host;
  private readonly processes = new Set<NsProcess>();
  private readonly exitHandler = (): void => this.deleteNamespaces();

  constructor() {
    const tag = `bh${process.pid % 100000}${randomBytes(2).toString('hex')}`;
    const subnet = 1 + (process.pid % 250);
    this.a = { ns: `${tag}a`, address: `10.77.${subnet}.1` };
    this.b = { ns: `${tag}b`, address: `10.77.${subnet}.2` };
  }

  /** Creates the namespaces and the link; throws (after cleaning up) when a step fails. */
  setUp(): void {
    process.on('exit', this.exitHandler);
    const steps: string[][] = [
      ['netns', 'add', this.a.ns],
      ['netns', 'add', this.b.ns],
      ['-n', this.a.ns, 'link', 'add', 'eth0', 'type', 'veth', 'peer', 'name', 'eth0', 'netns', this.b.ns],
    ];
    for (const host of [this.a, this.b]) {
      steps.push(
        ['-n', host.ns, 'link', 'set', 'lo', 'up'],
        ['-n', host.ns, 'link', 'set', 'eth0', 'up'],
        ['-n', host.ns, 'addr', 'add', `${host.address}/24`, 'dev', 'eth0'],
        ['-n', host.ns, 'route', 'add', '224.0.0.0/4', 'dev', 'eth0'],
      );
    }
    for (const step of steps) {
      const result = ip(step);
      if (!result.ok) {
        this.deleteNamespaces();
        throw new Error(`ip ${step.join(' ')} failed: ${result.output}`);
      }
    }
  }

  async cleanup(): Promise<void> {
    await Promise.all([...this.processes].map((p) => p.dispose()));
    this.deleteNamespaces();
    process.off('exit', this.exitHandler);
  }

  /** Runs a command to completion inside a namespace. */
  exec(host: Host, command: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
    return new Promise((resolve) => {
      execFile(
        'ip',
        ['netns', 'exec', host.ns, ...command],
        { env: childEnv(), cwd: ROOT, timeout: 30_000 },
        (error, stdout, stderr) => {
          resolve({ code: error ? (typeof error.code === 'number' ? error.code : 1) : 0, stdout, stderr });
        },
      );
    });
  }

  /** The real CLI inside a namespace. */
  cli(host: Host, args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
    return this.exec(host, [process.execPath, CLI, ...args]);
  }

  /** `boardhub serve --host 0.0.0.0` inside a namespace; resolves once it prints where it listens. */
  async startHub(host: Host, dataDir: string, port: number, extraArgs: string[]): Promise<HubProcess> {
    const started = this.spawn(host, [
      process.execPath,
      CLI,
      'serve',
      '--data',
      dataDir,
      '--host',
      '0.0.0.0',
      '--port',
      String(port),
      '--log-level',
      'warn',
      ...extraArgs,
    ]);
    const listening = new RegExp(
      `Boardhub listening on http://${host.address.replace(/\./g, '\\.')}:${port}`,
    );
    const ready = await Promise.race([
      waitForOutput(started, /mDNS: {4}(announced|off)/).then(() => true),
      started.exit.then(() => false),
      new Promise<false>((resolve) => setTimeout(() => resolve(false), 20_000).unref()),
    ]);
    if (!ready || !listening.test(started.output())) {
      await started.dispose();
      throw new Error(`the hub in ${host.ns} did not start; it printed:\n${started.output()}`);
    }
    return Object.assign(started, { port, dataDir });
  }

  /** A long-lived helper inside the namespace for HTTP requests and stock y-websocket clients. */
  async startAgent(host: Host): Promise<Agent> {
    const agent = this.spawn(host, [process.execPath, '--import', 'tsx', AGENT]);
    let nextId = 1;
    const pending = new Map<number, (reply: Record<string, unknown>) => void>();
    let buffered = '';
    agent.child.stdout?.on('data', (chunk: Buffer) => {
      buffered += chunk.toString();
      for (let end = buffered.indexOf('\n'); end !== -1; end = buffered.indexOf('\n')) {
        const line = buffered.slice(0, end);
        buffered = buffered.slice(end + 1);
        const reply = JSON.parse(line) as Record<string, unknown>;
        pending.get(reply.id as number)?.(reply);
        pending.delete(reply.id as number);
      }
    });
    const call = (request: Record<string, unknown>): Promise<Record<string, unknown>> =>
      new Promise((resolve, reject) => {
        const id = nextId++;
        const timer = setTimeout(
          () => reject(new Error(`agent request timed out: ${JSON.stringify(request)}`)),
          30_000,
        );
        pending.set(id, (reply) => {
          clearTimeout(timer);
          if (typeof reply.error === 'string') reject(new Error(`in ${host.ns}: ${reply.error}`));
          else resolve(reply);
        });
        agent.child.stdin?.write(`${JSON.stringify({ id, ...request })}\n`);
      });
    return {
      fetch: async (url, init = {}) => {
        const headers = { ...(init.headers ?? {}) };
        if (init.body !== undefined) headers['Content-Type'] = 'application/json';
        const reply = await call({
          op: 'fetch',
          url,
          method: init.method,
          headers,
          body: init.body === undefined ? undefined : JSON.stringify(init.body),
        });
        const body = String(reply.body ?? '');
        return {
          status: Number(reply.status),
          json: body === '' ? undefined : (JSON.parse(body) as unknown),
        };
      },
      yjsWrite: async (wsBase, boardId, token, text) => {
        await call({ op: 'yjs-write', wsBase, boardId, token, text });
      },
    };
  }

  private spawn(host: Host, command: string[]): NsProcess {
    const child = spawn('ip', ['netns', 'exec', host.ns, ...command], {
      env: childEnv(),
      cwd: ROOT,
      stdio: ['pipe', 'pipe', 'pipe'],
    });
    let output = '';
    child.stdout?.on('data', (chunk: Buffer) => {
      output += chunk.toString();
    });
    child.stderr?.on('data', (chunk: Buffer) => {
      output += chunk.toString();
    });
    let exited = false;
    const exit = new Promise<void>((resolve) => {
      child.once('exit', () => {
        exited = true;
        resolve();
      });
    });
    const handle: NsProcess = {
      child,
      output: () => output,
      exit,
      signal: (signal) => {
        if (!exited) child.kill(signal);
      },
      dispose: async () => {
        if (!exited) child.kill('SIGKILL');
        await exit;
        this.processes.delete(handle);
      },
    };
    this.processes.add(handle);
    return handle;
  }

  private deleteNamespaces(): void {
    for (const host of [this.a, this.b]) ip(['netns', 'del', host.ns]);
  }
}

function waitForOutput(started: NsProcess, pattern: RegExp): Promise<void> {
  return new Promise((resolve) => {
    const check = (): void => {
      if (!pattern.test(started.output())) return;
      started.child.stdout?.off('data', check);
      resolve();
    };
    started.child.stdout?.on('data', check);
    check();
  });
}
