import { createRequire } from 'node:module';
import { Worker } from 'node:worker_threads';
import type { Logger } from '../log.js';
import { HELPER_THREAD_NICE } from '../thread-priority.js';

/**
 * Moves WAL checkpoints off the event loop. A checkpoint copies the WAL into the database file
 * and fsyncs both; run inside a commit (SQLite's default auto-checkpoint) it stalls that commit,
 * and with it the broadcast of every edit waiting on it, for milliseconds. The hub's own
 * connection therefore turns auto-checkpointing off and this worker thread, with a connection
 * of its own, runs PASSIVE checkpoints (which never block writers) on a timer. The thread runs at
 * the lowest CPU priority (Linux; elsewhere the attempt is skipped): a checkpoint can wait, an
 * edit waiting for the CPU it holds cannot (see thread-priority.ts).
 */
const WORKER_SOURCE = `
const { parentPort, workerData } = require('node:worker_threads');
try {
  const tid = Number(require('node:fs').readlinkSync('/proc/thread-self').split('/').pop());
  require('node:os').setPriority(tid, workerData.nice);
} catch {}
const Database = require(workerData.driverPath);
const db = new Database(workerData.file);
db.pragma('busy_timeout = 1000');
const checkpoint = () => {
  try { db.pragma('wal_checkpoint(PASSIVE)'); }
  catch (error) { parentPort.postMessage({ error: String(error && error.message || error) }); }
};
const timer = setInterval(checkpoint, workerData.intervalMs);
parentPort.on('message', (message) => {
  if (message !== 'stop') return;
  clearInterval(timer);
  checkpoint();
  db.close();
  parentPort.close();
});
`;

export interface Checkpointer {
  stop(): Promise<void>;
}

/**
 * Starts the worker after `delayMs`, by default at once: spinning up a thread and its own SQLite
 * connection costs tens of milliseconds of CPU, which then runs beside the rest of the hub's
 * start (on another core, before it listens) instead of landing on its first guests' edits.
 */
export function startCheckpointer(file: string, intervalMs: number, log: Logger, delayMs = 0): Checkpointer {
  let worker: Worker | null = null;
  let exited: Promise<void> = Promise.resolve();
  const launch = (): void => {
    const driverPath = createRequire(import.meta.url).resolve('better-sqlite3');
    const started = new Worker(WORKER_SOURCE, {
      eval: true,
      workerData: { file, driverPath, intervalMs, nice: HELPER_THREAD_NICE },
    });
    started.unref();
    started.on('message', (message: { error?: string }) => {
      if (message.error) log.warn({ err: message.error }, 'WAL checkpoint failed; will retry');
    });
    started.on('error', (error) => log.error({ err: error.message }, 'checkpoint worker failed'));
    exited = new Promise<void>((resolve) => started.once('exit', () => resolve()));
    worker = started;
  };
  const timer = setTimeout(launch, delayMs);
  timer.unref();
  return {
    stop: async () => {
      clearTimeout(timer);
      if (!worker) return;
      // Keep the process alive until the final checkpoint is done and the worker has exited.
      worker.ref();
      worker.postMessage('stop');
      await exited;
    },
  };
}
