/**
 * Entry of a client worker process (forked by lib/worker-host.ts). Receives one job over IPC,
 * runs it, reports the result and exits. Checkpoints pause the job until the orchestrator says
 * "continue".
 */
import type { FromWorker, Job, ToWorker } from '../lib/protocol.js';
import { runAttack, runBigBoard } from './attacks.js';
import { runBurst } from './burst.js';
import { runLatency } from './latency.js';
import { runManyRooms } from './many-rooms.js';
import { runFill, runLoad, runStream } from './persistence.js';

// Every y-websocket provider adds a process "exit" listener; hundreds per process are intended here.
process.setMaxListeners(0);

export type Checkpoint = (name: string) => Promise<void>;

let continueJob: (() => void) | undefined;

function send(message: FromWorker): Promise<void> {
  return new Promise((resolve) => process.send?.(message, undefined, {}, () => resolve()));
}

const checkpoint: Checkpoint = (name) =>
  new Promise<void>((resolve) => {
    continueJob = resolve;
    void send({ type: 'checkpoint', name });
  });

function run(job: Job): Promise<unknown> {
  switch (job.kind) {
    case 'latency':
      return runLatency(job, checkpoint);
    case 'burst':
      return runBurst(job, checkpoint);
    case 'many-rooms':
      return runManyRooms(job, checkpoint);
    case 'fill':
      return runFill(job);
    case 'load':
      return runLoad(job);
    case 'stream':
      return runStream(job, checkpoint);
    case 'attack':
      return runAttack(job);
    case 'big-board':
      return runBigBoard(job);
  }
}

process.on('message', (raw) => {
  const message = raw as ToWorker;
  if (message.type === 'continue') {
    const resume = continueJob;
    continueJob = undefined;
    resume?.();
    return;
  }
  run(message.job).then(
    async (result) => {
      await send({ type: 'result', result });
      process.exit(0);
    },
    async (error: unknown) => {
      await send({
        type: 'error',
        message: error instanceof Error ? (error.stack ?? error.message) : String(error),
      });
      process.exit(1);
    },
  );
});

// If the orchestrator dies, do not linger with open sockets.
process.on('disconnect', () => process.exit(1));
