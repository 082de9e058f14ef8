import { Gauge, type Registry } from 'prom-client';
import { WorkerState, type WorkerSummary } from '@shelf/contract';
import type { Logger } from '../logger.js';

/** One listing serves the gauges of one scrape (prom-client collects them side by side). */
const listingMs = 1000;

/**
 * Per-worker gauges on the app's registry, read from the worker registry at scrape time, labelled
 * by worker id: bounded by the fleet, a worker leaving the listing an hour after its last beat.
 */
export function registerWorkerMetrics(registry: Registry, deps: { workers: { list(): Promise<WorkerSummary[]> }; logger: Logger }): void {
  let last: { at: number; listing: Promise<WorkerSummary[]> } | undefined;
  const listing = (): Promise<WorkerSummary[]> => {
    if (!last || Date.now() - last.at > listingMs) last = { at: Date.now(), listing: deps.workers.list() };
    return last.listing;
  };
  const gauge = (name: string, help: string, value: (w: WorkerSummary) => number) =>
    new Gauge({
      name,
      help,
      labelNames: ['worker'],
      registers: [registry],
      async collect() {
        this.reset();
        try {
          for (const w of await listing()) this.set({ worker: w.id }, value(w));
        } catch (err) {
          deps.logger.warn({ err }, `could not list the workers for ${name}`);
        }
      },
    });
  gauge('shelf_fleet_worker_up', 'Whether the worker beat within its last three heartbeat intervals (1) or is stale (0)', (w) => (w.state === 'stale' ? 0 : 1));
  gauge('shelf_fleet_worker_running_jobs', 'Jobs the worker is processing, as of its last heartbeat', (w) => w.running.length);
  gauge('shelf_fleet_worker_concurrency', 'Jobs the worker runs at once at most (SHELF_WORKER_CONCURRENCY)', (w) => w.concurrency);
  gauge('shelf_fleet_worker_draining', 'Whether the worker takes no new jobs: draining or drained (1) or not (0)', (w) => (w.state === WorkerState.draining || w.state === WorkerState.drained ? 1 : 0));
}
