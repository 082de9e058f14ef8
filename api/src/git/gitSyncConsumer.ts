import { DelayedError, UnrecoverableError, Worker, type Job } from 'bullmq';
import type { Redis } from 'ioredis';
import { QueueName, type RedisKeys } from '@shelf/contract';
import { toAppError, UnavailableError } from '../errors.js';
import type { ImportLog } from '../imports/importLog.js';
import type { Logger } from '../logger.js';
import { defaultHostGateOptions, HostGate, hostOf, type HostGateOptions, type HostVerdict } from './hostGate.js';
import { GitCommandError, startSyncDeadline } from './runGit.js';
import { scrubGitText } from './scrubGitText.js';
import { GitSyncJobData, syncRepository, type SyncDeps } from './syncRepository.js';

/** SHELF_GIT_SYNC_TIMEOUT_SECONDS' default: five commands' worth of the 60 s each may take. */
export const defaultSyncTimeoutMs = 300_000;
const defaultConcurrency = 4;

export interface GitSyncConsumerDeps extends SyncDeps {
  /** Duplicated for BullMQ's blocking connection. */
  redis: Redis;
  keys: RedisKeys;
  importLog: ImportLog;
  logger: Logger;
  /** Syncs at once, all hosts together. */
  concurrency?: number;
  /** All git commands of one sync attempt together (SHELF_GIT_SYNC_TIMEOUT_SECONDS). */
  syncTimeoutMs?: number;
  /** Per-host share (half the slots unless given) and the backoff of a host that timed out. */
  hostLimits?: Partial<HostGateOptions>;
}

/**
 * Starts the Git sync consumer inside the API process (the import pipeline lives here).
 * Each job's outcome is written to its import record: running → done | ignored | failed.
 * Network failures are retried by BullMQ; anything a retry cannot fix fails at once.
 * Returns the function that stops it.
 */
export async function startGitSyncConsumer(deps: GitSyncConsumerDeps): Promise<() => Promise<void>> {
  const concurrency = deps.concurrency ?? defaultConcurrency;
  const gate = new HostGate({ perHost: Math.max(1, Math.floor(concurrency / 2)), ...defaultHostGateOptions, ...deps.hostLimits });
  const connection = deps.redis.duplicate({ maxRetriesPerRequest: null });
  const worker = new Worker<unknown>(QueueName.gitSync, (job, token) => processJob(deps, gate, job, token), {
    connection,
    prefix: deps.keys.bullPrefix,
    concurrency,
  });
  worker.on('error', (err) => deps.logger.warn({ err: err.message }, 'git sync consumer problem'));
  worker.on('failed', (job, err) => deps.logger.info({ importId: (job?.data as GitSyncJobData | undefined)?.importId, err: err.message }, 'git import attempt failed'));
  await worker.waitUntilReady();
  return async () => {
    await worker.close();
    await connection.quit();
  };
}

/**
 * A job whose host has no free share goes back to delayed instead of waiting here: waiting in
 * the processor would hold the slot that syncs of other hosts need, which is the starvation
 * the gate exists to prevent, and BullMQ's per-group limits are a Pro feature. Set aside like
 * this, a job keeps its attempts (DelayedError is not a failure).
 */
async function processJob(deps: GitSyncConsumerDeps, gate: HostGate, job: Job<unknown>, token: string | undefined): Promise<void> {
  const parsed = GitSyncJobData.safeParse(job.data);
  if (!parsed.success) throw new UnrecoverableError(`invalid git sync job: ${parsed.error.message}`);
  const data = parsed.data;
  const admission = gate.enter(hostOf(data.url));
  if ('reason' in admission) {
    await noteWaiting(deps.importLog, data.importId, admission.reason);
    await job.moveToDelayed(admission.waitUntil, token);
    throw new DelayedError();
  }
  let verdict: HostVerdict = 'untried';
  try {
    await deps.importLog.update(data.importId, { state: 'running' });
    const deadline = startSyncDeadline(deps.syncTimeoutMs ?? defaultSyncTimeoutMs);
    const outcome = await syncRepository({ ...deps, fetch: { ...deps.fetch, deadline } }, data);
    verdict = 'answered';
    await deps.importLog.update(data.importId, outcome);
  } catch (err) {
    if (err instanceof GitCommandError) verdict = err.failure === 'timeout' ? { timedOut: err.message } : 'answered';
    await recordFailure(deps, job, data.importId, err);
  } finally {
    admission.pass.release(verdict);
  }
}

/** Writes why the attempt failed; rethrows for BullMQ to retry, or fails the job for good. */
async function recordFailure(deps: GitSyncConsumerDeps, job: Job<unknown>, importId: string, err: unknown): Promise<never> {
  const message = scrubGitText((err as Error).message ?? String(err), { cacheDir: deps.fetch.cacheDir });
  const attempt = job.attemptsMade + 1;
  const attempts = job.opts.attempts ?? 1;
  const retryable = isRetryable(err);
  if (retryable && attempt < attempts) {
    await deps.importLog.update(importId, { state: 'queued', error: `attempt ${attempt} of ${attempts} failed, retrying: ${message}` });
    throw err;
  }
  const final = retryable && attempts > 1 ? `gave up after ${attempts} attempts: ${message}` : message;
  await deps.importLog.update(importId, { state: 'failed', error: final });
  throw new UnrecoverableError(final);
}

/** Only what may work a moment later: the network, DNS, Redis. A refusal stays a refusal. */
function isRetryable(err: unknown): boolean {
  if (err instanceof GitCommandError) return err.retryable;
  if (err instanceof UnavailableError) return true;
  return toAppError(err) === undefined;
}

/**
 * Says on the import record why it is still queued, keeping why its last attempt failed in
 * front; written only when that changes, as a job set aside looks again every second or so.
 */
async function noteWaiting(log: ImportLog, importId: string, reason: string): Promise<void> {
  const record = await log.get(importId);
  const failed = /^attempt \d+ of \d+ failed, retrying: (.*?)(?: — waiting|$)/.exec(record.error ?? '');
  const note = failed && !reason.includes(failed[1]!) ? `${failed[0].replace(/ — waiting$/, '')} — ${reason}` : reason;
  if (record.state === 'queued' && record.error === note) return;
  await log.update(importId, { state: 'queued', error: note });
}
