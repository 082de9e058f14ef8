// Retention against real Redis: a pruned job leaves no trace — hash, log, byte counter, every index.
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { JobState, jobStates } from '@shelf/contract';
import { startJobRetention } from '../src/index.js';
import { createWorld, type RecordsWorld } from './helpers.js';

const day = 24 * 60 * 60 * 1000;
const silent = { info: () => undefined, warn: () => undefined };

let world: RecordsWorld;
beforeEach(async () => {
  world = await createWorld();
});
afterEach(async () => {
  await world.close();
});

async function job(itemId: string, ageDays: number, end?: 'SUCCEEDED' | 'FAILED' | 'CANCELLED' | 'RUNNING'): Promise<string> {
  const id = await world.newJob({ itemId }, new Date(Date.now() - ageDays * day));
  if (!end) return id;
  await world.recorder.start(id);
  if (end === 'SUCCEEDED') await world.recorder.finish(id, { state: JobState.SUCCEEDED, exitCode: 0, outputs: null });
  if (end === 'FAILED') await world.recorder.finish(id, { state: JobState.FAILED, exitCode: 1, error: { code: 'EXIT', message: 'exited with 1' } });
  if (end === 'CANCELLED') await world.records.cancel(id, JobState.RUNNING, 'ada');
  await world.recorder.appendLog(id, 10_000, ['stdout', 'a', 'stdout', 'b']);
  return id;
}

/** Every key and index a job id can be found in. */
async function traces(id: string, itemId: string): Promise<string[]> {
  const { redis, keys } = world;
  const found: string[] = [];
  for (const key of [keys.job(id), keys.jobLog(id), keys.jobLogBytes(id)]) if (await redis.exists(key)) found.push(key);
  const indexes = [
    keys.jobsAll,
    keys.jobIds,
    keys.jobsByItem(itemId),
    keys.jobsByUser('u1'),
    ...jobStates.map(keys.jobsByState),
    ...jobStates.map((state) => keys.jobsByItemState(itemId, state)),
  ];
  for (const index of indexes) if ((await redis.zscore(index, id)) !== null) found.push(index);
  if (await redis.hexists(keys.jobItems, id)) found.push(keys.jobItems);
  return found;
}

describe('prune', () => {
  it('deletes old finished jobs from every index with their logs, and keeps the rest', async () => {
    const old = [await job('old-a', 40, 'SUCCEEDED'), await job('old-b', 31, 'FAILED'), await job('old-a', 45, 'CANCELLED')];
    const oldRunning = await job('old-a', 50, 'RUNNING');
    const oldQueued = await job('old-b', 60);
    const recent = await job('old-a', 5, 'SUCCEEDED');
    expect(await traces(old[0]!, 'old-a')).toHaveLength(10); // hash, log, log bytes, all, ids, item, user, state, item and state, job items

    expect(await world.records.prune(30 * day)).toBe(3);

    for (const [i, id] of old.entries()) expect(await traces(id, i === 1 ? 'old-b' : 'old-a')).toEqual([]);
    expect(await traces(oldRunning, 'old-a')).toHaveLength(10);
    expect(await traces(oldQueued, 'old-b')).toHaveLength(8); // no log yet
    expect(await traces(recent, 'old-a')).toHaveLength(10);
    expect((await world.records.list({ page: 1, pageSize: 100 })).total).toBe(3);
    expect(await world.records.prune(30 * day)).toBe(0);
    // The per-item-and-state counts went down with the index.
    for (const state of jobStates) {
      for (const itemId of ['old-a', 'old-b']) {
        expect(Number((await world.redis.hget(world.keys.jobCountsByItem(state), itemId)) ?? 0)).toBe(await world.redis.zcard(world.keys.jobsByItemState(itemId, state)));
      }
    }
  });

  it('cleans an index entry whose job hash is already gone', async () => {
    const id = await job('orphan', 40, 'FAILED');
    await world.redis.del(world.keys.job(id));
    await world.records.prune(30 * day);
    expect(await world.redis.zscore(world.keys.jobsAll, id)).toBeNull();
    expect(await world.redis.zscore(world.keys.jobsByState('FAILED'), id)).toBeNull();
  });
});

describe('startJobRetention', () => {
  it('prunes shortly after start and then periodically, until stopped', async () => {
    vi.useFakeTimers({ toFake: ['setTimeout', 'setInterval', 'clearTimeout', 'clearInterval'] });
    try {
      const id = await job('periodic', 40, 'SUCCEEDED');
      const stop = startJobRetention(world.records, { retentionDays: 30, logger: silent, intervalMs: 60_000 });
      await vi.advanceTimersByTimeAsync(10_000);
      vi.useRealTimers();
      await vi.waitFor(async () => expect(await world.records.has(id)).toBe(false));
      stop();
    } finally {
      vi.useRealTimers();
    }
  });
});
