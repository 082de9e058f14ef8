import type { ApprovalDecision, JobApproval, PreviousRun } from './approval.js';
import type { Actor } from './auth.js';
import type { JobLimits } from './jobSchemas.js';

/**
 * Job lifecycle: QUEUED → RUNNING → SUCCEEDED | FAILED | CANCELLED. A job of an item with an
 * `approval` policy starts AWAITING_APPROVAL → QUEUED (enough approvals) | REJECTED (one
 * rejection) | EXPIRED (its timeout) | CANCELLED (its submitter withdrew it).
 */
export const JobState = {
  AWAITING_APPROVAL: 'AWAITING_APPROVAL',
  QUEUED: 'QUEUED',
  RUNNING: 'RUNNING',
  SUCCEEDED: 'SUCCEEDED',
  FAILED: 'FAILED',
  CANCELLED: 'CANCELLED',
  REJECTED: 'REJECTED',
  EXPIRED: 'EXPIRED',
} as const;
export type JobState = (typeof JobState)[keyof typeof JobState];
export const jobStates = Object.values(JobState);
/** The terminal states: nothing changes a job in one of them any more. */
export const finishedStates: readonly JobState[] = [JobState.SUCCEEDED, JobState.FAILED, JobState.CANCELLED, JobState.REJECTED, JobState.EXPIRED];
/** The states `POST /api/jobs/:id/retry` starts a new run from. */
export const retryableStates: readonly JobState[] = [JobState.FAILED, JobState.CANCELLED, JobState.REJECTED, JobState.EXPIRED];

/** Why a job failed. */
export const JobErrorCode = {
  TIMEOUT: 'TIMEOUT',
  OOM: 'OOM',
  EXIT: 'EXIT',
  OUTPUT: 'OUTPUT',
  CANCELLED: 'CANCELLED',
  /** The worker running it died or lost it (BullMQ stalled job). */
  LOST: 'LOST',
  /** Shelf could not start the container (image missing, Docker down after retries, bad bundle). */
  INFRA: 'INFRA',
  /** An approver said no (the job never ran). */
  REJECTED: 'REJECTED',
  /** Nobody decided before the approval's deadline (the job never ran). */
  EXPIRED: 'EXPIRED',
} as const;
export type JobErrorCode = (typeof JobErrorCode)[keyof typeof JobErrorCode];

export interface JobError {
  code: JobErrorCode;
  message: string;
}

export interface JobProgress {
  percent: number;
  message: string;
}


/** What lists and live events carry. */
export interface JobSummary {
  id: string;
  itemId: string;
  itemName: string;
  version: string;
  state: JobState;
  progress: JobProgress;
  createdAt: string;
  startedAt: string | null;
  finishedAt: string | null;
  error: JobError | null;
  retryOf: string | null;
  /** The job this one re-runs with changed inputs ("run again with changes"). */
  rerunOf?: string;
  /** The schedule that started it (it ran as the schedule's owner). */
  scheduleId?: string;
  /** Who submitted it; null only for jobs stored before Shelf had identity. */
  submittedBy: Actor | null;
  /** Present only for jobs of items with an approval policy: the policy frozen at submission and the approvals so far. */
  approval?: JobApproval;
}

/** `GET /api/jobs/:id`. */
export interface JobDetail extends JobSummary {
  digest: string;
  inputs: Record<string, unknown>;
  exitCode: number | null;
  outputs: Record<string, unknown> | null;
  limits: JobLimits;
  /** The routing labels a worker must all have to take it (the item's runsOn at submission); empty for any worker. */
  runsOn: string[];
  /** The worker that started it; null until one did. */
  workerId: string | null;
  /** Approvals and rejections, oldest first; empty for jobs that needed none. */
  approvals: ApprovalDecision[];
}

/** `GET /api/jobs/:id` as one caller sees it. */
export interface JobDetailAnswer extends JobDetail {
  /** Whether this caller may approve or reject it (while it awaits approval), and why not. */
  canDecide: { allowed: boolean; reason?: string };
  /** For a job that needed approval: the submitter's run of the same item before it, if any. */
  previousRun: PreviousRun | null;
  /** For a QUEUED job no live worker can take: why it waits (e.g. no worker has every label it asks for). */
  waitingFor?: WaitingFor;
}

/** Why a queued job is not being taken. */
export interface WaitingFor {
  labels: string[];
  /** One sentence for the job page, e.g. "waiting for a worker with labels gpu: none of the 2 live workers has them". */
  reason: string;
}

export type LogStream = 'stdout' | 'stderr' | 'system';

export interface LogLine {
  seq: number;
  ts: string;
  stream: LogStream;
  line: string;
}


/** The sandbox protocol's progress line: `::progress <0-100> <message>`. */
export const progressLinePattern = /^::progress\s+(\d{1,3}(?:\.\d+)?)(?:\s+(.*))?$/;

export function parseProgressLine(line: string): JobProgress | null {
  const m = progressLinePattern.exec(line);
  if (!m) return null;
  return { percent: Math.max(0, Math.min(100, Number(m[1]))), message: (m[2] ?? '').slice(0, 500) };
}

/** The longest error sentence a failing script's `error` output carries into the job's error message. */
export const maxReportedErrorLength = 300;

/**
 * The sandbox protocol's error report: a script that exits non-zero may write
 * `{"error": "<one sentence>"}` (beside any other outputs) to `$SHELF_OUTPUT`, and that sentence
 * leads the job's error message. This is the sentence as the job shows it — one line, at most
 * {@link maxReportedErrorLength} characters — or null when the outputs hold no non-empty `error` string.
 */
export function reportedError(outputs: Record<string, unknown> | null | undefined): string | null {
  const error = outputs?.error;
  if (typeof error !== 'string') return null;
  const sentence = error.replace(/\s+/g, ' ').trim();
  if (!sentence) return null;
  return sentence.length > maxReportedErrorLength ? `${sentence.slice(0, maxReportedErrorLength - 1)}…` : sentence;
}

/**
 * The states a job counts against its submitter's limit of active jobs
 * (`SHELF_MAX_ACTIVE_JOBS_PER_USER`): waiting for a decision, for a worker, or running.
 */
export const activeStates: readonly JobState[] = [JobState.AWAITING_APPROVAL, JobState.QUEUED, JobState.RUNNING];
