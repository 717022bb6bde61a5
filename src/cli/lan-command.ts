import { type Command, InvalidArgumentError } from 'commander';
import { DEFAULT_PORT } from '../config.js';
import { HubError } from '../errors.js';
import { printDiagnostics, printPeers } from './lan-output.js';
import { cliActor, withService } from './offline-context.js';
import { printJson } from './output.js';
import { parsePort } from './parse.js';

/** `boardhub peers` (other hubs on the LAN) and `boardhub doctor` (why they may not show up). */
const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

function parseSeconds(value: string): number {
  const seconds = Number(value);
  if (!Number.isFinite(seconds) || seconds < 0 || seconds > 600) {
    throw new InvalidArgumentError('expected a number of seconds from 0 to 600');
  }
  return seconds;
}

/** "10.0.0.2:7420", "hub.local:7420", "[fe80::1]:7420", or a host alone (port 7420). */
export function parseHostPort(value: string): { host: string; port: number } {
  const bracketed = /^\[([^\]]+)\](?::(\d+))?$/.exec(value);
  const plain = /^([^:[\]]+)(?::(\d+))?$/.exec(value);
  const match = bracketed ?? plain;
  const port = match?.[2] === undefined ? DEFAULT_PORT : Number(match[2]);
  if (!match?.[1] || port < 1 || port > 65535) {
    throw new HubError('INVALID_ARGUMENT', `Expected HOST:PORT, e.g. 192.168.1.20:7420 (got "${value}").`);
  }
  return { host: match[1], port };
}

interface BrowseOptions {
  data: string;
  seconds: number;
  json?: boolean;
}

export function registerLan(program: Command, dataOption: () => [string, string, string]): void {
  const peers = program.command('peers').description('other hubs on the LAN (default: list them)');

  peers
    .command('list', { isDefault: true })
    .description('listen for other hubs for a few seconds, then print them (also hubs added by address)')
    .option(...dataOption())
    .option('--seconds <n>', 'how long to listen', parseSeconds, 3)
    .option('--json', 'print JSON')
    .action(async (options: BrowseOptions) => {
      const found = await withService(
        options.data,
        async (service) => {
          await sleep(options.seconds * 1000);
          return service.peers();
        },
        { lan: { mdns: true } },
      );
      if (options.json) printJson(found);
      else printPeers(found);
    });

  peers
    .command('add <address>')
    .description('add a hub by HOST:PORT (where multicast is blocked); its identity is verified first')
    .option(...dataOption())
    .option('--json', 'print JSON')
    .action(async (address: string, options: { data: string; json?: boolean }) => {
      const { host, port } = parseHostPort(address);
      const added = await withService(
        options.data,
        (service) => service.addPeerByAddress(host, port, cliActor()),
        { lan: { mdns: false } },
      );
      if (options.json) printJson(added);
      else process.stdout.write(`added "${added.name}" (${added.hubId}), key ${added.fingerprintShort}\n`);
    });

  peers
    .command('remove <hubId>')
    .description('forget a hub added by address')
    .option(...dataOption())
    .action(async (hubId: string, options: { data: string }) => {
      await withService(options.data, (service) => service.removePeer(hubId, cliActor()), {
        lan: { mdns: false },
      });
      process.stdout.write(`removed ${hubId}\n`);
    });

  peers
    .command('trust <hubId>')
    .description("accept a hub's new key after checking it with its owner (clears 'changed identity')")
    .option(...dataOption())
    .option('--seconds <n>', 'how long to listen for the hub', parseSeconds, 3)
    .action(async (hubId: string, options: BrowseOptions) => {
      const trusted = await withService(
        options.data,
        async (service) => {
          await sleep(options.seconds * 1000);
          return service.trustPeer(hubId, cliActor());
        },
        { lan: { mdns: true } },
      );
      process.stdout.write(
        `trusted "${trusted.name}" (${trusted.hubId}) with key ${trusted.fingerprintShort}\n`,
      );
    });

  program
    .command('doctor')
    .description('check LAN presence: interfaces, multicast, announcements, peers, common failures')
    .option(...dataOption())
    .option('--seconds <n>', 'how long to listen', parseSeconds, 3)
    .option(
      '--port <port>',
      'the port the hub should use (checked when no hub runs)',
      parsePort,
      DEFAULT_PORT,
    )
    .option('--no-mdns', 'skip the mDNS checks (no multicast sent)')
    .option('--json', 'print JSON')
    .action(async (options: BrowseOptions & { port: number; mdns: boolean }) => {
      const report = await withService(
        options.data,
        async (service) => {
          if (options.mdns) await sleep(options.seconds * 1000);
          return service.diagnostics({ port: options.port });
        },
        { lan: { mdns: options.mdns } },
      );
      if (options.json) printJson(report);
      else printDiagnostics(report);
    });
}
