import { formatAbsolute } from '../../ui/time';

/**
 * A row's detail object (free-form JSON the hub chose per action) as short "key: value" pairs,
 * with the common shapes made readable: `…At` times as dates, `…Ms` durations in seconds.
 */
function describeValue(key: string, value: unknown): string {
  if (typeof value === 'number' && key.endsWith('At')) return formatAbsolute(value);
  if (typeof value === 'number' && key.endsWith('Ms')) {
    return value < 1000 ? `${value} ms` : `${Math.round(value / 100) / 10} s`;
  }
  if (value === null) return '—';
  return typeof value === 'string' ? value : JSON.stringify(value);
}

export const describeDetail = (detail: Record<string, unknown>): string =>
  Object.entries(detail)
    .map(([key, value]) => `${key}: ${describeValue(key, value)}`)
    .join(', ');
