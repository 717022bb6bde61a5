import { InvalidArgumentError } from 'commander';
import ms from 'ms';

/** Commander argument parsers: a bad value is a usage error with a clear message. */
export function parseDuration(value: string): number {
  let parsed: number | undefined;
  try {
    parsed = /^\d+$/.test(value) ? Number(value) : ms(value as ms.StringValue);
  } catch {
    parsed = undefined;
  }
  if (typeof parsed !== 'number' || !Number.isFinite(parsed) || parsed <= 0) {
    throw new InvalidArgumentError('expected a duration such as 90s, 30m, 12h or 7d');
  }
  return parsed;
}

export function parsePort(value: string): number {
  const port = /^\d{1,5}$/.test(value.trim()) ? Number(value) : Number.NaN;
  if (!Number.isInteger(port) || port < 0 || port > 65535) {
    throw new InvalidArgumentError('expected a port number from 0 to 65535');
  }
  return port;
}

export function parseByteSize(value: string): number {
  const match = /^(\d+)\s*(b|kb|kib|mb|mib)?$/i.exec(value.trim());
  if (!match) throw new InvalidArgumentError('expected a size such as 65536, 512KiB or 32MiB');
  const unit = (match[2] ?? 'b').toLowerCase();
  const factor = unit.startsWith('k') ? 1024 : unit.startsWith('m') ? 1024 * 1024 : 1;
  return Number(match[1]) * factor;
}
