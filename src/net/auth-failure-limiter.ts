import { createRequire } from 'node:module';
import type { RateLimiterMemory as RateLimiterMemoryClass } from 'rate-limiter-flexible';

/*
 * Counts failed authentications per client IP (WebSocket upgrades with a wrong share token, admin
 * API calls with a wrong admin token). Past the limit the IP's wrong credentials get 429 for the
 * block duration, and their refusals are no longer audited one by one, so a guest on the LAN can
 * neither flood the audit log nor keep the hub verifying guesses at full speed.
 *
 * What it does NOT do, on purpose: lock out a correct credential. Callers check a presented
 * credential first (a hash and a row, or a signature: microseconds) and consult the block only
 * when it is wrong, so a web page or a guest making failures from the owner's IP cannot take the
 * owner's admin token or a valid share link away. Guessing gains nothing from this: admin secrets
 * are 256-bit random and share tokens Ed25519 signatures. Requests carrying no credential at all
 * are not failures either (a cross-site <img> is one); they are only kept out of the audit log
 * past the same per-minute count.
 */

/** Only the in-memory limiter, from its own file: the package's index loads every backend (~0.3 MB). */
const RateLimiterMemory: typeof RateLimiterMemoryClass = createRequire(import.meta.url)(
  'rate-limiter-flexible/lib/RateLimiterMemory.js',
);

export class AuthFailureLimiter {
  private readonly failures: RateLimiterMemoryClass;
  private readonly credentialless: RateLimiterMemoryClass;
  private readonly blockSeconds: number;

  constructor(failuresPerMinute: number, blockSeconds: number) {
    this.blockSeconds = blockSeconds;
    this.failures = new RateLimiterMemory({ points: failuresPerMinute, duration: 60 });
    this.credentialless = new RateLimiterMemory({ points: failuresPerMinute, duration: 60 });
  }

  /** Seconds until this IP's wrong credentials are answered with 401 again, or 0 if not blocked. */
  async retryAfterSeconds(ip: string): Promise<number> {
    const state = await this.failures.get(ip);
    return state !== null && state.remainingPoints <= 0
      ? Math.max(1, Math.ceil(state.msBeforeNext / 1000))
      : 0;
  }

  /** A wrong credential from this IP; the one that reaches the limit starts the block. */
  async recordFailure(ip: string): Promise<void> {
    try {
      const state = await this.failures.consume(ip);
      // Blocked from the failure that uses the last point, for the whole block duration (the
      // limiter's own blockDuration starts only at the failure after that, which a blocked IP
      // never gets to make: the block then lasted the rest of the minute).
      if (state.remainingPoints === 0) await this.failures.block(ip, this.blockSeconds);
    } catch {
      // Already over the limit (a failure counted while another was being checked): blocked.
    }
  }

  /** Whether a request with no credential at all from this IP should still get its audit row. */
  async auditsCredentiallessRefusal(ip: string): Promise<boolean> {
    try {
      await this.credentialless.consume(ip);
      return true;
    } catch {
      return false;
    }
  }
}
