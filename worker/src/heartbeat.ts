import { hostname } from 'node:os';
import type { RedisKeys, WorkerHeartbeat } from '@shelf/contract';
import type { Redis } from 'ioredis';

export interface HeartbeatOptions {
  workerId: string;
  concurrency: number;
  running: () => number;
  /** Throws when the sandbox engine is unreachable. */
  ping: () => Promise<void>;
}

const PING_TIMEOUT_MS = 3_000;

/**
 * Writes this worker's heartbeat with a TTL of three beats (at least 15 s): while it exists
 * the worker is alive, and the API can tell whether anyone is there to run jobs.
 */
export async function beat(redis: Redis, keys: RedisKeys, opts: HeartbeatOptions, intervalMs: number): Promise<void> {
  let docker = true;
  let dockerError: string | undefined;
  try {
    await withTimeout(opts.ping(), PING_TIMEOUT_MS);
  } catch (err) {
    docker = false;
    dockerError = err instanceof Error ? err.message : String(err);
  }
  const heartbeat: WorkerHeartbeat = {
    workerId: opts.workerId,
    host: hostname(),
    docker,
    ...(dockerError ? { dockerError } : {}),
    concurrency: opts.concurrency,
    running: opts.running(),
    seenAt: new Date().toISOString(),
  };
  const ttlSeconds = Math.max(15, Math.ceil((3 * intervalMs) / 1000));
  await redis.set(keys.worker(opts.workerId), JSON.stringify(heartbeat), 'EX', ttlSeconds);
}

export async function isWorkerAlive(redis: Redis, keys: RedisKeys, workerId: string): Promise<boolean> {
  return (await redis.exists(keys.worker(workerId))) === 1;
}

function withTimeout<T>(promise: Promise<T>, ms: number): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`no answer within ${ms} ms`)), ms);
  });
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}
