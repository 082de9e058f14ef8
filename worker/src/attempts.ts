import type { Job } from 'bullmq';

/**
 * Whether the attempt that is running (or has just failed) is the job's last. BullMQ counts
 * started attempts when a job becomes active, so the same count answers during the run and in
 * the worker's 'failed' event — unlike `attemptsMade`, which grows only after a failure.
 */
export function isLastAttempt(job: Pick<Job, 'attemptsStarted' | 'opts'>): boolean {
  return job.attemptsStarted >= (job.opts.attempts ?? 1);
}
