import { Command, CommanderError } from 'commander';
import { defaultDataDir } from '../config.js';
import { describeError, isHubError } from '../errors.js';
import { VERSION } from '../version.js';
import { registerAudit } from './audit-command.js';
import { registerBackup } from './backup-command.js';
import { registerBoard } from './board-command.js';
import { registerKeys } from './key-command.js';
import { registerLan } from './lan-command.js';
import { registerServe } from './serve-command.js';
import { registerShare } from './share-command.js';

/** `boardhub` — the hub's command line: serve, and manage boards and share links. */
function buildProgram(): Command {
  const program = new Command()
    .name('boardhub')
    .description('Local-first sync hub for collaborative boards')
    .version(VERSION)
    .showHelpAfterError('(run with --help for usage)')
    .exitOverride();
  const dataOption = (): [string, string, string] => [
    '--data <dir>',
    'data folder (env BOARDHUB_DATA; default: per-user data folder)',
    defaultDataDir(),
  ];
  registerServe(program, dataOption);
  registerBoard(program, dataOption);
  registerShare(program, dataOption);
  registerKeys(program, dataOption);
  registerAudit(program, dataOption);
  registerLan(program, dataOption);
  registerBackup(program, dataOption);
  return program;
}

export async function main(argv: string[]): Promise<void> {
  try {
    await buildProgram().parseAsync(argv);
  } catch (error) {
    if (error instanceof CommanderError) {
      process.exitCode = error.exitCode;
      return;
    }
    const message = describeError(error);
    process.stderr.write(`error: ${isHubError(error) ? `${message} [${error.code}]` : message}\n`);
    process.exitCode = 1;
  }
}
