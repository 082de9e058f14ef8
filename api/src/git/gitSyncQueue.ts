import { Queue, UnrecoverableError, Worker, type Job } from 'bullmq';
import type { Redis } from 'ioredis';
import { QueueName, type RedisKeys } from '@shelf/contract';
import { AppError, UnavailableError } from '../errors.js';
import type { ImportLog } from '../imports/importLog.js';
import type { Logger } from '../logger.js';
import { GitCommandError } from './runGit.js';
import { GitSyncJobData, syncRepository, type SyncDeps } from './syncRepository.js';

export interface GitSyncQueueOptions {
  attempts?: number;
  /** First retry delay; doubles each attempt. */
  backoffMs?: number;
}

/** Adds Git import jobs; the API's routes use it, the consumer below takes them. */
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

export interface GitSyncConsumerDeps extends SyncDeps {
  /** Duplicated for BullMQ's blocking connection. */
  redis: Redis;
  keys: RedisKeys;
  importLog: ImportLog;
  logger: Logger;
  concurrency?: number;
}

/**
 * Starts the Git sync consumer inside the API process (the import pipeline lives here).
 * Each job's outcome is written to its import record: running → done | ignored | failed.
 * Network failures are retried by BullMQ; anything a retry cannot fix fails at once.
 * Returns the function that stops it.
 */
export async function startGitSyncConsumer(deps: GitSyncConsumerDeps): Promise<() => Promise<void>> {
  const connection = deps.redis.duplicate({ maxRetriesPerRequest: null });
  const worker = new Worker<unknown>(QueueName.gitSync, (job) => processJob(deps, job), {
    connection,
    prefix: deps.keys.bullPrefix,
    concurrency: deps.concurrency ?? 2,
  });
  worker.on('error', (err) => deps.logger.warn({ err: err.message }, 'git sync consumer problem'));
  worker.on('failed', (job, err) => deps.logger.info({ importId: (job?.data as GitSyncJobData | undefined)?.importId, err: err.message }, 'git import attempt failed'));
  await worker.waitUntilReady();
  return async () => {
    await worker.close();
    await connection.quit();
  };
}

async function processJob(deps: GitSyncConsumerDeps, job: Job<unknown>): Promise<void> {
  const parsed = GitSyncJobData.safeParse(job.data);
  if (!parsed.success) throw new UnrecoverableError(`invalid git sync job: ${parsed.error.message}`);
  const data = parsed.data;
  await deps.importLog.update(data.importId, { state: 'running' });
  try {
    const outcome = await syncRepository(deps, data);
    await deps.importLog.update(data.importId, outcome);
  } catch (err) {
    const message = (err as Error).message ?? String(err);
    const attempt = job.attemptsMade + 1;
    const attempts = job.opts.attempts ?? 1;
    if (isRetryable(err) && attempt < attempts) {
      await deps.importLog.update(data.importId, { state: 'queued', error: `attempt ${attempt} of ${attempts} failed, retrying: ${message}` });
      throw err;
    }
    await deps.importLog.update(data.importId, { state: 'failed', error: message });
    throw new UnrecoverableError(message);
  }
}

/** Only what may work a moment later: the network, DNS, Redis. A refusal stays a refusal. */
function isRetryable(err: unknown): boolean {
  if (err instanceof GitCommandError) return err.retryable;
  if (err instanceof UnavailableError) return true;
  return !(err instanceof AppError);
}
