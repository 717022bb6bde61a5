import type { Command } from 'commander';
import { cliActor, withService } from './offline-context.js';
import { formatTime, printJson, printTable } from './output.js';

/** Signing keys and the admin token. */
export function registerKeys(program: Command, dataOption: () => [string, string, string]): void {
  const key = program.command('key').description("manage the hub's signing keys");

  key
    .command('list')
    .description('list signing keys')
    .option(...dataOption())
    .option('--json', 'print JSON')
    .action(async (options: { data: string; json?: boolean }) => {
      const keys = await withService(options.data, (service) => service.listKeys());
      if (options.json) printJson(keys);
      else
        printTable(
          keys.map((k) => ({
            kid: k.kid,
            created: formatTime(k.createdAt),
            retired: formatTime(k.retiredAt),
            current: k.current ? 'yes' : '',
          })),
          'No keys.',
        );
    });

  key
    .command('rotate')
    .description('make a new signing key; links signed by older keys keep working until retired')
    .option(...dataOption())
    .action(async (options: { data: string }) => {
      const created = await withService(options.data, (service) => service.rotateKey(cliActor()));
      process.stdout.write(`new signing key ${created.kid}\n`);
    });

  key
    .command('retire')
    .description('retire older keys (or --kid one): links they signed are refused from now on')
    .option('--kid <kid>', 'the key to retire (default: every key but the current one)')
    .option(...dataOption())
    .action(async (options: { data: string; kid?: string }) => {
      const retired = await withService(options.data, (service) =>
        service.retireKey(cliActor(), options.kid),
      );
      process.stdout.write(
        retired.length === 0 ? 'nothing to retire\n' : `retired ${retired.map((k) => k.kid).join(', ')}\n`,
      );
    });

  program
    .command('admin-token')
    .description('print a new admin token for the HTTP API (earlier admin tokens stop working)')
    .option(...dataOption())
    .action(async (options: { data: string }) => {
      const token = await withService(options.data, (service) => service.issueAdminToken(cliActor()));
      process.stdout.write(`${token}\n`);
    });
}
