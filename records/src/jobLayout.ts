import { randomBytes } from 'node:crypto';
import { JobState, type Actor, type JobDetail, type JobLimits, type JobSummary } from '@shelf/contract';

/**
 * How a job is stored: one Redis hash per job (`keys.job(id)`), every field a string;
 * JSON-valued fields are marked. Only the records package reads or writes it.
 */
export interface JobHash {
  id: string;
  itemId: string;
  itemName: string;
  version: string;
  digest: string;
  state: JobState;
  /** JSON JobProgress */
  progress: string;
  createdAt: string;
  /** '' when not yet */
  startedAt: string;
  finishedAt: string;
  /** JSON JobError or '' */
  error: string;
  retryOf: string;
  /** JSON object */
  inputs: string;
  /** '' or an integer */
  exitCode: string;
  /** JSON object or '' */
  outputs: string;
  /** JSON JobLimits */
  limits: string;
  /** the creation time in ms, the score of every index */
  createdMs: string;
  /** The submitting user's id and name ('' for jobs from before identity). */
  submittedById: string;
  submittedByName: string;
  /** Milliseconds from creating the container to its start, as the worker measured it; absent until then. */
  containerStartMs?: string;
}

/** What a detail adds to the summary, in the order the detail script returns them. */
export const detailFields = ['digest', 'inputs', 'exitCode', 'outputs', 'limits'] as const satisfies readonly (keyof JobHash)[];

/** What a new job is made of; the records add its id, state and times. */
export interface NewJob {
  itemId: string;
  itemName: string;
  version: string;
  digest: string;
  inputs: Record<string, unknown>;
  limits: JobLimits;
  retryOf?: string;
  submittedBy: Actor;
}

/** Job ids: 128 random bits as lowercase hex, so they are unguessable and safe as BullMQ ids (no ':'). */
export const jobIdPattern = /^[0-9a-f]{32}$/;

export function newJobId(): string {
  // BullMQ refuses custom ids that look like integers; an all-digit draw is rare but possible.
  for (;;) {
    const id = randomBytes(16).toString('hex');
    if (!/^\d+$/.test(id)) return id;
  }
}

/** The stored form of a job just submitted. */
export function queuedJobHash(id: string, job: NewJob, now: Date): JobHash {
  return {
    id,
    itemId: job.itemId,
    itemName: job.itemName,
    version: job.version,
    digest: job.digest,
    state: JobState.QUEUED,
    progress: JSON.stringify({ percent: 0, message: '' }),
    createdAt: now.toISOString(),
    startedAt: '',
    finishedAt: '',
    error: '',
    retryOf: job.retryOf ?? '',
    inputs: JSON.stringify(job.inputs),
    exitCode: '',
    outputs: '',
    limits: JSON.stringify(job.limits),
    createdMs: String(now.getTime()),
    submittedById: job.submittedBy.id,
    submittedByName: job.submittedBy.username,
  };
}

const jsonOr = <T>(s: string | null | undefined, fallback: T): T => (s ? (JSON.parse(s) as T) : fallback);

/**
 * A detail from the summary (built by the summary script, the one encoder of summaries) and the
 * detail fields in {@link detailFields} order.
 */
export function toJobDetail(summary: JobSummary, detail: (string | null)[]): JobDetail {
  const [digest, inputs, exitCode, outputs, limits] = detail;
  return {
    ...summary,
    digest: digest ?? '',
    inputs: jsonOr<Record<string, unknown>>(inputs, {}),
    exitCode: exitCode ? Number(exitCode) : null,
    outputs: jsonOr<Record<string, unknown> | null>(outputs, null),
    limits: jsonOr<JobLimits>(limits, { memoryBytes: 0, cpus: 0, pids: 0, timeoutSeconds: 0 }),
  };
}
