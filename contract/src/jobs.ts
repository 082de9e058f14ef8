import type { Actor } from './auth.js';
import type { JobLimits } from './jobSchemas.js';

/** Job lifecycle: QUEUED → RUNNING → SUCCEEDED | FAILED | CANCELLED. */
export const JobState = {
  QUEUED: 'QUEUED',
  RUNNING: 'RUNNING',
  SUCCEEDED: 'SUCCEEDED',
  FAILED: 'FAILED',
  CANCELLED: 'CANCELLED',
} as const;
export type JobState = (typeof JobState)[keyof typeof JobState];
export const jobStates = Object.values(JobState);
export const finishedStates: readonly JobState[] = [JobState.SUCCEEDED, JobState.FAILED, JobState.CANCELLED];

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
  /** Who submitted it; null only for jobs stored before Shelf had identity. */
  submittedBy: Actor | null;
}

/** `GET /api/jobs/:id`. */
export interface JobDetail extends JobSummary {
  digest: string;
  inputs: Record<string, unknown>;
  exitCode: number | null;
  outputs: Record<string, unknown> | null;
  limits: JobLimits;
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

/** What each worker writes (with a short TTL) so the API can tell whether anyone can run jobs. */
export interface WorkerHeartbeat {
  workerId: string;
  host: string;
  docker: boolean;
  dockerError?: string;
  concurrency: number;
  running: number;
  seenAt: string;
}
