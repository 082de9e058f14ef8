import { Redis } from 'ioredis';
import type { Logger } from './logger.js';

/**
 * A connection that outlives a Redis restart: it reconnects forever (capped back-off) and
 * holds commands until it is back, rather than failing the job that issued them.
 * `maxRetriesPerRequest: null` is also what BullMQ requires of its connections.
 */
export function connectRedis(url: string, name: string, logger: Logger): Redis {
  const redis = new Redis(url, {
    connectionName: name,
    maxRetriesPerRequest: null,
    retryStrategy: (times) => Math.min(times * 200, 5_000),
  });
  let warned = false;
  redis.on('error', (err: Error) => {
    if (!warned) logger.warn({ err: err.message, connection: name }, 'redis connection problem; reconnecting');
    warned = true;
  });
  redis.on('ready', () => {
    if (warned) logger.info({ connection: name }, 'redis connection restored');
    warned = false;
  });
  return redis;
}
