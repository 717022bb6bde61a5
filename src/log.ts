import pino, { type Logger } from 'pino';

export type { Logger };

export type LogLevel = 'fatal' | 'error' | 'warn' | 'info' | 'debug' | 'trace' | 'silent';

/** Strips the query string, where tokens travel, from a URL before it can reach a log line. */
export function redactUrl(url: string | undefined): string {
  if (url === undefined) return '';
  const queryStart = url.indexOf('?');
  return queryStart === -1 ? url : `${url.slice(0, queryStart)}?[redacted]`;
}

/**
 * Structured logs on stderr (stdout is kept for what a command prints for people and scripts).
 * Anything named like a secret is censored as a second line of defence behind redactUrl.
 */
export function createLogger(level: LogLevel): Logger {
  return pino(
    {
      level,
      base: undefined,
      redact: { paths: ['token', '*.token', 'authorization', '*.authorization'], censor: '[redacted]' },
    },
    pino.destination(2),
  );
}
