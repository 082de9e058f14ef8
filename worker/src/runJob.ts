import { JobErrorCode, JobLimits, JobState, RunJobData, setValueAt, type JobProgress } from '@shelf/contract';
import type { NamedSecrets, RegistryReader, RunRecorder, SecretBox, SecretInputs, StartedRun } from '@shelf/records';
import { UnrecoverableError, type Job, type Processor } from 'bullmq';
import { z } from 'zod';
import { assertImageAllowed } from './allowedImages.js';
import type { BundleCache, BundleLease } from './bundleCache.js';
import type { Config } from './config.js';
import { PermanentInfraError } from './errors.js';
import type { Logger } from './logger.js';
import type { WorkerMetrics } from './metrics.js';
import { JobOutput } from './output/jobOutput.js';
import { LogSink } from './output/logSink.js';
import { ProgressThrottle } from './output/progressThrottle.js';
import { SecretMasker } from './output/secretMasker.js';
import { createRunFolder, type RunFolder } from './runFolder.js';
import type { Runner, RunResult } from './runners/runner.js';
import type { RunningJobs } from './runningJobs.js';
import { judgeRun, type Verdict } from './verdict.js';
import { isLastAttempt } from './attempts.js';


/** The part of a stored VersionRecord the worker needs. */
const RunnableVersion = z.object({
  manifest: z.object({
    runtime: z.object({ image: z.string().min(1), command: z.array(z.string().min(1)).min(1) }),
    network: z.enum(['none', 'egress']).optional(),
    secrets: z.array(z.string()).optional(),
  }),
});


export interface RunJobDeps {
  config: Config;
  /** What the worker records on the job: its start, progress, log, container start time and end. */
  recorder: RunRecorder;
  /** The version records the job's item and version are read from. */
  registry: Pick<RegistryReader, 'findVersion'>;
  /** The named secrets a job's item may read, opened right before its run. */
  secrets: Pick<NamedSecrets, 'openFor'>;
  /** The key secret inputs and named secrets open with (shared with the recorder and the named secrets). */
  secretBox: Pick<SecretBox, 'refresh'>;
  bundles: BundleCache;
  runner: Runner;
  running: RunningJobs;
  metrics: WorkerMetrics;
  logger: Logger;
}

export interface RunJobResult {
  outcome: JobState | 'SKIPPED';
}

/**
 * The BullMQ processor of the run queue. Script failures (exit code, timeout, memory,
 * outputs) are recorded on the job and end it with UnrecoverableError: running the same
 * script again would fail the same way. Anything else thrown is Shelf's problem, retried by
 * BullMQ with back-off; the job waits as QUEUED meanwhile and ends FAILED/INFRA after the last attempt.
 */
export function createRunJob(deps: RunJobDeps): Processor<RunJobData, RunJobResult> {
  return async (job) => {
    const parsed = RunJobData.safeParse(job.data);
    if (!parsed.success) throw new UnrecoverableError(`invalid run job data: ${z.prettifyError(parsed.error)}`);
    const data = parsed.data;
    const signal = deps.running.add(data.jobId);
    try {
      return await processRun(deps, job, data, signal);
    } finally {
      deps.running.delete(data.jobId);
    }
  };
}

async function processRun(deps: RunJobDeps, job: Job, data: RunJobData, signal: AbortSignal): Promise<RunJobResult> {
  const { recorder, metrics } = deps;
  const log = deps.logger.child({ jobId: data.jobId, attempt: job.attemptsMade + 1 });
  const started = await recorder.start(data.jobId, new Date(), deps.config.workerId);
  if (!started) {
    log.info({ state: await recorder.state(data.jobId) }, 'job is no longer QUEUED; not running it');
    metrics.jobs.inc({ outcome: 'SKIPPED' });
    return { outcome: 'SKIPPED' };
  }
  deps.running.markStarted(data.jobId);
  // A later attempt's wait would include its back-off after a failed one.
  if (job.attemptsMade === 0) metrics.queueWait.observe(Math.max(0, Date.now() - job.timestamp) / 1000);
  let run: Execution;
  try {
    run = await execute(deps, data, started, signal, log);
  } catch (err) {
    await recordInfraFailure(deps, job, data.jobId, err, log);
    throw err;
  }
  // The user hears the outcome first; the run folder is tidied up after.
  try {
    await recordVerdict(recorder, data.jobId, run.verdict, run.progress, log);
  } finally {
    await run.folder.remove();
  }
  const outcome = run.verdict.state === JobState.FAILED ? `FAILED_${run.verdict.error.code}` : run.verdict.state;
  metrics.jobs.inc({ outcome });
  if (run.verdict.state === JobState.FAILED) {
    throw new UnrecoverableError(`${run.verdict.error.code}: ${run.verdict.error.message}`);
  }
  return { outcome: run.verdict.state };
}

