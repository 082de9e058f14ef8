import { JobErrorCode, JobState, redisKeys } from '@shelf/contract';
import { followKillRequests, NamedSecrets, RegistryReader, RunQueues, RunRecorder, SecretBox, WorkerRegistry } from '@shelf/records';
import path from 'node:path';
import { UnrecoverableError, type Job } from 'bullmq';
import { BundleCache } from './bundleCache.js';
import type { Config } from './config.js';
import { DrainControl } from './drainControl.js';
import { beat } from './heartbeat.js';
import type { Logger } from './logger.js';
import { createMetrics, type WorkerMetrics } from './metrics.js';
import { connectRedis } from './redis.js';
import { chooseRunner } from './runners/chooseRunner.js';
import type { Runner } from './runners/runner.js';
import { pruneRunFolders } from './runFolder.js';
import { createRunJob, type RunJobResult } from './runJob.js';
import { RunQueueWorkers } from './runQueueWorkers.js';
import { CancelRequested, RunningJobs, WorkerShutdown } from './runningJobs.js';
import { isLastAttempt } from './attempts.js';
import { shelfVersion } from './version.js';

/** BullMQ's reason for a job whose worker stopped renewing its lock (maxStalledCount 0). */
const STALLED_REASON = 'job stalled more than allowable limit';
/** How often running jobs' stored states are checked, in case a cancel message was missed. */
const STATE_CHECK_MS = 2_000;

export interface WorkerHandle {
  workerId: string;
  /** The sandbox engine its jobs run on: docker or runc (or custom, one passed in). */
  runner: string;
  metrics: WorkerMetrics;
  /** Stops taking jobs, lets running ones finish for `graceMs`, then stops them (FAILED, LOST). */
  close(graceMs?: number): Promise<void>;
}

