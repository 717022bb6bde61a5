import type { Command } from 'commander';
import { DEFAULT_PORT } from '../config.js';
import { createHub } from '../hub.js';
import { BOARD_PATH_PREFIX } from '../net/join-url.js';
import { describeLanPresence } from './lan-output.js';
import { parseByteSize, parseDuration, parsePort } from './parse.js';

interface ServeOptions {
  data: string;
  host?: string;
  port?: number;
  idleUnload?: number;
  maxPayload?: number;
  durability: 'normal' | 'full';
  logLevel: 'fatal' | 'error' | 'warn' | 'info' | 'debug' | 'trace' | 'silent';
  adminOnLan?: boolean;
  allowOrigin: string[];
  name?: string;
  mdns?: boolean;
  mdnsInterface: string[];
  mdnsTtl?: number;
  auditRetention?: number;
}

const collect = (value: string, previous: string[]): string[] => [...previous, value];

export function registerServe(program: Command, dataOption: () => [string, string, string]): void {
  program
    .command('serve')
    .description(
      'run the hub (on this machine only, unless the settings or --host open it to the LAN). ' +
        '--host, --port, --idle-unload and --name apply to this run only; without them the ' +
        'settings saved in the data folder (by the desktop app or PATCH /api/settings) apply',
    )
    .option(...dataOption())
    .option(
      '--host <address>',
      'address to listen on; 0.0.0.0 opens the hub to the LAN (default: the saved setting, else 127.0.0.1)',
    )
    .option(
      '--port <port>',
      `TCP port, 0 picks a free one (default: the saved setting, else ${DEFAULT_PORT})`,
      parsePort,
    )
    .option(
      '--idle-unload <duration>',
      'unload a board this long after its last client left (default: the saved setting, else 30m)',
      parseDuration,
    )
    .option('--max-payload <bytes>', 'largest accepted WebSocket frame (default 32MiB)', parseByteSize)
    .option(
      '--durability <level>',
      'normal: survives a hub crash; full: also power loss (fsync per commit)',
      'normal',
    )
    .option('--log-level <level>', 'fatal | error | warn | info | debug | silent', 'info')
    .option('--admin-on-lan', 'let the admin API answer LAN clients too (default: this machine only)')
    .option(
      '--allow-origin <origin>',
      'a web origin allowed to use the API and WebSockets (repeatable)',
      collect,
      [],
    )
    .option(
      '--name <name>',
      "the hub's name on the LAN for this run (default: the saved setting, else the machine name)",
    )
    .option('--mdns', 'announce the hub over mDNS (default: when it is visible on the LAN)')
    .option('--no-mdns', 'do not announce the hub or look for other hubs over mDNS')
    .option(
      '--mdns-interface <name>',
      'announce on this interface or address only (repeatable; default: every LAN interface)',
      collect,
      [],
    )
    .option(
      '--mdns-ttl <duration>',
      'lifetime of the mDNS records: a hub that vanished without goodbye is dropped this long after (default 2m)',
      parseDuration,
    )
    .option(
      '--audit-retention <duration>',
      'prune audit rows older than this, daily (default 180d)',
      parseDuration,
    )
    .action(async (options: ServeOptions) => {
      const hub = createHub(
        {
          auditRetentionMs: options.auditRetention,
          dataDir: options.data,
          host: options.host,
          port: options.port,
          idleUnloadMs: options.idleUnload,
          maxPayloadBytes: options.maxPayload,
          durability: options.durability,
          logLevel: options.logLevel,
          adminOnLan: options.adminOnLan === true,
          allowedOrigins: options.allowOrigin,
          name: options.name,
          mdns: options.mdns,
          mdnsInterfaces: options.mdnsInterface,
          mdnsTtlSeconds:
            options.mdnsTtl === undefined ? undefined : Math.max(1, Math.round(options.mdnsTtl / 1000)),
        },
        { lowerHelperThreadPriority: true },
      );
      const { url, port } = await hub.start();
      const wsBase = url.replace(/^http/, 'ws');
      const { lanVisible } = hub.service.getSettings();
      process.stdout.write(
        `Boardhub listening on ${url}\n` +
          `  boards:  ${wsBase}${BOARD_PATH_PREFIX}{boardId}?token=…\n` +
          `  data:    ${options.data}\n` +
          `  admin:   ${url}/ (management UI and /api/: ${options.adminOnLan ? 'LAN too' : 'this machine only'}; token: boardhub admin-token)\n` +
          (lanVisible
            ? '  VISIBLE ON THE LAN: anyone on this network can reach it (share links still decide who gets in)\n'
            : '  NOT visible on the LAN: this machine only (--host 0.0.0.0, or "visible on the LAN" in the settings, opens it)\n') +
          (await describeLanPresence(hub.service, port)),
      );
      let signals = 0;
      const shutdown = (signal: string): void => {
        signals++;
        if (signals > 1) {
          process.stderr.write(`Second ${signal}: exiting without a clean stop.\n`);
          process.exit(130);
        }
        process.stdout.write(`${signal} received, saving boards and stopping…\n`);
        hub.stop().then(
          () => process.exit(0),
          (error: unknown) => {
            process.stderr.write(`error: stop failed: ${String(error)}\n`);
            process.exit(1);
          },
        );
      };
      process.on('SIGINT', () => shutdown('SIGINT'));
      process.on('SIGTERM', () => shutdown('SIGTERM'));
    });
}
