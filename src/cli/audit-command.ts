import { closeSync, existsSync, openSync, renameSync, rmSync, writeSync } from 'node:fs';
import { type Command, InvalidArgumentError, Option } from 'commander';
import { DEFAULT_AUDIT_RETENTION_MS } from '../config.js';
import { describeError, HubError } from '../errors.js';
import { AuditService } from '../service/audit-service.js';
import { AUDIT_ACTIONS, type AuditAction, type AuditFilter } from '../storage/audit-store.js';
import { DATABASE_FILE, databaseFile } from '../storage/database.js';
import { openStores } from '../storage/stores.js';
import { cliActor } from './offline-context.js';
import { formatTime, printJson, printTable } from './output.js';
import { parseDuration } from './parse.js';

interface FilterOptions {
  data: string;
  from?: number;
  to?: number;
  board?: string;
  action?: AuditAction;
  actor?: string;
  ip?: string;
}

/** How many characters of buffered output go to the file or stdout in one write. */
const WRITE_CHUNK = 64 * 1024;

export function registerAudit(program: Command, dataOption: () => [string, string, string]): void {
  const audit = program.command('audit').description('verify, list, export and prune the audit log');

  audit
    .command('verify')
    .description('check the audit hash chain; exits 1 and names the first broken row if it was altered')
    .option(...dataOption())
    .option('--json', 'print the result as JSON')
    .action((options: { data: string; json?: boolean }) => {
      const { result, newestGap } = withAuditService(options.data, (service) => ({
        result: service.verify(),
        // An intact chain is not a complete log: the hub records where it could not write.
        newestGap: service.query({ action: 'audit_gap', limit: 1 }).entries[0],
      }));
      if (!result.ok) process.exitCode = 1;
      if (options.json) {
        printJson({ ...result, newestGap: newestGap ?? null });
      } else if (result.ok) {
        process.stdout.write(`chain intact: ${result.rows} rows, head ${result.headHash}\n`);
        if (newestGap) {
          process.stdout.write(
            `note: the log records storage failures (rows written late or lost), newest at ${formatTime(newestGap.ts)}: ` +
              'boardhub audit list --action audit_gap\n',
          );
        }
      } else {
        process.stderr.write(
          `audit chain BROKEN at row ${result.brokenAt.id}: ${result.brokenAt.reason} ` +
            `(${result.rows} rows before it check out)\n`,
        );
      }
    });

  addFilters(
    audit
      .command('export')
      .description('write the matching rows, newest first, as CSV or JSON lines')
      .addOption(new Option('--format <format>', 'output format').choices(['csv', 'jsonl']).default('csv'))
      .option('--out <file>', 'write to this file (created readable by you only) instead of stdout'),
    dataOption,
  ).action((options: FilterOptions & { format: 'csv' | 'jsonl'; out?: string }) => {
    const count = withAuditService(options.data, (service) =>
      writeOutput(options.out, (write) => service.export(filterOf(options), options.format, write)),
    );
    if (options.out !== undefined) process.stderr.write(`${count} rows written to ${options.out}\n`);
  });

  addFilters(
    audit
      .command('list')
      .description('show the matching rows, newest first')
      .option('--limit <n>', 'rows per page (1-1000, default 100)', parseWholeNumber)
      .option(
        '--before-id <id>',
        'show rows older than this id (the cursor a previous page printed)',
        parseWholeNumber,
      )
      .option('--json', 'print {"entries","nextCursor"} as JSON'),
    dataOption,
  ).action((options: FilterOptions & { limit?: number; beforeId?: number; json?: boolean }) => {
    const page = withAuditService(options.data, (service) =>
      service.query({ ...filterOf(options), limit: options.limit, beforeId: options.beforeId }),
    );
    if (options.json) {
      printJson(page);
      return;
    }
    printTable(
      page.entries.map((entry) => ({
        id: String(entry.id),
        time: formatTime(entry.ts),
        action: entry.action,
        actor: entry.actor,
        board: entry.boardId ?? '',
        label: entry.label ?? '',
        ip: entry.ip ?? '',
        detail: JSON.stringify(entry.detail),
      })),
      'No matching audit rows.',
    );
    if (page.nextCursor !== null) process.stdout.write(`more: --before-id ${page.nextCursor}\n`);
  });

  audit
    .command('prune')
    .description('remove rows older than the retention period; a checkpoint row keeps the chain verifiable')
    .option(
      '--older-than <duration>',
      'retention, e.g. 90d (default 180d)',
      parseDuration,
      DEFAULT_AUDIT_RETENTION_MS,
    )
    .option(...dataOption())
    .option('--json', 'print the result as JSON')
    .action((options: { data: string; olderThan: number; json?: boolean }) => {
      const result = withAuditService(options.data, (service) =>
        service.prune(options.olderThan, cliActor()),
      );
      if (options.json) {
        printJson(result);
      } else if (result.anchor === null) {
        process.stdout.write(`nothing to remove: no rows older than ${formatTime(result.cutoff)}\n`);
      } else {
        process.stdout.write(
          `removed ${result.removed} rows older than ${formatTime(result.cutoff)}; ` +
            `the chain now starts at row ${result.anchor.firstKeptId} (recorded in a checkpoint row)\n`,
        );
      }
    });
}

