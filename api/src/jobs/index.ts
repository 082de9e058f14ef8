import type { Redis } from 'ioredis';
import { JobState, type JobDetailAnswer, type JobSummary, type LogLine, type LogStream, type RedisKeys } from '@shelf/contract';
import { JobRecords, WorkerRegistry, type JobPage, type JobQuery } from '@shelf/records';
import type { AuditLog } from '../auth/auditLog.js';
import type { Logger } from '../logger.js';
import { JobEvents } from '../live/jobEvents.js';
import type { Registry } from '../registry/registry.js';
import { cancelJob } from './cancelJob.js';
import { canSeeJob } from '../auth/policy.js';
import type { Principal } from '../auth/principal.js';
import { ApprovalTimeouts } from './approvalTimeouts.js';
import { awaitingDecisionOf, decideJob, detailFor, expireJob, type DecisionRequest } from './decideJob.js';
import { check, checkRun, enqueueJob, found, retryJob, type CheckedRun, type EnqueueRequest, type JobOrigin, type LaunchDeps, type Launched, type ValidateRequest } from './enqueueJob.js';
import { InputValidator } from './inputValidator.js';
import type { MaxLimits } from './jobLimits.js';
import { defaultAllowedImages } from '@shelf/contract';
import { defaultInputQuota, defaultMaxActiveJobsPerUser } from '../config.js';
import type { JobCallbacks } from '../notify/index.js';
import type { SecretServices } from '../secrets/index.js';
import { RunQueueSet } from './runQueueSet.js';
import { FleetView } from './waitingFor.js';

export { registerJobMetrics } from './jobMetrics.js';
export { workerReadiness } from './workerReadiness.js';
export { EnqueueRequest, ValidateRequest } from './enqueueJob.js';
export { DecisionRequest } from './decideJob.js';

export interface JobServiceOptions {
  keys: RedisKeys;
  registry: Registry;
  logger: Logger;
  /** config.maxLimits */
  maxLimits: MaxLimits;
  /** SHELF_MAX_JOB_INPUT_BYTES / SHELF_MAX_USER_INPUT_BYTES; the defaults when not given. */
  inputQuota?: { maxJobBytes: number; maxUserBytes: number };
  /** SHELF_MAX_ACTIVE_JOBS_PER_USER; the default when not given. */
  maxActiveJobsPerUser?: number;
  /** Where a job's callbackUrl is checked and registered (the notify area); without it, callbackUrl is refused. */
  callbacks?: JobCallbacks;
  /** SHELF_ALLOWED_IMAGES; the three runtime images when not given. */
  allowedImages?: string[];
  /** How many compiled input schemas to keep. */
  validatorCacheSize?: number;
  /** Where the expiry of a request is recorded (actor `system`). */
  audit?: Pick<AuditLog, 'record'>;
  /** The key secret inputs are sealed with, and the named secrets items may read. */
  secrets: Pick<SecretServices, 'box' | 'named'>;
}

/**
 * The jobs feature wired together: the job records, the BullMQ run queues (sharing the API's Redis
 * connection), the live event stream (its own subscriber connection) and the approvals' timeouts,
 * consumed in this process. main.ts and the tests build it the same way.
 */
export async function createJobServices(redis: Redis, opts: JobServiceOptions) {
  const records = new JobRecords(redis, opts.keys, opts.registry, opts.secrets.box);
  await records.upgradeLayout();
  const queues = new RunQueueSet(redis, opts.keys, opts.logger);
  const fleet = new FleetView(new WorkerRegistry(redis, opts.keys));
  const events = await JobEvents.start(redis, opts.keys, opts.logger);
  const timeouts = new ApprovalTimeouts(redis, opts.keys, opts.logger);
  const stopTimeouts = await timeouts.startConsumer((id) => expireJob({ records, audit: opts.audit, logger: opts.logger }, id));
  // Every waiting job has its timeout, even one whose scheduling a crash interrupted (a no-op for the rest).
  for (const { id, deadline } of await records.awaitingDeadlines()) await timeouts.schedule(id, deadline);
  const deps: LaunchDeps = {
    records,
    queues,
    timeouts,
    registry: opts.registry,
    inputs: new InputValidator(opts.validatorCacheSize),
    maxLimits: opts.maxLimits,
    allowedImages: opts.allowedImages ?? [...defaultAllowedImages],
    inputQuota: opts.inputQuota ?? defaultInputQuota,
    maxActiveJobsPerUser: opts.maxActiveJobsPerUser ?? defaultMaxActiveJobsPerUser,
    callbacks: opts.callbacks,
    namedSecrets: opts.secrets.named,
  };
  return {
    records,
    queues,
    events,
    enqueue: (request: EnqueueRequest, by: Principal, origin?: JobOrigin): Promise<Launched> => enqueueJob(deps, request, by, origin),
    /** The dry run: every check of a submission, nothing stored. */
    check: (request: ValidateRequest, by: Principal): Promise<CheckedRun> => checkRun(deps, request, by),
    retry: (id: string, by: Principal): Promise<Launched> => retryJob(deps, id, by),
    cancel: (id: string, by: Principal): Promise<JobSummary> => cancelJob(deps, id, by),
    approve: (id: string, request: DecisionRequest, by: Principal): Promise<JobSummary> => decideJob(deps, id, 'approved', request, by),
    reject: (id: string, request: DecisionRequest, by: Principal): Promise<JobSummary> => decideJob(deps, id, 'rejected', request, by),
    /** Jobs awaiting `by`'s decision. */
    awaitingDecision: (by: Principal): Promise<JobSummary[]> => awaitingDecisionOf(records, by),
    /** The job, if `by` may see it, with what `by` may decide about it. */
    detail: async (id: string, by: Principal): Promise<JobDetailAnswer> => {
      const job = found(await records.detail(id), id);
      check(canSeeJob(by, job));
      const answer = await detailFor(records, job, by);
      const waitingFor = job.state === JobState.QUEUED ? await fleet.waitingFor(job.runsOn) : undefined;
      return waitingFor ? { ...answer, waitingFor } : answer;
    },
    /** `GET /api/jobs/:id/logs?after=N`: the next page of lines and where to continue. */
    logs: async (id: string, after: number, pageSize: number, by: Principal): Promise<{ items: LogLine[]; next: number }> => {
      check(canSeeJob(by, found(await records.summary(id), id)));
      const items = await records.readLog(id, after, pageSize);
      return { items, next: items.at(-1)?.seq ?? after };
    },
    /** `GET /api/jobs/:id/logs?tail=N&stream=S`: the log's last N lines (of stream S), and its last seq to follow on from. */
    logTail: async (id: string, count: number, stream: LogStream | undefined, by: Principal): Promise<{ items: LogLine[]; next: number }> => {
      check(canSeeJob(by, found(await records.summary(id), id)));
      const { items, total } = await records.readLogTail(id, count, stream);
      return { items, next: total };
    },
    /** Non-admins list their own jobs only. */
    list: ({ mine, ...query }: JobQuery & { mine?: boolean }, by: Principal): Promise<JobPage> => records.list(by.role === 'admin' && !mine ? query : { ...query, submittedBy: by.id }),
    /** Stops listening; the shared Redis connection stays open for its owner to close. */
    close: async (): Promise<void> => {
      await stopTimeouts();
      await timeouts.close();
      await events.close();
      await queues.close();
    },
  };
}
export type JobServices = Awaited<ReturnType<typeof createJobServices>>;
