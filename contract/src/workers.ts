import { z } from 'zod';

// Kept apart from jobs.ts: a zod schema is built when its module loads, and the web app, which
// imports jobs.ts for its constants, must not carry zod (it probes for eval, which the CSP reports).

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