function addFilters(command: Command, dataOption: () => [string, string, string]): Command {
  return command
    .option(...dataOption())
    .option(
      '--from <time>',
      'rows at or after this time (ISO 8601, e.g. 2025-03-01 or 2025-03-01T14:30Z)',
      parseTime,
    )
    .option('--to <time>', 'rows before this time (ISO 8601)', parseTime)
    .option('--board <id>', 'rows about this board')
    .addOption(new Option('--action <action>', 'rows of this action').choices(AUDIT_ACTIONS))
    .option('--actor <actor>', 'rows by this actor, e.g. "share:s_…" or "cli:alice"')
    .option('--ip <address>', 'rows from this IP address');
}

const filterOf = (options: FilterOptions): AuditFilter => ({
  from: options.from,
  to: options.to,
  boardId: options.board,
  action: options.action,
  actor: options.actor,
  ip: options.ip,
});

/**
 * Opens the data folder for one audit command. Unlike other commands it never creates one: a
 * mistyped --data must not report "chain intact: 0 rows".
 */
function withAuditService<T>(dataDir: string, run: (service: AuditService) => T): T {
  if (!existsSync(databaseFile(dataDir))) {
    throw new HubError(
      'DATA_DIR_UNUSABLE',
      `No Boardhub database (${DATABASE_FILE}) in ${dataDir}. Pass --data or set BOARDHUB_DATA.`,
    );
  }
  const stores = openStores(dataDir);
  try {
    return run(new AuditService(stores));
  } finally {
    stores.close();
  }
}

/**
 * Gives `produce` a synchronous writer (rows are streamed straight from SQLite) that buffers into
 * large chunks. A file is written under a temporary name and renamed when complete, so a failed
 * export never leaves a partial file that looks whole.
 */
function writeOutput<T>(file: string | undefined, produce: (write: (chunk: string) => void) => T): T {
  const target = file === undefined ? null : openPartialFile(file);
  let buffered = '';
  const flush = (): void => {
    if (buffered === '') return;
    if (target === null) process.stdout.write(buffered);
    else writeSync(target.fd, buffered);
    buffered = '';
  };
  let complete = false;
  try {
    const result = produce((chunk) => {
      buffered += chunk;
      if (buffered.length >= WRITE_CHUNK) flush();
    });
    flush();
    complete = true;
    return result;
  } finally {
    if (target !== null) {
      closeSync(target.fd);
      if (complete) renameSync(target.temp, target.file);
      else rmSync(target.temp, { force: true });
    }
  }
}

function openPartialFile(file: string): { file: string; temp: string; fd: number } {
  const temp = `${file}.${process.pid}.partial`;
  try {
    return { file, temp, fd: openSync(temp, 'w', 0o600) };
  } catch (error) {
    throw new HubError('INVALID_ARGUMENT', `Cannot write ${file}: ${describeError(error)}`);
  }
}

function parseTime(value: string): number {
  const ms = /^\d{4}-\d{2}-\d{2}/.test(value) ? Date.parse(value) : Number.NaN;
  if (!Number.isFinite(ms)) {
    throw new InvalidArgumentError(
      'expected an ISO 8601 date or time such as 2025-03-01 or 2025-03-01T14:30:00Z',
    );
  }
  return ms;
}

function parseWholeNumber(value: string): number {
  if (!/^\d{1,15}$/.test(value.trim())) throw new InvalidArgumentError('expected a whole number');
  return Number(value);
}
