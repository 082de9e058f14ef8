import type { Redis } from 'ioredis';
import type { RedisKeys, WorkerHeartbeat } from '@shelf/contract';
import type { ReadinessCheck } from '../readiness.js';

/** Heartbeats are found by SCAN over the whole keyspace, so one look serves probes for a while. */
const cacheMs = 5000;

/**
 * `/readyz` check: ready when at least one live worker (its heartbeat has a 15 s TTL) can reach
 * a Docker engine, since without one every job would sit in the queue.
 */
export function workerReadiness(redis: Redis, keys: RedisKeys): ReadinessCheck {
  let last: { at: number; beats: Promise<WorkerHeartbeat[]> } | undefined;
  return {
    name: 'docker',
    check: async () => {
      if (!last || Date.now() - last.at > cacheMs) last = { at: Date.now(), beats: heartbeats(redis, keys) };
      const beats = await last.beats.catch((err: unknown) => {
        last = undefined;
        throw err;
      });
      if (beats.some((b) => b.docker)) return;
      const why = beats.length
        ? `${beats.length} worker(s) alive, none can reach Docker${beats[0]?.dockerError ? `: ${beats[0].dockerError}` : ''}`
        : 'no worker heartbeat in the last 15 s; is the worker running?';
      throw new Error(`no worker with a reachable Docker engine (${why})`);
    },
  };
}

async function heartbeats(redis: Redis, keys: RedisKeys): Promise<WorkerHeartbeat[]> {
  const found: string[] = [];
  let cursor = '0';
  do {
    const [next, batch] = await redis.scan(cursor, 'MATCH', keys.workerPattern, 'COUNT', 10_000);
    cursor = next;
    found.push(...batch);
  } while (cursor !== '0');
  if (!found.length) return [];
  const values = await redis.mget(...found);
  return values.flatMap((raw) => {
    try {
      return raw ? [JSON.parse(raw) as WorkerHeartbeat] : [];
    } catch {
      return [];
    }
  });
}
