/**
 * What a launch may change, from the command line or the environment (the smoke test uses both):
 * - `--user-data-dir=PATH` / BOARDHUB_USER_DATA_DIR: where the app keeps everything, the hub's data
 *   folder included (`PATH/hub`); a separate folder is also a separate single-instance lock.
 * - `--local-only` / BOARDHUB_LOCAL_ONLY=1: this run listens on loopback without mDNS, whatever
 *   the saved setting (for tests and for a machine that must never announce itself).
 * Pure: tested in Node.
 */
import path from 'node:path';
import type { HubConfigInput } from '../src/index.js';

export interface LaunchOptions {
  userDataDir: string | null;
  localOnly: boolean;
}

function switchValue(argv: readonly string[], name: string): string | null {
  const prefix = `--${name}=`;
  const found = argv.find((arg) => arg.startsWith(prefix));
  return found === undefined ? null : found.slice(prefix.length);
}

export function readLaunchOptions(argv: readonly string[], env: NodeJS.ProcessEnv): LaunchOptions {
  const fromSwitch = switchValue(argv, 'user-data-dir');
  const fromEnv = env.BOARDHUB_USER_DATA_DIR;
  const chosen = fromSwitch !== null && fromSwitch !== '' ? fromSwitch : fromEnv;
  return {
    userDataDir: chosen === undefined || chosen === '' ? null : path.resolve(chosen),
    localOnly: argv.includes('--local-only') || env.BOARDHUB_LOCAL_ONLY === '1',
  };
}

/** The hub's data folder inside the app's user-data folder. */
export function hubDataDir(userDataDir: string): string {
  return path.join(userDataDir, 'hub');
}

/**
 * The hub's configuration in the desktop app: data in the user-data folder; visible on the LAN
 * (and announced over mDNS) unless the user turned that off; a busy port makes the hub take a
 * free one and remember it. Host, port and idle time are left to the stored settings.
 */
export function desktopHubConfig(
  userDataDir: string,
  options: Pick<LaunchOptions, 'localOnly'>,
): HubConfigInput {
  const base: HubConfigInput = {
    dataDir: hubDataDir(userDataDir),
    lanVisibleByDefault: true,
    portFallback: true,
  };
  return options.localOnly ? { ...base, host: '127.0.0.1', mdns: false } : base;
}
