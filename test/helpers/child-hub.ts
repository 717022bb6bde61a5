import { type ChildProcess, execFile, spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

/**
 * The real `boardhub` CLI in a child process, for what only a separate process can show: a
 * SIGKILL in the middle of a write stream, a SIGTERM shutdown and its exit code. It runs the
 * compiled CLI (bin/boardhub.js -> dist/), which `npm test` builds before running the tests.
 */
const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const CLI = `${ROOT}bin/boardhub.js`;
const COMPILED_CLI = `${ROOT}dist/src/cli/main.js`;
const LISTENING = /Boardhub listening on http:\/\/127\.0\.0\.1:(\d+)/;

export function assertCliBuilt(): void {
  if (!existsSync(COMPILED_CLI)) {
    throw new Error(
      `The compiled CLI is missing (${COMPILED_CLI}); run \`npm run build\` before these tests (npm test does).`,
    );
  }
}

/** The environment for a child: the test runner's own markers must not leak into it. */
function childEnv(): NodeJS.ProcessEnv {
  const env = { ...process.env };
  delete env.NODE_TEST_CONTEXT;
  delete env.NODE_OPTIONS;
  return env;
}

/**
 * Runs `source` as an ES module in a fresh Node process (`args` become process.argv[1…]) and
 * parses what it writes to stdout as JSON: for checks that must not see what a test loaded.
 */
export function runModuleProbe<T>(source: string, args: string[]): Promise<T> {
  return new Promise((resolve, reject) => {
    execFile(
      process.execPath,
      ['--input-type=module', '-e', source, ...args],
      { env: childEnv(), timeout: 30_000 },
      (error, stdout, stderr) => {
        if (error) reject(new Error(`probe failed: ${error.message}\n${stderr}`));
        else resolve(JSON.parse(stdout) as T);
      },
    );
  });
}

/** Runs a management command (`board create …`, `share create … --json`) and parses its JSON output. */
export function runCliJson<T>(args: string[]): Promise<T> {
  assertCliBuilt();
  return new Promise((resolve, reject) => {
    execFile(
      process.execPath,
      [CLI, ...args],
      { env: childEnv(), timeout: 30_000 },
      (error, stdout, stderr) => {
        if (error) {
          reject(new Error(`boardhub ${args.join(' ')} failed: ${error.message}\n${stderr}`));
          return;
        }
        try {
          resolve(JSON.parse(stdout) as T);
        } catch {
          reject(new Error(`boardhub ${args.join(' ')} printed no JSON: ${stdout}\n${stderr}`));
        }
      },
    );
  });
}

/** Creates a board and a share on a data folder with the real CLI, as an operator would. */
export async function createBoardWithShare(
  dataDir: string,
  name: string,
  role: 'view' | 'comment' | 'edit',
): Promise<{ board: string; token: string }> {
  const created = await runCliJson<{ id: string; name: string }>([
    'board',
    'create',
    '--data',
    dataDir,
    '--name',
    name,
    '--json',
  ]);
  if (created.name !== name) throw new Error(`board create returned the name ${created.name}`);
  const share = await runCliJson<{ id: string; token: string; url: string }>([
    'share',
    'create',
    '--data',
    dataDir,
    '--board',
    created.id,
    '--role',
    role,
    '--json',
  ]);
  return { board: created.id, token: share.token };
}

export interface ChildExit {
  code: number | null;
  signal: NodeJS.Signals | null;
}

export interface ChildHub {
  readonly pid: number;
  readonly port: number;
  readonly wsBase: string;
  readonly httpBase: string;
  /** Settles when the process has exited. */
  readonly exit: Promise<ChildExit>;
  /** Everything it printed so far (stdout and stderr), for failure messages. */
  output(): string;
  signal(signal: NodeJS.Signals): void;
  /** SIGKILLs it if it is still running and waits until it is gone; safe to call more than once. */
  dispose(): Promise<void>;
}

/** Starts `boardhub serve` on a free port and resolves once it prints where it listens. */
export async function spawnChildHub(dataDir: string, extraArgs: string[] = []): Promise<ChildHub> {
  assertCliBuilt();
  const child: ChildProcess = spawn(
    process.execPath,
    [CLI, 'serve', '--data', dataDir, '--port', '0', '--log-level', 'silent', '--no-mdns', ...extraArgs],
    { env: childEnv(), stdio: ['ignore', 'pipe', 'pipe'] },
  );
  let output = '';
  let stdout = '';
  child.stdout?.on('data', (chunk: Buffer) => {
    stdout += chunk.toString();
    output += chunk.toString();
  });
  child.stderr?.on('data', (chunk: Buffer) => {
    output += chunk.toString();
  });
  let exited = false;
  const exit = new Promise<ChildExit>((resolve) => {
    child.once('exit', (code, signal) => {
      exited = true;
      resolve({ code, signal });
    });
  });
  const dispose = async (): Promise<void> => {
    if (!exited) child.kill('SIGKILL');
    await exit;
  };

  const started = await new Promise<number | Error>((resolve) => {
    const timer = setTimeout(() => resolve(new Error('the hub did not report its port within 20 s')), 20_000);
    const onData = (): void => {
      const match = LISTENING.exec(stdout);
      if (!match) return;
      clearTimeout(timer);
      child.stdout?.off('data', onData);
      resolve(Number(match[1]));
    };
    child.stdout?.on('data', onData);
    void exit.then(({ code, signal }) => {
      clearTimeout(timer);
      resolve(new Error(`the hub exited before listening (code ${code}, signal ${signal})`));
    });
  });
  if (started instanceof Error) {
    await dispose();
    throw new Error(`${started.message}; it printed:\n${output}`);
  }
  const port = started;
  return {
    pid: child.pid as number,
    port,
    wsBase: `ws://127.0.0.1:${port}/ws/canvas`,
    httpBase: `http://127.0.0.1:${port}`,
    exit,
    output: () => output,
    signal: (signal) => {
      if (!exited) child.kill(signal);
    },
    dispose,
  };
}
