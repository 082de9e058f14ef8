import { Queue } from 'bullmq';
import type { Redis } from 'ioredis';
import { QueueName, type RedisKeys } from '@shelf/contract';
import type { Logger } from '../logger.js';
import { GitSyncJobData } from './syncRepository.js';

export interface GitSyncQueueOptions {
  attempts?: number;
  /** First retry delay; doubles each attempt. */
  backoffMs?: number;
}

/** Adds Git import jobs; the API's routes use it, gitSyncConsumer.ts takes them. */
export class GitSyncQueue {
  private readonly queue: Queue<GitSyncJobData>;

  constructor(redis: Redis, keys: RedisKeys, opts: GitSyncQueueOptions & { logger?: Logger } = {}) {
    this.queue = new Queue<GitSyncJobData>(QueueName.gitSync, {
      connection: redis,
      prefix: keys.bullPrefix,
      defaultJobOptions: {
        attempts: opts.attempts ?? 3,
        backoff: { type: 'exponential', delay: opts.backoffMs ?? 5000 },
        removeOnComplete: { age: 7 * 24 * 3600, count: 1000 },
        removeOnFail: { age: 30 * 24 * 3600, count: 5000 },
      },
    });
    this.queue.on('error', (err) => opts.logger?.warn({ err: err.message }, 'git sync queue problem'));
  }

  async add(data: GitSyncJobData): Promise<void> {
    await this.queue.add('sync', GitSyncJobData.parse(data));
  }

  close(): Promise<void> {
    return this.queue.close();
  }
}
