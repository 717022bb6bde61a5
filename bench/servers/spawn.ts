/**
 * Starts a server child process and waits for its "listening on http://127.0.0.1:PORT" line,
 * the readiness signal all three servers print (the peers' entry scripts copy Boardhub's).
 */
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { basename, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import ts from 'typescript';
import { ServerProcess } from '../lib/proc.js';

export const repoRoot = fileURLToPath(new URL('../../', import.meta.url));
const startTimeoutMs = 30_000;
const stopGraceMs = 15_000;

export async function startServer(
  args: string[],
  port: number,
  env: NodeJS.ProcessEnv = process.env,
): Promise<ServerProcess> {
  // e.g. BENCH_SERVER_NODE_ARGS="--cpu-prof --cpu-prof-dir=/tmp/prof" profiles every server under load
  const nodeArgs = (process.env.BENCH_SERVER_NODE_ARGS ?? '').split(' ').filter((a) => a !== '');
  const server = new ServerProcess(process.execPath, [...nodeArgs, ...args], repoRoot, env);
  try {
    await server.waitForOutput(`listening on http://127.0.0.1:${port}`, startTimeoutMs);
  } catch (error) {
    await server.kill9();
    throw error;
  }
  return server;
}

export function lifecycle(server: ServerProcess) {
  return {
    pid: server.pid,
    stop: () => server.stop(stopGraceMs),
    kill9: () => server.kill9(),
    output: () => server.output(),
    crash: () => server.crash,
  };
}

/**
 * Node arguments to run a peer's TypeScript entry next to this file as plain JavaScript.
 * The entry is transpiled (no type check; `tsc` covers that) into bench/node_modules/.cache so
 * its bare imports still resolve from bench/node_modules. Running the peers under tsx instead
 * would add its loader thread (~30 MiB RSS) and heap headroom to their figures, which Boardhub
 * (plain `node bin/boardhub.js`) does not pay. Entries must import packages only, no local files.
 */
export function compiledEntry(file: string): string[] {
  const source = fileURLToPath(new URL(file, import.meta.url));
  const outDir = join(repoRoot, 'bench', 'node_modules', '.cache', 'boardhub-bench');
  const out = join(outDir, `${basename(file, '.ts')}.mjs`);
  const { outputText } = ts.transpileModule(readFileSync(source, 'utf8'), {
    compilerOptions: {
      module: ts.ModuleKind.ESNext,
      target: ts.ScriptTarget.ES2022,
      verbatimModuleSyntax: true,
    },
    fileName: source,
  });
  mkdirSync(outDir, { recursive: true });
  writeFileSync(out, outputText);
  return [out];
}