/** Wires one worker: Redis, Docker, the BullMQ worker, cancel listener, heartbeat and sweeps. */
export async function startWorker(config: Config, logger: Logger, runner?: Runner): Promise<WorkerHandle> {
  const keys = redisKeys(config.redisPrefix);
  const redis = connectRedis(config.redisUrl, `shelf-worker:${config.workerId}`, logger);
  const subscriber = connectRedis(config.redisUrl, `shelf-worker-sub:${config.workerId}`, logger);
  const bullConnection = connectRedis(config.redisUrl, `shelf-worker-bull:${config.workerId}`, logger);
  // Only the API makes the key: a worker without one fails the jobs that have secrets, saying why.
  const box = await SecretBox.load({ fromEnv: config.secretsKey, dataDir: config.dataDir, create: false });
  if (!box.ready) logger.info({ dataDir: config.dataDir }, 'no secrets key yet (SHELF_SECRETS_KEY, or secrets.key in the data folder, which the API makes): looked for again when a job has secrets');
  const recorder = new RunRecorder(redis, keys, box);
  const secrets = new NamedSecrets(redis, keys, box);
  const registry = new RegistryReader(redis, keys);
  const workers = new WorkerRegistry(redis, keys);
  const running = new RunningJobs();
  const metrics = createMetrics(() => running.size);
  const chosen = runner
    ? { runner, name: 'custom' }
    : await chooseRunner(
        {
          choice: config.runner,
          policy: {
            workerId: config.workerId,
            installation: config.redisPrefix,
            tmpSizeBytes: config.tmpSizeBytes,
            maxFileBytes: Math.max(config.tmpSizeBytes, config.maxOutputBytes) + 1024 * 1024,
          },
          cacheDir: config.cacheDir,
          runcStateBase: config.runcStateBase,
          probeImages: config.allowedImages.filter((pattern) => !/[*?[\]{}!]/.test(pattern)),
        },
        logger,
      );
  const sandbox = chosen.runner;
  /** Longer than any job of this worker can run: what it left behind after that is stale. */
  const longestRunMs = (config.maxLimits.timeoutSeconds + 600) * 1000;
  const bundles = new BundleCache({
    storeDir: config.bundlesDir,
    apiUrl: config.apiUrl,
    apiToken: config.apiToken,
    cacheDir: config.cacheDir,
    maxBytes: config.cacheMaxBytes,
    staleLeaseMs: longestRunMs,
    onError: (err) => logger.warn({ err }, 'bundle cache: could not release or evict; it stays over its limit until the next try'),
  });

  const runQueues = new RunQueues(redis, keys);
  const worker = new RunQueueWorkers<RunJobResult>({
    labels: config.labels,
    concurrency: config.concurrency,
    process: createRunJob({ config, recorder, registry, secrets, secretBox: box, bundles, runner: sandbox, running, metrics, logger }),
    workerOptions: {
      connection: bullConnection,
      prefix: keys.bullPrefix,
      name: config.workerId,
      lockDuration: config.lockMs,
      stalledInterval: config.stalledIntervalMs,
      // A job whose worker died is not run again behind the user's back: it ends FAILED (LOST).
      maxStalledCount: 0,
    },
    onWorker: (w) => {
      w.on('failed', (job, err) => {
        if (job) track(settleFailedJob(job, err).catch((e: unknown) => logger.error({ err: e, jobId: job.id }, 'could not settle failed job')));
      });
      w.on('error', (err) => logger.error({ err }, 'worker error'));
      w.on('stalled', (jobId) => logger.warn({ jobId }, 'job stalled: its worker stopped renewing the lock'));
    },
    logger,
  });
  /** Set once the sweeps ran and a drain request left from before a restart is applied. */
  let consuming = false;
  /** Consumes the run queues this worker's labels cover, those recorded since included. */
  const considerQueues = async () => {
    if (!consuming) return;
    for (const queue of await runQueues.list()) await worker.consider(queue);
  };
  const pending = new Set<Promise<unknown>>();
  const track = (p: Promise<unknown>) => {
    pending.add(p);
    void p.finally(() => pending.delete(p));
  };
  const drain = new DrainControl(worker, () => void heartbeat(), logger);
  let stopped = false;
  const beats = new Set<Promise<void>>();
  const startedAt = new Date().toISOString();
  /** Applies what an admin asked (a drain request outlives a lost message), then beats. */
  const heartbeat = (): Promise<void> => {
    if (stopped) return Promise.resolve();
    const beating = (async () => {
      drain.want(await workers.drainRequested(config.workerId));
      await beat(workers, {
        workerId: config.workerId,
        version: shelfVersion,
        labels: config.labels,
        concurrency: config.concurrency,
        intervalMs: config.heartbeatMs,
        startedAt,
        running: () => running.ids(),
        state: () => drain.state,
        runner: chosen.name,
        ping: () => sandbox.ping(),
      });
    })().catch((err: unknown) => logger.warn({ err }, 'heartbeat failed'));
    // A queue announced while the subscriber was reconnecting is found at the next beat.
    void considerQueues().catch((err: unknown) => logger.warn({ err }, 'could not look for new run queues'));
    beats.add(beating);
    void beating.finally(() => beats.delete(beating));
    return beating;
  };
  const sweep = () =>
    sandbox
      .sweepOrphans((workerId) => workers.isAlive(workerId))
      .then((n) => metrics.orphansRemoved.inc(n))
      .catch((err: unknown) => logger.warn({ err }, 'orphan sweep failed'));
  await heartbeat();
  await sweep();
  const pruned = await pruneRunFolders([config.runDir, path.join(config.cacheDir, 'runs'), path.join(config.cacheDir, 'tmp')], longestRunMs);
  if (pruned > 0) logger.info({ pruned }, 'removed stale run folders');
  await bundles.open();
  await bundles.evictIfOver(); // SHELF_WORKER_CACHE_BYTES may have been lowered since the last run

  /** Makes sure a job BullMQ gave up on is not left QUEUED or RUNNING in Shelf. */
  async function settleFailedJob(job: Job, err: Error): Promise<void> {
    const final = err instanceof UnrecoverableError || err.name === 'UnrecoverableError' || isLastAttempt(job);
    if (!final || !job.id) return;
    const stalled = err.message === STALLED_REASON;
    const error = stalled
      ? { code: JobErrorCode.LOST, message: 'the worker running this job stopped (crashed or lost contact); it was not restarted' }
      : { code: JobErrorCode.INFRA, message: err.message };
    const settled = await recorder.failOutsideRun(job.id, error);
    if (settled) {
      logger.warn({ jobId: job.id, code: error.code }, 'job failed outside its run');
      metrics.jobs.inc({ outcome: `FAILED_${error.code}` });
    }
    // The dead worker's container may still be running on this Docker host.
    if (stalled) await sandbox.removeJob(job.id);
  }

  await followKillRequests(subscriber, keys, (jobId) => {
    if (running.abort(jobId, new CancelRequested(JobState.CANCELLED))) logger.info({ jobId }, 'cancel requested; stopping the job');
  });
  await workers.followRequests(subscriber, (workerId) => {
    if (workerId === config.workerId) void heartbeat();
  });
  await runQueues.follow(subscriber, (queue) => {
    if (consuming) void worker.consider(queue).catch((err: unknown) => logger.warn({ err, queue: queue.name }, 'could not start consuming a run queue'));
  });
  // A drain asked before a restart applies before the first job is taken.
  drain.want(await workers.drainRequested(config.workerId));
  consuming = true;
  await considerQueues();

  const heartbeatTimer = setInterval(() => void heartbeat(), config.heartbeatMs);
  const timers = [
    setInterval(() => void sweep(), config.sweepMs),
    setInterval(() => void running.enforceStates(recorder).catch((err: unknown) => logger.warn({ err }, 'state check failed')), STATE_CHECK_MS),
  ];
  logger.info({ runner: chosen.name, queues: worker.queues, labels: config.labels, concurrency: config.concurrency, prefix: config.redisPrefix }, 'worker started');

  let closing: Promise<void> | undefined;
  async function shutdown(graceMs: number): Promise<void> {
    // The heartbeat goes on, saying `draining`, while the running jobs finish.
    drain.close();
    for (const t of timers) clearInterval(t);
    const deadline = setTimeout(() => {
      if (running.size > 0) logger.warn({ running: running.size }, 'shutdown grace period over; stopping running jobs');
      running.abortAll(new WorkerShutdown());
    }, graceMs);
    try {
      await worker.close();
    } finally {
      clearTimeout(deadline);
    }
    await Promise.allSettled([...pending]);
    clearInterval(heartbeatTimer);
    stopped = true;
    await Promise.allSettled([...beats]);
    await subscriber.quit().catch(() => undefined);
    await workers.remove(config.workerId).catch(() => undefined);
    await Promise.allSettled([redis.quit(), bullConnection.quit()]);
    logger.info('worker stopped');
  }

  return {
    workerId: config.workerId,
    runner: chosen.name,
    metrics,
    close: (graceMs = config.shutdownGraceMs) => (closing ??= shutdown(graceMs)),
  };
}
