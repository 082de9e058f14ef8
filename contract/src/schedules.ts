import type { Actor } from './auth.js';
import type { JobState } from './jobs.js';

/** What became of one tick of a schedule. */
export type ScheduleRunOutcome = 'started' | 'skipped' | 'failed';

/** One tick of a schedule (the newest are kept). */
export interface ScheduleRun {
  at: string;
  outcome: ScheduleRunOutcome;
  /** The job it started. */
  jobId?: string;
  /** Why it was skipped or failed, in a sentence. */
  reason?: string;
  /** A run started by "run now" rather than by the timetable. */
  manual?: boolean;
}

/** `GET /api/schedules/:id`. Secret inputs show as SECRET_MASK. */
export interface Schedule {
  id: string;
  name: string;
  itemId: string;
  /** A pinned version, or `latest` (resolved at each run). */
  version: string;
  inputs: Record<string, unknown>;
  /** 5 fields (minute …) or 6 (second minute …). */
  cron: string;
  /** IANA time zone the cron is read in. */
  timezone: string;
  enabled: boolean;
  /** Why the schedule stopped by itself (its owner lost the right to run the item, or was removed). */
  stoppedReason: string | null;
  owner: Actor;
  createdAt: string;
  updatedAt: string;
  /** The next five times it fires (empty while paused). */
  nextRuns: string[];
  lastRun: (ScheduleRun & { state?: JobState }) | null;
}

/** `POST /api/schedules` as a client sends it (the API fills in the defaults: latest, UTC, enabled). */
export type NewSchedule = Pick<Schedule, 'itemId' | 'cron'> & Partial<Pick<Schedule, 'name' | 'version' | 'inputs' | 'timezone' | 'enabled'>>;
