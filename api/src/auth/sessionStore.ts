import { createHash, randomBytes } from 'node:crypto';
import type { Redis } from 'ioredis';
import type { RedisKeys } from '@shelf/contract';

export interface SessionTimes {
  /** A session unused this long ends. */
  idleMs: number;
  /** And every session ends this long after login, used or not. */
  maxMs: number;
}

export interface Session {
  hash: string;
  userId: string;
  createdMs: number;
}

/** Stored under the sha256 of the cookie value: a copy of Redis holds no usable cookie. */
export function sessionHash(cookieValue: string): string {
  return createHash('sha256').update(cookieValue).digest('hex');
}

/**
 * Sessions in Redis, each a hash whose TTL is the idle timeout, pushed forward on use but never
 * past the absolute end. A user's sessions are also listed per user, so disabling the user or
 * changing their password ends them all.
 */
export class SessionStore {
  constructor(
    private readonly redis: Redis,
    private readonly keys: RedisKeys,
    private readonly times: SessionTimes,
  ) {}

  /** A new session (a login always makes a new one: the id rotates). Returns the cookie value. */
  async create(userId: string, now = Date.now()): Promise<{ cookie: string; hash: string }> {
    const cookie = randomBytes(32).toString('base64url');
    const hash = sessionHash(cookie);
    const key = this.keys.session(hash);
    await this.redis
      .multi()
      .hset(key, { userId, createdMs: String(now) })
      .pexpire(key, Math.min(this.times.idleMs, this.times.maxMs))
      .sadd(this.keys.userSessions(userId), hash)
      .exec();
    return { cookie, hash };
  }

  /** The live session behind a cookie value, its idle timer pushed forward; undefined when gone. */
  async touch(cookie: string, now = Date.now()): Promise<Session | undefined> {
    const hash = sessionHash(cookie);
    const key = this.keys.session(hash);
    const h = await this.redis.hgetall(key);
    if (!h.userId) return undefined;
    const createdMs = Number(h.createdMs);
    const left = createdMs + this.times.maxMs - now;
    if (!(left > 0)) {
      await this.destroy(hash, h.userId);
      return undefined;
    }
    await this.redis.pexpire(key, Math.min(this.times.idleMs, left));
    return { hash, userId: h.userId, createdMs };
  }

  async destroy(hash: string, userId?: string): Promise<void> {
    const owner = userId ?? (await this.redis.hget(this.keys.session(hash), 'userId'));
    const multi = this.redis.multi().del(this.keys.session(hash));
    if (owner) multi.srem(this.keys.userSessions(owner), hash);
    await multi.exec();
  }

  /** Ends every session of a user (disabled, password changed). */
  async destroyAll(userId: string): Promise<void> {
    const hashes = await this.redis.smembers(this.keys.userSessions(userId));
    const multi = this.redis.multi();
    for (const hash of hashes) multi.del(this.keys.session(hash));
    multi.del(this.keys.userSessions(userId));
    await multi.exec();
  }
}
