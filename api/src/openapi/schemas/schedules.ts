import { JobState } from '@shelf/contract';
import { z } from '../zod.js';
import { Actor, IsoTime, JobId } from './common.js';

export const ScheduleRun = z
  .object({
    at: IsoTime,
    outcome: z.enum(['started', 'skipped', 'failed']),
    jobId: JobId.optional(),
    reason: z.string().optional(),
    manual: z.boolean().optional().openapi({ description: 'Started by "run now" rather than by the timetable.' }),
  })
  .openapi('ScheduleRun');

export const Schedule = z
  .object({
    id: z.string(),
    name: z.string(),
    itemId: z.string(),
    version: z.string().openapi({ description: 'A pinned version, or `latest` (resolved at each run).' }),
    inputs: z.record(z.string(), z.unknown()),
    cron: z.string(),
    timezone: z.string(),
    enabled: z.boolean(),
    stoppedReason: z.string().nullable(),
    owner: Actor,
    createdAt: IsoTime,
    updatedAt: IsoTime,
    nextRuns: z.array(IsoTime).openapi({ description: 'The next five times it fires (empty while paused).' }),
    lastRun: z.object({ ...ScheduleRun.shape, state: z.enum(JobState).optional() }).nullable(),
  })
  .openapi('Schedule');

export const Preset = z
  .object({
    id: z.string(),
    itemId: z.string(),
    name: z.string(),
    inputs: z.record(z.string(), z.unknown()),
    shared: z.boolean(),
    owner: Actor,
    createdAt: IsoTime,
    updatedAt: IsoTime,
  })
  .openapi('Preset');
