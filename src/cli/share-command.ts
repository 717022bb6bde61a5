import { writeFileSync } from 'node:fs';
import { extname } from 'node:path';
import { type Command, Option } from 'commander';
import { ROLES, type Role } from '../auth/roles.js';
import { cliActor, withService } from './offline-context.js';
import { formatTime, printJson, printTable } from './output.js';
import { parseDuration } from './parse.js';

interface ShareCreateOptions {
  data: string;
  board: string;
  role: Role;
  label?: string;
  ttl?: number;
  json?: boolean;
  qr?: boolean;
}

export function registerShare(program: Command, dataOption: () => [string, string, string]): void {
  const share = program.command('share').description('issue, list, revoke and re-role share links');

  share
    .command('create')
    .description('issue a share link (a signed token carrying a role) for a board')
    .requiredOption('--board <id>', 'board id')
    .addOption(new Option('--role <role>', 'what the link allows').choices(ROLES).makeOptionMandatory())
    .option('--label <label>', 'who or what the link is for, shown in the audit log (e.g. "Group A")')
    .option('--ttl <duration>', 'link lifetime, e.g. 2h or 7d (default: no expiry)', parseDuration)
    .option(...dataOption())
    .option(
      '--json',
      'print {"id","token","url","socketUrl","alternativeUrls","alternativeSocketUrls"} as JSON',
    )
    .option('--qr', 'also print the link as a QR code (the token cannot be shown again later)')
    .action(async (options: ShareCreateOptions) => {
      const { issued, qr } = await withService(options.data, async (service) => {
        const issued = await service.createShare(
          { boardId: options.board, role: options.role, label: options.label, ttlMs: options.ttl },
          cliActor(),
        );
        return { issued, qr: options.qr ? await service.shareQr(issued.url, 'terminal') : '' };
      });
      if (options.json) {
        printJson({
          id: issued.share.id,
          token: issued.token,
          url: issued.url,
          socketUrl: issued.socketUrl,
          alternativeUrls: issued.alternativeUrls,
          alternativeSocketUrls: issued.alternativeSocketUrls,
        });
        return;
      }
      process.stdout.write(
        `share ${issued.share.id} (${issued.share.role}${issued.share.label ? `, "${issued.share.label}"` : ''}` +
          `${issued.share.expiresAt ? `, expires ${formatTime(issued.share.expiresAt)}` : ''})\n` +
          `url:    ${issued.url}\n` +
          issued.alternativeUrls.map((url) => `also:   ${url}\n`).join('') +
          `socket: ${issued.socketUrl}\n` +
          `token:  ${issued.token}\n` +
          qr,
      );
    });

  share
    .command('qr <url>')
    .description('show a join link as a QR code (terminal), or write it as SVG or PNG with --out')
    .option('--out <file>', 'write an image instead; the format follows the extension (.svg, .png)')
    .option(...dataOption())
    .action(async (url: string, options: { data: string; out?: string }) => {
      const format =
        options.out === undefined
          ? 'terminal'
          : extname(options.out).toLowerCase() === '.png'
            ? 'png'
            : 'svg';
      const image = await withService(options.data, (service) => service.shareQr(url, format));
      if (options.out === undefined) process.stdout.write(image);
      else {
        writeFileSync(options.out, image);
        process.stdout.write(`wrote ${options.out}\n`);
      }
    });

  share
    .command('revoke <shareId>')
    .description('revoke a share: its token stops working and its live connections are closed')
    .option(...dataOption())
    .option('--json', 'print the share as JSON')
    .action(async (shareId: string, options: { data: string; json?: boolean }) => {
      const revoked = await withService(options.data, (service) => service.revokeShare(shareId, cliActor()));
      if (options.json) printJson(revoked);
      else process.stdout.write(`revoked ${revoked.id}\n`);
    });

  share
    .command('set-role <shareId>')
    .description("change a share's role; live connections switch within 2 seconds")
    .addOption(new Option('--role <role>', 'the new role').choices(ROLES).makeOptionMandatory())
    .option(...dataOption())
    .option('--json', 'print the share as JSON')
    .action(async (shareId: string, options: { data: string; role: Role; json?: boolean }) => {
      const changed = await withService(options.data, (service) =>
        service.setShareRole(shareId, options.role, cliActor()),
      );
      if (options.json) printJson(changed);
      else process.stdout.write(`${changed.id} is now ${changed.role}\n`);
    });

  share
    .command('list')
    .description("list a board's shares")
    .requiredOption('--board <id>', 'board id')
    .option(...dataOption())
    .option('--json', 'print JSON')
    .action(async (options: { data: string; board: string; json?: boolean }) => {
      const shares = await withService(options.data, (service) => service.listShares(options.board));
      if (options.json) {
        printJson(shares);
        return;
      }
      printTable(
        shares.map((s) => ({
          id: s.id,
          role: s.role,
          label: s.label,
          created: formatTime(s.createdAt),
          expires: formatTime(s.expiresAt),
          revoked: formatTime(s.revokedAt),
        })),
        'No shares for this board yet.',
      );
    });
}
