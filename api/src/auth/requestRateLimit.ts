import type { Redis } from 'ioredis';
import type { RequestHandler } from 'express';
import { RateLimiterRedis, RateLimiterRes } from 'rate-limiter-flexible';
import type { RedisKeys } from '@shelf/contract';
import { RateLimitedError } from '../errors.js';
import { auditNote } from './httpGuards.js';

/** SHELF_RATE_LIMIT_PER_MINUTE and SHELF_UPLOAD_RATE_LIMIT_PER_MINUTE. */
export interface RequestRateLimits {
  /** API requests one principal (a signed-in user, their tokens, or an address when anonymous) may make a minute. */
  perMinute: number;
  /** Of those, uploads and imports: they unpack, hash and store bundles. */
  uploadsPerMinute: number;
}
export const defaultRequestRateLimits: RequestRateLimits = { perMinute: 600, uploadsPerMinute: 30 };

/** The routes that store bundles. */
const uploadPaths = new Set(['/api/catalog/bundle/upload', '/api/catalog/local/import', '/api/catalog/git/sync']);

/**
 * Counts every `/api` request per principal in Redis (rate-limiter-flexible), so the limit holds
 * across API processes; past it, 429 with Retry-After. Mounted after authentication, on `/api`
 * only: health, readiness and metrics are never limited. Sign-in has its own stricter limiter.
 */
export function requestRateLimit(redis: Redis, keys: RedisKeys, limits: RequestRateLimits): RequestHandler {
  const minute = { storeClient: redis, duration: 60 };
  const requests = new RateLimiterRedis({ ...minute, keyPrefix: `${keys.rateLimitPrefix}:requests`, points: limits.perMinute });
  const uploads = new RateLimiterRedis({ ...minute, keyPrefix: `${keys.rateLimitPrefix}:uploads`, points: limits.uploadsPerMinute });
  return async (req, res, next) => {
    const who = req.principal ? `user:${req.principal.id}` : `ip:${req.ip ?? ''}`;
    const path = req.originalUrl.split('?')[0]!;
    try {
      await consume(requests, who, `too many requests: at most ${limits.perMinute} a minute per user (SHELF_RATE_LIMIT_PER_MINUTE)`);
      if (req.method === 'POST' && uploadPaths.has(path)) {
        await consume(uploads, who, `too many uploads and imports: at most ${limits.uploadsPerMinute} a minute per user (SHELF_UPLOAD_RATE_LIMIT_PER_MINUTE)`);
      }
    } catch (err) {
      if (err instanceof RateLimitedError) auditNote(res, { action: 'request.rate_limited', target: `${req.method} ${path}` });
      throw err;
    }
    next();
  };
}

async function consume(limiter: RateLimiterRedis, key: string, what: string): Promise<void> {
  try {
    await limiter.consume(key);
  } catch (err) {
    // rate-limiter-flexible rejects with its RateLimiterRes when the key is used up, with an Error when Redis fails.
    if (!(err instanceof RateLimiterRes)) throw err;
    const seconds = Math.max(1, Math.ceil(err.msBeforeNext / 1000));
    throw new RateLimitedError(`${what}; try again in ${seconds} s`, seconds);
  }
}