/** A finished run: its verdict, and the run folder to remove once the verdict is recorded. */
interface Execution {
  verdict: Verdict;
  progress: JobProgress | undefined;
  folder: RunFolder;
}

/** `started` is the job as it was moved to RUNNING. */
async function execute(deps: RunJobDeps, data: RunJobData, started: StartedRun, signal: AbortSignal, log: Logger): Promise<Execution> {
  const { config, recorder } = deps;
  const limits = capLimits(parseLimits(started.limitsJson), config.maxLimits);
  // The version first (one Redis read): a job this worker refuses touches neither the bundle cache nor Docker.
  const version = RunnableVersion.safeParse(await deps.registry.findVersion(data.itemId, data.version));
  if (!version.success) throw new PermanentInfraError(`version ${data.itemId}@${data.version} is not in the registry or is unreadable`);
  const { manifest } = version.data;
  assertImageAllowed(manifest.runtime.image, config.allowedImages);
  const secrets = await openSecrets(deps, data, manifest.secrets ?? []);
  const masker = new SecretMasker([...Object.values(secrets.inputs), ...Object.values(secrets.files)]);
  // Two independent steps at once: the unpacked bundle (disk cache) and the run folder.
  const creating = createRunFolder(config.runDir, data.jobId, withSecretInputs(started.inputsJson, secrets.inputs), secrets.files);
  const acquiring = deps.bundles.acquire(data.digest);
  let folder: RunFolder;
  let bundle: BundleLease;
  try {
    [folder, bundle] = await Promise.all([creating, acquiring]);
  } catch (err) {
    await Promise.all([creating.then((f) => f.remove(), () => undefined), acquiring.then((l) => l.release(), () => undefined)]);
    throw err;
  }
  try {
    const logSink = new LogSink(recorder, data.jobId, { capBytes: config.maxLogBytes, maxLines: config.maxLogLines });
    const progress = new ProgressThrottle(recorder, data.jobId, (err) => log.warn({ err }, 'could not store progress'));
    const recordStart = (ms: number) => recorder.containerStarted(data.jobId, ms).catch((err: unknown) => log.warn({ err }, 'could not store the container start time'));
    const output = new JobOutput(logSink, progress, recordStart, masker);
    let result: RunResult;
    try {
      result = await deps.runner.run(
        {
          jobId: data.jobId,
          image: manifest.runtime.image,
          command: manifest.runtime.command,
          bundleDir: bundle.dir,
          inputFile: folder.inputFile,
          outputFile: folder.outputFile,
          secretsDir: folder.secretsDir,
          network: manifest.network ?? 'none',
          limits,
        },
        output,
        signal,
      );
    } finally {
      // The container is gone, so the cache may evict the bundle. Not awaited: the eviction this
      // may start is housekeeping the job need not wait for (release never rejects).
      void bundle.release();
      await output.close();
    }
    if (logSink.failure) log.warn({ err: logSink.failure }, 'could not store some log lines');
    const verdict = maskVerdict(await judgeRun(result, signal.reason, limits, folder.outputFile, config.maxOutputBytes), masker);
    deps.metrics.duration.observe({ outcome: verdict.state }, result.durationMs / 1000);
    return { verdict, progress: progress.current, folder };
  } catch (err) {
    void bundle.release(); // idempotent: a no-op when the run above got to release it
    await folder.remove();
    throw err;
  }
}

