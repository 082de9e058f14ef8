import { Gauge, Histogram, type Registry } from 'prom-client';
import { finishedStates, JobState, jobStates, type JobSummary } from '@shelf/contract';
import type { JobRecords } from '@shelf/records';
import type { Logger } from '../logger.js';
import type { JobEvents } from '../live/jobEvents.js';
import type { RunQueueSet } from './runQueueSet.js';

/** Finished jobs remembered so a repeated terminal event is not observed twice. */
const rememberedJobs = 10_000;

/**
 * Job metrics on the app's registry. Counts are read at scrape time from the indexes and from
 * BullMQ; durations are observed when this API instance sees a job end (with several API
 * instances each one observes every job, so aggregate with max, not sum).
 */
export function registerJobMetrics(
  registry: Registry,
  deps: { records: JobRecords; queues: RunQueueSet; events: JobEvents; logger: Logger },
): void {
  const { records, queues, events, logger } = deps;
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
    help: 'BullMQ run queue jobs, by BullMQ state and by the labels the queue\'s jobs ask for (runs_on, "+"-joined; "" for none)',
    labelNames: ['state', 'runs_on'],
    registers: [registry],
    async collect() {
      try {
        for (const queue of await queues.counts()) {
          for (const [state, count] of Object.entries(queue.counts)) this.set({ state, runs_on: queue.labels.join('+') }, count);
        }
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

  const wait = new Histogram({
    name: 'shelf_job_queue_wait_seconds',
    help: 'Time from submission to start of jobs that needed no approval, by the labels they asked for (runs_on)',
    labelNames: ['runs_on'],
    buckets: [0.05, 0.1, 0.25, 0.5, 1, 2, 5, 15, 60, 300, 1800],
    registers: [registry],
  });

  const started = new Set<string>();
  const seen = new Set<string>();
  events.on('job', (job: JobSummary) => {
    if (job.state === JobState.RUNNING && job.startedAt && !job.approval && !started.has(job.id)) {
      started.add(job.id);
      if (started.size > rememberedJobs) started.delete(started.values().next().value!);
      const seconds = (Date.parse(job.startedAt) - Date.parse(job.createdAt)) / 1000;
      records.runsOn(job.id).then(
        (runsOn) => wait.observe({ runs_on: runsOn.join('+') }, Math.max(0, seconds)),
        (err: unknown) => logger.debug({ err }, 'could not read the labels of a started job'),
      );
    }
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
