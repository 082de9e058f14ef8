import { Queue } from 'bullmq';
import type { Redis } from 'ioredis';
import { QueueName, type JobDetail, type JobSummary, type RedisKeys, type RunJobData } from '@shelf/contract';
import type { Logger } from '../logger.js';
import { JobEvents } from '../live/jobEvents.js';
import type { Registry } from '../registry/registry.js';
import { cancelJob } from './cancelJob.js';
import { canSeeJob } from '../auth/policy.js';
import type { Principal } from '../auth/principal.js';
import type { JobQuery } from './listJobs.js';
import { check, enqueueJob, retryJob, type EnqueueRequest, type LaunchDeps, type RunQueue } from './enqueueJob.js';
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
    enqueue: (request: EnqueueRequest, by: Principal): Promise<{ id: string }> => enqueueJob(deps, request, by),
    retry: (id: string, by: Principal): Promise<{ id: string }> => retryJob(deps, id, by),
    cancel: (id: string, by: Principal): Promise<JobSummary> => cancelJob(deps, id, by),
    /** The job, if `by` may see it. */
    detail: async (id: string, by: Principal): Promise<JobDetail> => {
      const job = await store.detail(id);
      check(canSeeJob(by, job));
      return job;
    },
    logs: async (id: string, after: number, pageSize: number, by: Principal) => {
      check(canSeeJob(by, await store.summary(id)));
      return store.logs(id, after, pageSize);
    },
    /** Non-admins list their own jobs only. */
    list: (query: JobQuery, by: Principal) => store.list(by.role === 'admin' ? query : { ...query, submittedBy: by.id }),
    /** Stops listening; the shared Redis connection stays open for its owner to close. */
    close: async (): Promise<void> => {
      await events.close();
      await queue.close();
    },
  };
}
export type JobServices = Awaited<ReturnType<typeof createJobServices>>;
