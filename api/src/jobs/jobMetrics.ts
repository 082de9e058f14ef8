import { Gauge, Histogram, type Registry } from 'prom-client';
import { finishedStates, jobStates, type JobSummary } from '@shelf/contract';
import type { JobRecords } from '@shelf/records';
import type { Logger } from '../logger.js';
import type { JobEvents } from '../live/jobEvents.js';
import type { RunQueue } from './enqueueJob.js';

/** Finished jobs remembered so a repeated terminal event is not observed twice. */
const rememberedJobs = 10_000;

/**
 * Job metrics on the app's registry. Counts are read at scrape time from the indexes and from
 * BullMQ; durations are observed when this API instance sees a job end (with several API
 * instances each one observes every job, so aggregate with max, not sum).
 */
export function registerJobMetrics(
  registry: Registry,
  deps: { records: JobRecords; queue: RunQueue; events: JobEvents; logger: Logger },
): void {
  const { records, queue, events, logger } = deps;
  new Gauge({
    name: 'shelf_jobs',
    help: 'Jobs stored, by state',
    labelNames: ['state'],
    registers: [registry],
    async collect() {
      try {
        const counts = await records.countByState();
        for (const state of jobStates) this.set({ state }, counts[state]);
      } catch (err) {
        logger.warn({ err }, 'could not count jobs for /metrics');
      }
    },
  });
  new Gauge({
    name: 'shelf_queue_depth',
    help: 'BullMQ run queue jobs, by BullMQ state',
    labelNames: ['state'],
    registers: [registry],
    async collect() {
      try {
        for (const [state, count] of Object.entries(await queue.getJobCounts())) this.set({ state }, count);
      } catch (err) {
        logger.warn({ err }, 'could not read the queue depth for /metrics');
      }
    },
  });
  const duration = new Histogram({
    name: 'shelf_job_duration_seconds',
    help: 'Run time of finished jobs (start to finish), by final state',
    labelNames: ['state'],
    buckets: [1, 5, 15, 30, 60, 120, 300, 600, 1800, 3600],
    registers: [registry],
  });
  const containerStart = new Histogram({
    name: 'shelf_container_start_seconds',
    help: 'Time to create and start a job container, as the worker measured it (observed when the job ends)',
    buckets: [0.1, 0.25, 0.5, 1, 2, 5, 10, 30],
    registers: [registry],
  });

  const seen = new Set<string>();
  events.on('job', (job: JobSummary) => {
    if (!finishedStates.includes(job.state) || seen.has(job.id)) return;
    seen.add(job.id);
    if (seen.size > rememberedJobs) seen.delete(seen.values().next().value!);
    if (job.startedAt && job.finishedAt) {
      duration.observe({ state: job.state }, (Date.parse(job.finishedAt) - Date.parse(job.startedAt)) / 1000);
    }
    records.containerStartSeconds(job.id).then(
      (seconds) => {
        if (seconds !== undefined) containerStart.observe(seconds);
      },
      (err: unknown) => logger.debug({ err }, 'could not read the container start time'),
    );
  });
}
