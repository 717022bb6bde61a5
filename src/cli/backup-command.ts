import { resolve } from 'node:path';
import type { Command } from 'commander';
import { HubError } from '../errors.js';
import { readRuntimeInfo } from '../runtime-file.js';
import { backupDatabase, restoreDatabase } from '../storage/backup.js';
import { formatBytes, printJson } from './output.js';

/*
 * `boardhub backup` and `boardhub restore`: the database through SQLite's online backup
 * (storage/backup.ts). A backup works while a hub serves the folder; a restore is refused then,
 * since the running hub keeps its own connection on the file being replaced.
 */

interface BackupOptions {
  data: string;
  to: string;
  json?: boolean;
}

interface RestoreOptions {
  data: string;
  from: string;
  json?: boolean;
}

export function registerBackup(program: Command, dataOption: () => [string, string, string]): void {
  program
    .command('backup')
    .description("copy the data folder's database to FILE (works while the hub runs; the copy is checked)")
    .requiredOption('--to <file>', 'the backup file to write (must not exist)')
    .option(...dataOption())
    .option('--json', 'print {"file","bytes"} as JSON')
    .action(async (options: BackupOptions) => {
      const result = await backupDatabase(options.data, resolve(options.to));
      if (options.json) printJson(result);
      else process.stdout.write(`Backed up to ${result.file} (${formatBytes(result.bytes)}, integrity ok)\n`);
    });

  program
    .command('restore')
    .description("replace the data folder's database by a backup (the hub must be stopped)")
    .requiredOption('--from <file>', 'a backup made by `boardhub backup`')
    .option(...dataOption())
    .option('--json', 'print {"file","previous"} as JSON')
    .action(async (options: RestoreOptions) => {
      const running = readRuntimeInfo(options.data);
      if (running) {
        throw new HubError(
          'DATA_DIR_IN_USE',
          `A hub (process ${running.pid}) is serving ${options.data}; stop it before restoring.`,
        );
      }
      const result = await restoreDatabase(options.data, resolve(options.from));
      if (options.json) printJson(result);
      else
        process.stdout.write(
          `Restored ${result.file} from ${resolve(options.from)}` +
            (result.previous ? `; the replaced database is kept as ${result.previous}\n` : '\n'),
        );
    });
}
