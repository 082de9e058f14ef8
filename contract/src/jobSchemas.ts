import { z } from 'zod';
import { parseMemory } from './manifest.js';

/**
 * What the API puts on the run queue; the worker validates `job.data` against the same
 * schema. Job ids are 128 random bits as lowercase hex (safe as BullMQ ids: no ':').
 */
export const RunJobData = z.object({
  jobId: z.string().regex(/^[0-9a-f]{32}$/, '32 lowercase hex characters'),
  itemId: z.string().min(1).max(128),
  version: z.string().min(1).max(128),
  digest: z.string().regex(/^[a-f0-9]{64}$/, 'a sha256 digest: 64 lowercase hex characters'),
});
export type RunJobData = z.infer<typeof RunJobData>;

/** Limits actually applied to the container, after capping by the server maximums. */
export const JobLimits = z.object({
  memoryBytes: z.number().positive(),
  cpus: z.number().positive(),
  pids: z.number().int().positive(),
  timeoutSeconds: z.number().positive(),
});
export type JobLimits = z.infer<typeof JobLimits>;

/** A memory quantity setting such as `512Mi` (checked once at start-up, in api and worker alike). */
export const MemoryQuantity = z.string().refine((s) => {
  try {
    return parseMemory(s) > 0;
  } catch {
    return false;
  }
}, 'must be a memory quantity such as 512Mi');
