import type { Command } from 'commander';
import { cliActor, withService } from './offline-context.js';
import { formatTime, printJson, printTable } from './output.js';

interface DataOptions {
  data: string;
  json?: boolean;
}

export function registerBoard(program: Command, dataOption: () => [string, string, string]): void {
  const board = program.command('board').description('create and list boards');

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
    .description('list boards')
    .option(...dataOption())
    .option('--json', 'print JSON')
    .action(async (options: DataOptions) => {
      const boards = await withService(options.data, (service) => service.listBoards());
      if (options.json) {
        printJson(boards.map(({ id, name, createdAt, updatedAt }) => ({ id, name, createdAt, updatedAt })));
        return;
      }
      printTable(
        boards.map((b) => ({
          id: b.id,
          name: b.name,
          created: formatTime(b.createdAt),
          updated: formatTime(b.updatedAt),
        })),
        'No boards yet. Create one with: boardhub board create --name "Retro"',
      );
    });
}
