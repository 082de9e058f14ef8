import { z } from 'zod';
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
  /** Approvals and rejections, oldest first; empty for jobs that needed none. */
  approvals: ApprovalDecision[];
}

/** `GET /api/jobs/:id` as one caller sees it. */
export interface JobDetailAnswer extends JobDetail {
  /** Whether this caller may approve or reject it (while it awaits approval), and why not. */
  canDecide: { allowed: boolean; reason?: string };
  /** For a job that needed approval: the submitter's run of the same item before it, if any. */
  previousRun: PreviousRun | null;
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

/**
 * The states a job counts against its submitter's limit of active jobs
 * (`SHELF_MAX_ACTIVE_JOBS_PER_USER`): waiting for a decision, for a worker, or running.
 */
export const activeStates: readonly JobState[] = [JobState.AWAITING_APPROVAL, JobState.QUEUED, JobState.RUNNING];

/**
 * What a worker does about new jobs: takes them (`active`); takes none and finishes its running
 * ones (`draining`: an admin's drain, or its shutdown); takes none and runs none (`drained`).
 */
export const WorkerState = { active: 'active', draining: 'draining', drained: 'drained' } as const;
export type WorkerState = (typeof WorkerState)[keyof typeof WorkerState];

/**
 * What each worker writes at every beat (`SHELF_HEARTBEAT_MS`) under `keys.worker(id)`, and deletes
 * when it stops cleanly. The key outlives the beats by far, so a worker that stopped beating is
 * listed `stale` instead of vanishing. Fields an older worker did not write get defaults.
 */
export const WorkerHeartbeat = z.object({
  workerId: z.string().min(1),
  host: z.string(),
  /** The Shelf version the worker runs (the root package.json's). */
  version: z.string().default(''),
  /** How it runs jobs. */
  runner: z.string().default('docker'),
  /** Its routing labels (none yet). */
  labels: z.array(z.string()).default([]),
  /** Whether it reached its Docker engine at this beat, and why not. */
  docker: z.boolean(),
  dockerError: z.string().optional(),
  concurrency: z.number().int().positive(),
  /** The ids of the jobs it is processing (an older worker wrote only a count). */
  running: z.array(z.string()).catch([]),
  state: z.enum(WorkerState).catch(WorkerState.active),
  startedAt: z.string().default(''),
  seenAt: z.string(),
  /** Its beat interval: the yardstick of {@link isWorkerFresh}. */
  intervalMs: z.number().int().positive().default(5000),
});
export type WorkerHeartbeat = z.infer<typeof WorkerHeartbeat>;

/** Beats a worker may miss before it counts as stale. */
export const missedBeatsBeforeStale = 3;

/** How long a heartbeat is kept after the worker's last beat (at least six beats). */
export function workerRecordTtlSeconds(intervalMs: number): number {
  return Math.max(3600, Math.ceil((2 * missedBeatsBeforeStale * intervalMs) / 1000));
}

/**
 * The one rule for "is this worker alive": it beat within its last {@link missedBeatsBeforeStale}
 * intervals. The registry lists the others `stale`, the orphan sweep removes their containers,
 * and readiness does not count them. (Their running jobs end through BullMQ's stalled-job check.)
 */
export function isWorkerFresh(beat: Pick<WorkerHeartbeat, 'seenAt' | 'intervalMs'>, now = Date.now()): boolean {
  const seen = Date.parse(beat.seenAt);
  return Number.isFinite(seen) && seen + missedBeatsBeforeStale * beat.intervalMs >= now;
}

/** One worker as `GET /api/workers` lists it. */
export interface WorkerSummary {
  id: string;
  host: string;
  version: string;
  runner: string;
  labels: string[];
  concurrency: number;
  /** The ids of the jobs it is processing. */
  running: string[];
  state: WorkerState | 'stale';
  startedAt: string;
  lastSeenAt: string;
}

export function toWorkerSummary(beat: WorkerHeartbeat, now = Date.now()): WorkerSummary {
  return {
    id: beat.workerId,
    host: beat.host,
    version: beat.version,
    runner: beat.runner,
    labels: beat.labels,
    concurrency: beat.concurrency,
    running: beat.running,
    state: isWorkerFresh(beat, now) ? beat.state : 'stale',
    startedAt: beat.startedAt,
    lastSeenAt: beat.seenAt,
  };
}
