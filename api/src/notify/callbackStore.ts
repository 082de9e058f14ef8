import type { Redis } from 'ioredis';
import type { RedisKeys } from '@shelf/contract';

/** A job's callback outlives any wait for approval (30 days at most) and the run itself. */
const callbackTtlSeconds = 60 * 86_400;

/** Each job's `callbackUrl`; the one module that reads or writes its keys. */
export class CallbackStore {
  constructor(
    private readonly redis: Redis,
    private readonly keys: RedisKeys,
  ) {}

  async set(jobId: string, url: string): Promise<void> {
    await this.redis.set(this.keys.jobCallback(jobId), url, 'EX', callbackTtlSeconds);
  }

  async get(jobId: string): Promise<string | undefined> {
    return (await this.redis.get(this.keys.jobCallback(jobId))) ?? undefined;
  }
}
