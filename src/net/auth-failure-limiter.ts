import { createRequire } from 'node:module';
import type { RateLimiterMemory as RateLimiterMemoryClass } from 'rate-limiter-flexible';

/*
 * Only the in-memory limiter, from its own file: the package's index loads every backend it
 * supports (Redis, Mongo, Postgres, …), about 0.3 MB of heap in the process that relays edits.
 */
const RateLimiterMemory: typeof RateLimiterMemoryClass = createRequire(import.meta.url)(
  'rate-limiter-flexible/lib/RateLimiterMemory.js',
);

/**
 * Counts failed authentications per client IP (WebSocket upgrades with a bad token, admin API
 * calls with a bad admin token). Past the limit the IP is refused with 429 for a while, so a
 * guest on the LAN cannot brute-force tokens or flood the audit log with refusals.
 */
export class AuthFailureLimiter {
  private readonly limiter: RateLimiterMemoryClass;

  constructor(failuresPerMinute: number, blockSeconds: number) {
    this.limiter = new RateLimiterMemory({
      points: failuresPerMinute,
      duration: 60,
      blockDuration: blockSeconds,
    });
  }

  /** Seconds until this IP may try again, or 0 if it is not blocked. */
  async retryAfterSeconds(ip: string): Promise<number> {
    const state = await this.limiter.get(ip);
    return state !== null && state.remainingPoints <= 0
      ? Math.max(1, Math.ceil(state.msBeforeNext / 1000))
      : 0;
  }

  async recordFailure(ip: string): Promise<void> {
    try {
      await this.limiter.consume(ip);
    } catch {
      // Over the limit: the limiter now blocks this IP; nothing else to do here.
    }
  }
}
