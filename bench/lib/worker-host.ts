/**
 * Runs one client job in a fresh worker process (bench/clients/worker.ts), so client CPU never
 * shares a process with the server under test. The worker is forked with tsx and an IPC
 * channel; at each checkpoint the orchestrator's callback runs (sample /proc, kill the server,
 * ...) before the worker is told to continue.
 */
import { fork } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { exited, track, withTimeout } from './proc.js';
import type { FromWorker, Job, JobResults, ToWorker } from './protocol.js';

const workerEntry = fileURLToPath(new URL('../clients/worker.ts', import.meta.url));
const repoRoot = fileURLToPath(new URL('../../', import.meta.url));

export type CheckpointHandler = (name: string) => Promise<void> | void;

export async function runJob<J extends Job>(
  job: J,
  timeoutMs: number,
  onCheckpoint: CheckpointHandler = () => {},
): Promise<JobResults[J['kind']]> {
  // cwd is the repo root so "--import tsx" resolves the root's tsx; bench code itself then
  // resolves yjs & co. from bench/node_modules, one copy per process.
  const child = track(
    fork(workerEntry, [], {
      cwd: repoRoot,
      execArgv: ['--import', 'tsx'],
      stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
    }),
  );
  const send = (message: ToWorker) => child.send(message);
  const outcome = new Promise<JobResults[J['kind']]>((resolve, reject) => {
    child.on('message', (raw) => {
      const message = raw as FromWorker;
      if (message.type === 'checkpoint') {
        // via then() so a synchronous throw (e.g. /proc of a dead server) rejects, too
        Promise.resolve()
          .then(() => onCheckpoint(message.name))
          .then(
            () => send({ type: 'continue' }),
            (error: unknown) => reject(error),
          );
      } else if (message.type === 'result') {
        resolve(message.result as JobResults[J['kind']]);
      } else {
        reject(new Error(`client worker (${job.kind}) failed: ${message.message}`));
      }
    });
    // e.g. sending to a worker that already died: reject instead of crashing the orchestrator
    child.on('error', reject);
    child.once('exit', (code, signal) =>
      reject(new Error(`client worker (${job.kind}) exited early (code ${code}, signal ${signal})`)),
    );
  });
  send({ type: 'job', job });
  try {
    return await withTimeout(outcome, timeoutMs, `client job ${job.kind}`);
  } finally {
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
    await exited(child);
  }
}
