import type { Redis } from 'ioredis';
import { JobErrorCode, JobState, type JobError, type JobProgress, type JobSummary, type RedisKeys } from '@shelf/contract';
import type { JobHash } from './jobLayout.js';
import { JobStorage } from './jobStorage.js';
import type { SecretBox } from './secrets/secretBox.js';
import { openSecretInputs, type SecretInputs } from './secrets/secretInputs.js';

/** How a run ended for the user. */
export type RunOutcome =
  | { state: typeof JobState.SUCCEEDED; exitCode: number; outputs: Record<string, unknown> | null }
  /** A failed script's outputs are kept too (an `error` it reported among them); null or absent when it left none. */
  | { state: typeof JobState.FAILED; exitCode: number | null; error: JobError; outputs?: Record<string, unknown> | null }
  | { state: typeof JobState.CANCELLED; exitCode: number | null };

/** A job the worker just moved to RUNNING, with what it needs to run it. */
export interface StartedRun {
  summary: JobSummary;
  /** The validated inputs as stored (JSON text), written to the job's input file as they are. */
  inputsJson: string;
  /** The limits as stored (JSON text); the worker checks them before trusting them. */
  limitsJson: string;
}

export interface AppendResult {
  /** Entries Redis stored (the truncation marker included). */
  stored: number;
  /** The log is closed: this batch hit the cap, or an earlier one did. */
  closed: boolean;
}

const json = (value: unknown) => JSON.stringify(value);

/**
 * What a worker records about a run, on the job records the API created: it started, its
 * progress, its log lines, how long its container took to start, and how it ended. Each state
 * change is one script that checks the state it starts from and publishes the new summary, so
 * a job the API cancelled meanwhile keeps its state.
 */
export class RunRecorder {
  private readonly storage: JobStorage;

  constructor(
    redis: Redis,
    keys: RedisKeys,
    /** Opens the secret inputs; a worker without the key fails the jobs that have some. */
    private readonly box?: SecretBox,
  ) {
    this.storage = new JobStorage(redis, keys);
  }

  /** The job's secret inputs in clear, by JSON pointer ({} when it has none); throws SecretsKeyError when they do not open. */
  async secretInputs(jobId: string): Promise<SecretInputs> {
    return openSecretInputs(this.box, jobId, await this.storage.sealedSecrets(jobId));
  }

  /** QUEUED → RUNNING; null when the job is no longer QUEUED (cancelled, or gone). */
  async start(jobId: string, now = new Date(), workerId = ''): Promise<StartedRun | null> {
    const progress: JobProgress = { percent: 0, message: '' };
    const fields = { startedAt: now.toISOString(), progress: json(progress), ...(workerId ? { workerId } : {}) };
    const moved = await this.storage.transition(jobId, JobState.RUNNING, [JobState.QUEUED], fields, ['inputs', 'limits']);
    if (!moved) return null;
    const [inputs, limits] = moved.values;
    return { summary: moved.summary, inputsJson: inputs || '{}', limitsJson: limits ?? '' };
  }

  /** Stores and publishes progress while the job runs; false once it no longer does. */
  progress(jobId: string, progress: JobProgress): Promise<boolean> {
    return this.storage.setProgress(jobId, json(progress));
  }

  /** The milliseconds from creating the job's container to its start (`shelf_container_start_seconds`). */
  async containerStarted(jobId: string, ms: number): Promise<void> {
    await this.storage.setContainerStart(jobId, ms);
  }

  /** Appends `[stream, line, stream, line, …]` under the byte cap and publishes what was stored. */
  appendLog(jobId: string, capBytes: number, pairs: string[], now = new Date()): Promise<AppendResult> {
    return this.storage.appendLog(jobId, capBytes, pairs, false, now);
  }

  /** Writes one `system` line and closes the log, as the byte cap does. */
  async closeLog(jobId: string, line: string, now = new Date()): Promise<void> {
    await this.storage.appendLog(jobId, Number.MAX_SAFE_INTEGER, ['system', line], true, now);
  }

  /**
   * RUNNING → the outcome's state, with its exit code, outputs or error. False when the job had
   * left RUNNING meanwhile (cancelled by the API, or declared lost): that state stands.
   */
  async finish(jobId: string, outcome: RunOutcome, lastProgress?: JobProgress, now = new Date()): Promise<boolean> {
    const base = { finishedAt: now.toISOString(), exitCode: outcome.exitCode === null ? '' : String(outcome.exitCode) };
    let fields: Partial<JobHash>;
    if (outcome.state === JobState.SUCCEEDED) {
      const progress: JobProgress = { percent: 100, message: lastProgress?.message ?? '' };
      fields = { ...base, outputs: outcome.outputs ? json(outcome.outputs) : '', error: '', progress: json(progress) };
    } else if (outcome.state === JobState.FAILED) {
      fields = { ...base, outputs: outcome.outputs ? json(outcome.outputs) : '', error: json(outcome.error) };
    } else {
      fields = { ...base, error: json({ code: JobErrorCode.CANCELLED, message: 'the job was cancelled' } satisfies JobError) };
    }
    return (await this.storage.transition(jobId, outcome.state, [JobState.RUNNING], fields)) !== null;
  }

  /** RUNNING → QUEUED: an infrastructure problem BullMQ will retry; the job says it is waiting. */
  async retryLater(jobId: string, reason: string): Promise<boolean> {
    const progress: JobProgress = { percent: 0, message: `waiting to retry: ${reason}`.slice(0, 500) };
    return (await this.storage.transition(jobId, JobState.QUEUED, [JobState.RUNNING], { startedAt: '', progress: json(progress) })) !== null;
  }

  /** QUEUED or RUNNING → FAILED for a job that ended outside a run (its worker died, BullMQ gave up). */
  async failOutsideRun(jobId: string, error: JobError, now = new Date()): Promise<boolean> {
    const fields = { finishedAt: now.toISOString(), error: json(error) };
    return (await this.storage.transition(jobId, JobState.FAILED, [JobState.QUEUED, JobState.RUNNING], fields)) !== null;
  }

  /** The job's stored state; null when there is no such job. */
  async state(jobId: string): Promise<JobState | null> {
    return (await this.storage.field(jobId, 'state')) as JobState | null;
  }
}
