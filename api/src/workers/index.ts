import type { Redis } from 'ioredis';
import { isWorkerFresh, toWorkerSummary, type RedisKeys, type WorkerHeartbeat, type WorkerSummary } from '@shelf/contract';
import { WorkerRegistry, type WorkerRequest } from '@shelf/records';
import { NotFoundError } from '../errors.js';

export { registerWorkerMetrics } from './workerMetrics.js';

/**
 * The worker fleet as admins see it (SPEC §11): every worker that beat within the hour, fresh or
 * stale, and drain or resume of a live one — the request reaches the worker through Redis.
 */
export function createWorkerServices(redis: Redis, opts: { keys: RedisKeys }) {
  const registry = new WorkerRegistry(redis, opts.keys);

  /** A worker that beats now; a stale one cannot act on a request, so it is not found either. */
  const live = async (id: string): Promise<WorkerHeartbeat> => {
    const beat = await registry.find(id);
    if (!beat || !isWorkerFresh(beat)) throw new NotFoundError('worker', id);
    return beat;
  };
  const ask = async (id: string, what: WorkerRequest): Promise<WorkerSummary> => {
    const beat = await live(id);
    await registry.request(beat, what);
    return toWorkerSummary(beat);
  };

  return {
    /** Sorted by id; state `stale` for a worker that missed its last beats. */
    list: async (): Promise<WorkerSummary[]> => {
      const now = Date.now();
      return (await registry.list()).map((beat) => toWorkerSummary(beat, now));
    },
    /** The worker takes no new jobs, finishes its running ones, then reports `drained`. */
    drain: (id: string): Promise<WorkerSummary> => ask(id, 'drain'),
    /** Undoes a drain: the worker takes jobs again (once its running ones finished, if it was still draining). */
    resume: (id: string): Promise<WorkerSummary> => ask(id, 'resume'),
  };
}
export type WorkerServices = ReturnType<typeof createWorkerServices>;
