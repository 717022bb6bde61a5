import { readFileSync, writeFileSync } from 'node:fs';
import type { Command } from 'commander';
import type { BoardSummary } from '../service/hub-service.js';
import { cliActor, withService } from './offline-context.js';
import { formatBytes, formatTime, printJson, printTable } from './output.js';

interface DataOptions {
  data: string;
  json?: boolean;
}

const boardRow = (b: BoardSummary): Record<string, string> => ({
  id: b.id,
  name: b.name,
  'last edit': formatTime(b.lastEditAt),
  size: formatBytes(b.sizeBytes),
  log: String(b.logLength),
  ...(b.deletedAt === null ? {} : { deleted: formatTime(b.deletedAt) }),
});

export function registerBoard(program: Command, dataOption: () => [string, string, string]): void {
  const board = program
    .command('board')
    .description('create, list, rename, delete, restore, export and import boards');

  board
    .command('create')
    .description('create a board and print its id')
    .requiredOption('--name <name>', 'board name')
    .option(...dataOption())
    .option('--json', 'print {"id","name"} as JSON')
    .action(async (options: DataOptions & { name: string }) => {
      const created = await withService(options.data, (service) =>
        service.createBoard(options.name, cliActor()),
      );
      if (options.json) printJson({ id: created.id, name: created.name });
      else process.stdout.write(`${created.id}\n`);
    });

  board
    .command('list')
    .description('list boards (with --trash: the deleted ones, restorable for 30 days)')
    .option('--trash', 'list the trash instead')
    .option(...dataOption())
    .option('--json', 'print JSON')
    .action(async (options: DataOptions & { trash?: boolean }) => {
      const boards = await withService(options.data, (service) =>
        service.listBoards({ trash: options.trash === true }),
      );
      if (options.json) printJson(boards);
      else
        printTable(
          boards.map(boardRow),
          options.trash
            ? 'The trash is empty.'
            : 'No boards yet. Create one with: boardhub board create --name "Retro"',
        );
    });

  board
    .command('rename <boardId>')
    .description('rename a board')
    .requiredOption('--name <name>', 'new name')
    .option(...dataOption())
    .action(async (boardId: string, options: DataOptions & { name: string }) => {
      const renamed = await withService(options.data, (service) =>
        service.renameBoard(boardId, options.name, cliActor()),
      );
      process.stdout.write(`renamed ${renamed.id} to "${renamed.name}"\n`);
    });

  board
    .command('delete <boardId>')
    .description('move a board to the trash (live connections are closed; restorable for 30 days)')
    .option(...dataOption())
    .action(async (boardId: string, options: DataOptions) => {
      await withService(options.data, (service) => service.deleteBoard(boardId, cliActor()));
      process.stdout.write(
        `moved ${boardId} to the trash (boardhub board restore ${boardId} brings it back)\n`,
      );
    });

  board
    .command('restore <boardId>')
    .description('bring a board back from the trash')
    .option(...dataOption())
    .action(async (boardId: string, options: DataOptions) => {
      await withService(options.data, (service) => service.restoreBoard(boardId, cliActor()));
      process.stdout.write(`restored ${boardId}\n`);
    });

  board
    .command('purge <boardId>')
    .description('remove a board from the trash for good, with its content and shares')
    .option(...dataOption())
    .action(async (boardId: string, options: DataOptions) => {
      await withService(options.data, (service) => service.purgeBoard(boardId, cliActor()));
      process.stdout.write(`purged ${boardId}\n`);
    });

  board
    .command('export <boardId>')
    .description(
      'write the board as a Yjs update (FILE; with its images: a bundle) and a JSON sidecar (FILE.json)',
    )
    .requiredOption('--out <file>', 'where to write the update, e.g. retro.yjs')
    .option(...dataOption())
    .action(async (boardId: string, options: DataOptions & { out: string }) => {
      const exported = await withService(options.data, (service) => service.exportBoard(boardId, cliActor()));
      writeFileSync(options.out, exported.file);
      writeFileSync(`${options.out}.json`, `${JSON.stringify(exported.meta, null, 2)}\n`);
      process.stdout.write(
        `wrote ${options.out} (${formatBytes(exported.file.byteLength)}) and ${options.out}.json\n`,
      );
    });

  board
    .command('import <file>')
    .description('create a new board from an exported file (its FILE.json sidecar names it, if present)')
    .option('--name <name>', 'name of the new board (default: from the sidecar)')
    .option(...dataOption())
    .option('--json', 'print {"id","name"} as JSON')
    .action(async (file: string, options: DataOptions & { name?: string }) => {
      const bytes = readFileSync(file);
      let meta: unknown;
      try {
        meta = JSON.parse(readFileSync(`${file}.json`, 'utf8'));
      } catch {
        meta = undefined;
      }
      const created = await withService(options.data, (service) =>
        service.importBoard({ file: bytes, name: options.name, meta }, cliActor()),
      );
      if (options.json) printJson({ id: created.id, name: created.name });
      else process.stdout.write(`${created.id}\n`);
    });
}
