import { readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

/**
 * A running hub writes where it listens into its data folder, so a CLI command run in another
 * process (e.g. `share create`) can print a link that points at it.
 */
export interface RuntimeInfo {
  pid: number;
  host: string;
  port: number;
  startedAt: number;
  /** Whether the hub announces itself over mDNS, and on which interfaces (for links from the CLI). */
  mdns?: boolean;
  mdnsInterfaces?: string[];
}

const RUNTIME_FILE = 'hub-runtime.json';

export function writeRuntimeInfo(dataDir: string, info: RuntimeInfo): void {
  writeFileSync(join(dataDir, RUNTIME_FILE), JSON.stringify(info), { mode: 0o600 });
}

export function removeRuntimeInfo(dataDir: string, pid: number): void {
  if (readRuntimeInfo(dataDir)?.pid === pid) rmSync(join(dataDir, RUNTIME_FILE), { force: true });
}

function processIsAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** The running hub's address, or undefined when none is running on this data folder. */
export function readRuntimeInfo(dataDir: string): RuntimeInfo | undefined {
  let info: RuntimeInfo;
  try {
    info = JSON.parse(readFileSync(join(dataDir, RUNTIME_FILE), 'utf8')) as RuntimeInfo;
  } catch {
    return undefined;
  }
  return typeof info.pid === 'number' && processIsAlive(info.pid) ? info : undefined;
}
