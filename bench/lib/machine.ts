/** Facts about the machine and the software under test, recorded with every result. */
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { availableParallelism, loadavg, release, totalmem } from 'node:os';
import { fileURLToPath } from 'node:url';

const benchDir = fileURLToPath(new URL('../', import.meta.url));

function cpuModel(): string {
  try {
    const match = /^model name\s*:\s*(.+)$/m.exec(readFileSync('/proc/cpuinfo', 'utf8'));
    return match?.[1]?.trim() ?? 'unknown';
  } catch {
    return 'unknown';
  }
}

function installedVersion(pkg: string): string {
  try {
    const json = JSON.parse(readFileSync(`${benchDir}node_modules/${pkg}/package.json`, 'utf8')) as {
      version: string;
    };
    return json.version;
  } catch {
    return 'not installed';
  }
}

function boardhubCommit(): string {
  try {
    const git = (args: string[]) =>
      execFileSync('git', args, { cwd: `${benchDir}..`, encoding: 'utf8' }).trim();
    const dirty = git(['status', '--porcelain', '--', 'src', 'bin']) !== '';
    return `${git(['rev-parse', '--short', 'HEAD'])}${dirty ? ' + uncommitted changes in src/' : ''}`;
  } catch {
    return 'unknown';
  }
}

export function oneMinuteLoad(): number {
  return Number((loadavg()[0] ?? 0).toFixed(2));
}

/** Call at the start: the Boardhub commit then matches the build the bench snapshots. */
export function describeMachine() {
  return {
    date: new Date().toISOString(),
    nproc: availableParallelism(),
    cpuModel: cpuModel(),
    memGiB: Math.round(totalmem() / 2 ** 30),
    kernel: release(),
    /** 1-minute load average: above nproc, other work competed with the bench */
    loadAverage1m: oneMinuteLoad(),
    node: process.version,
    boardhub: boardhubCommit(),
    peers: {
      '@y/websocket-server': installedVersion('@y/websocket-server'),
      '@hocuspocus/server': installedVersion('@hocuspocus/server'),
      '@hocuspocus/extension-sqlite': installedVersion('@hocuspocus/extension-sqlite'),
      '@hocuspocus/provider': installedVersion('@hocuspocus/provider'),
      'y-websocket': installedVersion('y-websocket'),
      yjs: installedVersion('yjs'),
    },
  };
}
