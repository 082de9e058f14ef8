import { Queue } from 'bullmq';
import type { Redis } from 'ioredis';
import { QueueName, type JobSummary, type RedisKeys, type RunJobData } from '@shelf/contract';
import type { Logger } from '../logger.js';
import { JobEvents } from '../live/jobEvents.js';
import type { Registry } from '../registry/registry.js';
import { cancelJob } from './cancelJob.js';
import { enqueueJob, retryJob, type EnqueueRequest, type LaunchDeps, type RunQueue } from './enqueueJob.js';
import { InputValidator } from './inputValidator.js';
import type { MaxLimits } from './jobLimits.js';
import { JobStore } from './jobStore.js';

export { registerJobMetrics } from './jobMetrics.js';
export { pruneJobs, startJobRetention } from './jobRetention.js';
export { workerReadiness } from './workerReadiness.js';
export { EnqueueRequest } from './enqueueJob.js';

export interface JobServiceOptions {
  keys: RedisKeys;
  registry: Registry;
  logger: Logger;
  /** config.maxLimits */
  maxLimits: MaxLimits;
  /** How many compiled input schemas to keep. */
  validatorCacheSize?: number;
}

/**
 * The jobs feature wired together: the store, the BullMQ run queue (sharing the API's Redis
 * connection) and the live event stream (its own subscriber connection). main.ts and the
 * tests build it the same way.
 */
export async function createJobServices(redis: Redis, opts: JobServiceOptions) {
  const store = new JobStore(redis, opts.keys);
  const queue: RunQueue = new Queue<RunJobData, unknown, 'run'>(QueueName.run, { connection: redis, prefix: opts.keys.bullPrefix });
  queue.on('error', (err) => opts.logger.warn({ err: err.message }, 'run queue problem'));
  const events = await JobEvents.start(redis, opts.keys, opts.logger);
  const deps: LaunchDeps = {
    store,
    queue,
    registry: opts.registry,
    inputs: new InputValidator(opts.validatorCacheSize),
    maxLimits: opts.maxLimits,
  };
  return {
    store,
    queue,
    events,
    enqueue: (request: EnqueueRequest): Promise<{ id: string }> => enqueueJob(deps, request),
    retry: (id: string): Promise<{ id: string }> => retryJob(deps, id),
    cancel: (id: string): Promise<JobSummary> => cancelJob(deps, id),
    /** Stops listening; the shared Redis connection stays open for its owner to close. */
    close: async (): Promise<void> => {
      await events.close();
      await queue.close();
    },
  };
}
export type JobServices = Awaited<ReturnType<typeof createJobServices>>;
