import type { Redis } from 'ioredis';
import { RateLimiterRedis } from 'rate-limiter-flexible';
import { RateLimitedError } from '../errors.js';

/**
 * Counts failed (or merely made) attempts per key in Redis, so the limit holds across API
 * processes: after `points` of them within `windowSeconds` the key is refused (429 with
 * Retry-After) until the window ends. rate-limiter-flexible keeps the counters.
 */
export class AttemptLimiter {
  private readonly limiter: RateLimiterRedis;

  constructor(
    redis: Redis,
    keyPrefix: string,
    private readonly opts: { points: number; windowSeconds: number; what: string },
  ) {
    this.limiter = new RateLimiterRedis({ storeClient: redis, keyPrefix, points: opts.points, duration: opts.windowSeconds });
  }

  /** Refuses when any of the keys is used up. */
  async check(keys: string[]): Promise<void> {
    const states = await Promise.all(keys.map((k) => this.limiter.get(k)));
    const worst = states.filter((s) => s && s.consumedPoints >= this.opts.points).sort((a, b) => b!.msBeforeNext - a!.msBeforeNext)[0];
    if (worst) {
      const seconds = Math.max(1, Math.ceil(worst.msBeforeNext / 1000));
      throw new RateLimitedError(`too many ${this.opts.what}; try again in ${seconds} s`, seconds);
    }
  }

  /** Counts one attempt against every key. */
  async count(keys: string[]): Promise<void> {
    // consume() rejects once a key is over its points; the count is what matters here.
    await Promise.all(keys.map((k) => this.limiter.consume(k).catch(() => undefined)));
  }

  async reset(key: string): Promise<void> {
    await this.limiter.delete(key);
  }
}
