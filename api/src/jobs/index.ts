import { Queue } from 'bullmq';
import type { Redis } from 'ioredis';
import { QueueName, type JobDetail, type JobSummary, type LogLine, type RedisKeys, type RunJobData } from '@shelf/contract';
import { JobRecords, type JobPage, type JobQuery } from '@shelf/records';
import type { Logger } from '../logger.js';
import { JobEvents } from '../live/jobEvents.js';
import type { Registry } from '../registry/registry.js';
import { cancelJob } from './cancelJob.js';
import { canSeeJob } from '../auth/policy.js';
import type { Principal } from '../auth/principal.js';
import { check, enqueueJob, found, retryJob, type EnqueueRequest, type LaunchDeps, type RunQueue } from './enqueueJob.js';
import { InputValidator } from './inputValidator.js';
import type { MaxLimits } from './jobLimits.js';
import { defaultAllowedImages } from '@shelf/contract';
import { defaultInputQuota } from '../config.js';

export { registerJobMetrics } from './jobMetrics.js';
export { workerReadiness } from './workerReadiness.js';
export { EnqueueRequest } from './enqueueJob.js';

export interface JobServiceOptions {
  keys: RedisKeys;
  registry: Registry;
  logger: Logger;
  /** config.maxLimits */
  maxLimits: MaxLimits;
  /** SHELF_MAX_JOB_INPUT_BYTES / SHELF_MAX_USER_INPUT_BYTES; the defaults when not given. */
  inputQuota?: { maxJobBytes: number; maxUserBytes: number };
  /** SHELF_ALLOWED_IMAGES; the three runtime images when not given. */
  allowedImages?: string[];
  /** How many compiled input schemas to keep. */
  validatorCacheSize?: number;
}

/**
 * The jobs feature wired together: the job records, the BullMQ run queue (sharing the API's Redis
 * connection) and the live event stream (its own subscriber connection). main.ts and the
 * tests build it the same way.
 */
export async function createJobServices(redis: Redis, opts: JobServiceOptions) {
  const records = new JobRecords(redis, opts.keys, opts.registry);
  await records.upgradeLayout();
  const queue: RunQueue = new Queue<RunJobData, unknown, 'run'>(QueueName.run, { connection: redis, prefix: opts.keys.bullPrefix });
  queue.on('error', (err) => opts.logger.warn({ err: err.message }, 'run queue problem'));
  const events = await JobEvents.start(redis, opts.keys, opts.logger);
  const deps: LaunchDeps = {
    records,
    queue,
    registry: opts.registry,
    inputs: new InputValidator(opts.validatorCacheSize),
    maxLimits: opts.maxLimits,
    allowedImages: opts.allowedImages ?? [...defaultAllowedImages],
    inputQuota: opts.inputQuota ?? defaultInputQuota,
  };
  return {
    records,
    queue,
    events,
    enqueue: (request: EnqueueRequest, by: Principal): Promise<{ id: string }> => enqueueJob(deps, request, by),
    retry: (id: string, by: Principal): Promise<{ id: string }> => retryJob(deps, id, by),
    cancel: (id: string, by: Principal): Promise<JobSummary> => cancelJob(deps, id, by),
    /** The job, if `by` may see it. */
    detail: async (id: string, by: Principal): Promise<JobDetail> => {
      const job = found(await records.detail(id), id);
      check(canSeeJob(by, job));
      return job;
    },
    /** `GET /api/jobs/:id/logs?after=N`: the next page of lines and where to continue. */
    logs: async (id: string, after: number, pageSize: number, by: Principal): Promise<{ items: LogLine[]; next: number }> => {
      check(canSeeJob(by, found(await records.summary(id), id)));
      const items = await records.readLog(id, after, pageSize);
      return { items, next: items.at(-1)?.seq ?? after };
    },
    /** Non-admins list their own jobs only. */
    list: (query: JobQuery, by: Principal): Promise<JobPage> => records.list(by.role === 'admin' ? query : { ...query, submittedBy: by.id }),
    /** Stops listening; the shared Redis connection stays open for its owner to close. */
    close: async (): Promise<void> => {
      await events.close();
      await queue.close();
    },
  };
}
export type JobServices = Awaited<ReturnType<typeof createJobServices>>;