/** The job's secret inputs (by JSON pointer) and named secrets (by name), in clear, for this run only. */
async function openSecrets(deps: RunJobDeps, data: RunJobData, names: string[]): Promise<{ inputs: SecretInputs; files: Record<string, string> }> {
  try {
    await deps.secretBox.refresh();
    const inputs = await deps.recorder.secretInputs(data.jobId);
    const files = await deps.secrets.openFor(data.itemId, names);
    return { inputs, files };
  } catch (err) {
    // Another try would meet the same key and the same grants: fail the job now, saying why.
    throw new PermanentInfraError(`the job's secrets could not be opened: ${(err as Error).message}`);
  }
}

/** The stored inputs (secrets masked) with the secret values put back: what the job reads at $SHELF_INPUT. */
function withSecretInputs(inputsJson: string, secrets: SecretInputs): string {
  const pointers = Object.keys(secrets);
  if (pointers.length === 0) return inputsJson;
  const inputs: unknown = JSON.parse(inputsJson);
  for (const pointer of pointers) setValueAt(inputs, pointer, secrets[pointer]);
  return JSON.stringify(inputs);
}

/** What the job wrote to its outputs, and any message quoting them, with its secrets masked. */
function maskVerdict(verdict: Verdict, masker: SecretMasker): Verdict {
  if (!masker.active) return verdict;
  const outputs = (values: Record<string, unknown> | null | undefined) => (values ? (masker.maskDeep(values) as Record<string, unknown>) : null);
  if (verdict.state === JobState.SUCCEEDED) return { ...verdict, outputs: outputs(verdict.outputs) };
  if (verdict.state === JobState.FAILED) return { ...verdict, outputs: outputs(verdict.outputs), error: { ...verdict.error, message: masker.mask(verdict.error.message) } };
  return verdict;
}

function parseLimits(raw: string | undefined): JobLimits {
  let value: unknown;
  try {
    value = raw ? JSON.parse(raw) : undefined;
  } catch {
    value = raw;
  }
  const parsed = JobLimits.safeParse(value);
  if (!parsed.success) throw new PermanentInfraError(`the job has no valid limits: ${z.prettifyError(parsed.error)}`);
  return parsed.data;
}

/** The API capped the manifest by its maximums; the worker host has its own say too. */
export function capLimits(limits: JobLimits, max: JobLimits): JobLimits {
  return {
    memoryBytes: Math.min(limits.memoryBytes, max.memoryBytes),
    cpus: Math.min(limits.cpus, max.cpus),
    pids: Math.min(limits.pids, max.pids),
    timeoutSeconds: Math.min(limits.timeoutSeconds, max.timeoutSeconds),
  };
}

async function recordVerdict(recorder: RunRecorder, jobId: string, verdict: Verdict, progress: JobProgress | undefined, log: Logger): Promise<void> {
  if (!(await recorder.finish(jobId, verdict, progress))) {
    // The API cancelled it (or it was declared lost) while it ran: that state stands.
    log.info({ state: await recorder.state(jobId), verdict: verdict.state }, 'job left RUNNING while it ran; keeping its state');
  }
}

async function recordInfraFailure(deps: RunJobDeps, job: Job, jobId: string, err: unknown, log: Logger): Promise<void> {
  const message = err instanceof Error ? err.message : String(err);
  const last = err instanceof UnrecoverableError || isLastAttempt(job);
  try {
    if (last) {
      log.error({ err }, 'job failed: infrastructure problem, no attempts left');
      deps.metrics.jobs.inc({ outcome: `FAILED_${JobErrorCode.INFRA}` });
      await deps.recorder.finish(jobId, { state: JobState.FAILED, exitCode: null, error: { code: JobErrorCode.INFRA, message } });
    } else {
      log.warn({ err }, 'infrastructure problem; BullMQ will retry the job');
      deps.metrics.jobs.inc({ outcome: 'RETRY' });
      await deps.recorder.retryLater(jobId, message);
    }
  } catch (recordErr) {
    log.error({ err: recordErr }, 'could not record the failure on the job');
  }
}
