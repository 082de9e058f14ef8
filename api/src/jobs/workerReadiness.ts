import type { Redis } from 'ioredis';
import { isWorkerFresh, missedBeatsBeforeStale, type RedisKeys, type WorkerHeartbeat } from '@shelf/contract';
import { WorkerRegistry } from '@shelf/records';
import type { ReadinessCheck } from '../readiness.js';

/** Heartbeats are found by SCAN over the whole keyspace, so one look serves probes for a while. */
const cacheMs = 5000;

/**
 * `/readyz` check: ready when at least one live worker (isWorkerFresh) can reach a Docker engine,
 * since without one every job would sit in the queue.
 */
export function workerReadiness(redis: Redis, keys: RedisKeys): ReadinessCheck {
  const workers = new WorkerRegistry(redis, keys);
  let last: { at: number; beats: Promise<WorkerHeartbeat[]> } | undefined;
  return {
    name: 'docker',
    check: async () => {
      if (!last || Date.now() - last.at > cacheMs) last = { at: Date.now(), beats: workers.list() };
      const all = await last.beats.catch((err: unknown) => {
        last = undefined;
        throw err;
      });
      const beats = all.filter((b) => isWorkerFresh(b));
      if (beats.some((b) => b.docker)) return;
      const why = beats.length
        ? `${beats.length} worker(s) alive, none can reach Docker${beats[0]?.dockerError ? `: ${beats[0].dockerError}` : ''}`
        : `no worker heartbeat within its last ${missedBeatsBeforeStale} intervals; is the worker running?`;
      throw new Error(`no worker with a reachable Docker engine (${why})`);
    },
  };
}
