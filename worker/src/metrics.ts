import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';

/** The worker's Prometheus metrics; one registry per worker so tests running several do not clash. */
export function createMetrics(running: () => number) {
  const registry = new Registry();
  collectDefaultMetrics({ register: registry, prefix: 'shelf_worker_' });
  return {
    registry,
    jobs: new Counter({
      name: 'shelf_worker_jobs_total',
      help: 'Jobs processed, by outcome (SUCCEEDED, CANCELLED, SKIPPED, RETRY or FAILED_<code>)',
      labelNames: ['outcome'],
      registers: [registry],
    }),
    duration: new Histogram({
      name: 'shelf_worker_job_run_seconds',
      help: 'Time containers ran, by outcome',
      labelNames: ['outcome'],
      buckets: [0.5, 1, 2, 5, 10, 30, 60, 300, 900, 3600],
      registers: [registry],
    }),
    queueWait: new Histogram({
      name: 'shelf_worker_queue_wait_seconds',
      help: 'Time jobs waited in the run queue (from being queued: at submission, or at approval) until this worker started them; first attempts only',
      buckets: [0.1, 0.5, 1, 5, 15, 30, 60, 300, 900, 3600],
      registers: [registry],
    }),
    running: new Gauge({
      name: 'shelf_worker_running_jobs',
      help: 'Jobs this worker is processing now',
      registers: [registry],
      collect() {
        this.set(running());
      },
    }),
    orphansRemoved: new Counter({
      name: 'shelf_worker_orphan_containers_removed_total',
      help: 'Containers of dead workers or lost jobs removed',
      registers: [registry],
    }),
  };
}
export type WorkerMetrics = ReturnType<typeof createMetrics>;
