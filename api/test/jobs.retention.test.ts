// Job states are moved by FakeWorker, which stands in for the worker process exactly as the
// contract describes; the worker has its own tests with Docker.
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { Redis } from 'ioredis';
import { redisKeys, type RedisKeys } from '@shelf/contract';
import { JobStore } from '../src/jobs/jobStore.js';
import { pruneJobs, startJobRetention } from '../src/jobs/jobRetention.js';
import { createLogger } from '../src/logger.js';
import { FakeWorker } from './helpers/fakeWorker.js';
import { deletePrefix, redisUrl } from './helpers/jobsHarness.js';
import { adminTokenActor } from '../src/auth/principal.js';

const day = 24 * 60 * 60 * 1000;
const limits = { memoryBytes: 1, cpus: 1, pids: 1, timeoutSeconds: 1 };

let redis: Redis;
let keys: RedisKeys;
let store: JobStore;
let worker: FakeWorker;

beforeAll(() => {
  redis = new Redis(redisUrl);
  keys = redisKeys(`test-${Math.random().toString(16).slice(2, 10)}`);
  store = new JobStore(redis, keys);
  worker = new FakeWorker(redis, keys);
});
afterAll(async () => {
  await deletePrefix(redis, keys.prefix);
  await redis.quit();
});

async function job(itemId: string, ageDays: number, end?: 'SUCCEEDED' | 'FAILED' | 'CANCELLED' | 'RUNNING'): Promise<string> {
  const { id } = await store.create({ itemId, itemName: itemId, version: '1.0.0', digest: 'f'.repeat(64), inputs: {}, limits, submittedBy: adminTokenActor }, new Date(Date.now() - ageDays * day));
  if (end) await worker.start(id);
  if (end && end !== 'RUNNING') await worker.finish(id, end);
  if (end) await worker.logNumbered(id, 1, 3);
  return id;
}

/** Every place a job id can be found. */
async function traces(id: string, itemId: string): Promise<string[]> {
  const found: string[] = [];
  for (const key of [keys.job(id), keys.jobLog(id), keys.jobLogBytes(id)]) if (await redis.exists(key)) found.push(key);
  const indexes = [keys.jobsAll, keys.jobIds, keys.jobsByItem(itemId), ...['QUEUED', 'RUNNING', 'SUCCEEDED', 'FAILED', 'CANCELLED'].map(keys.jobsByState)];
  for (const index of indexes) if ((await redis.zscore(index, id)) !== null) found.push(index);
  return found;
}

describe('pruneJobs', () => {
  it('deletes old finished jobs from every index with their logs, and keeps the rest', async () => {
    const old = [await job('old-a', 40, 'SUCCEEDED'), await job('old-b', 31, 'FAILED'), await job('old-a', 45, 'CANCELLED')];
    const oldRunning = await job('old-a', 50, 'RUNNING');
    const oldQueued = await job('old-b', 60);
    const recent = await job('old-a', 5, 'SUCCEEDED');
    expect(await traces(old[0]!, 'old-a')).toHaveLength(7); // hash, log, log bytes, all, ids, item, state

    expect(await pruneJobs(store, 30 * day)).toBe(3);

    for (const [i, id] of old.entries()) expect(await traces(id, i === 1 ? 'old-b' : 'old-a')).toEqual([]);
    expect(await traces(oldRunning, 'old-a')).toHaveLength(7);
    expect(await traces(oldQueued, 'old-b')).toHaveLength(5); // no log yet
    expect(await traces(recent, 'old-a')).toHaveLength(7);
    expect((await store.list({ page: 1, pageSize: 100 })).total).toBe(3);
    expect(await pruneJobs(store, 30 * day)).toBe(0);
  });

  it('cleans an index entry whose job hash is already gone', async () => {
    const id = await job('orphan', 40, 'FAILED');
    await redis.del(keys.job(id));
    await pruneJobs(store, 30 * day);
    expect(await redis.zscore(keys.jobsAll, id)).toBeNull();
    expect(await redis.zscore(keys.jobsByState('FAILED'), id)).toBeNull();
  });
});

describe('startJobRetention', () => {
  it('prunes periodically until stopped', async () => {
    vi.useFakeTimers({ toFake: ['setTimeout', 'setInterval', 'clearTimeout', 'clearInterval'] });
    try {
      const id = await job('periodic', 40, 'SUCCEEDED');
      const stop = startJobRetention(store, { retentionDays: 30, logger: createLogger('silent'), intervalMs: 60_000 });
      await vi.advanceTimersByTimeAsync(10_000);
      vi.useRealTimers();
      await vi.waitFor(async () => expect(await redis.exists(keys.job(id))).toBe(0));
      stop();
    } finally {
      vi.useRealTimers();
    }
  });
});
