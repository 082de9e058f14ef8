// The per-user count of active jobs (SHELF_MAX_ACTIVE_JOBS_PER_USER), against real Redis: every
// state change keeps the submitter's set of active jobs in step, and the limit is checked in the
// same script that stores a job, so racing submissions cannot pass it.
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { Redis } from 'ioredis';
import { JobState, type ApprovalSnapshot } from '@shelf/contract';
import { ActiveJobsLimitError, InputQuotaError, JobRecords, RegistryReader, type NewJob } from '../src/index.js';
import { createWorld, limits, redisUrl, type RecordsWorld } from './helpers.js';

let world: RecordsWorld;
beforeEach(async () => {
  world = await createWorld();
});
afterEach(async () => {
  await world.close();
});

const ada = { id: 'u-ada', username: 'ada' };
const bob = { id: 'u-bob', username: 'bob' };
const job = (fields: Partial<NewJob> = {}): NewJob => ({ itemId: 'item-a', itemName: 'Item A', version: '1.0.0', digest: 'd'.repeat(64), inputs: {}, limits, submittedBy: ada, ...fields });
const approval: ApprovalSnapshot = { approvers: ['user:bob'], minApprovals: 1, timeout: '24h', deadline: '2099-01-01T00:00:00.000Z' };

describe("a user's active jobs", () => {
  it('counts queued, running and awaiting-approval jobs, and lets each go when it finishes', async () => {
    const { records, recorder } = world;
    const queued = (await records.create(job())).id;
    const running = (await records.create(job())).id;
    const awaiting = (await records.create(job({ approval }))).id;
    const cancelled = (await records.create(job())).id;
    await records.create(job({ submittedBy: bob }));
    expect(await records.countActive(ada.id)).toBe(4);
    expect(await records.countActive(bob.id)).toBe(1);

    await recorder.start(running);
    await records.cancel(cancelled, JobState.QUEUED, 'ada');
    expect(await records.countActive(ada.id)).toBe(3);

    // Approved: still active (QUEUED); a retry-later is still active (QUEUED again).
    expect((await records.decide(awaiting, bob, 'approved', null)).kind).toBe('moved');
    await recorder.retryLater(running, 'docker hiccup');
    expect(await records.countActive(ada.id)).toBe(3);

    await recorder.start(running);
    await recorder.finish(running, { state: JobState.SUCCEEDED, exitCode: 0, outputs: null });
    await recorder.failOutsideRun(queued, { code: 'LOST', message: 'gone' });
    expect(await records.countActive(ada.id)).toBe(1);
    const rejected = (await records.create(job({ approval }))).id;
    await records.decide(rejected, bob, 'rejected', 'no');
    const expired = (await records.create(job({ approval }))).id;
    await records.expire(expired);
    expect(await records.countActive(ada.id)).toBe(1);
  });

  it('refuses a job at the limit, storing nothing, and takes one again once another finishes', async () => {
    const { records, recorder } = world;
    const first = (await records.create(job(), new Date(), 0, undefined, 2)).id;
    await records.create(job({ approval }), new Date(), 0, undefined, 2);
    const refused = await records.create(job(), new Date(), 0, undefined, 2).catch((err: unknown) => err);
    expect(refused).toBeInstanceOf(ActiveJobsLimitError);
    expect(refused).toMatchObject({ activeJobs: 2, limit: 2 });
    expect((await records.list({ page: 1, pageSize: 10 })).total).toBe(2);
    // Another user is not held back by ada's jobs.
    await records.create(job({ submittedBy: bob }), new Date(), 0, undefined, 2);

    await recorder.start(first);
    await recorder.finish(first, { state: JobState.FAILED, exitCode: 1, error: { code: 'EXIT', message: 'exited with 1' } });
    await expect(records.create(job(), new Date(), 0, undefined, 2)).resolves.toMatchObject({ state: JobState.QUEUED });
  });

  it('checks the limit before the inputs quota, and a refusal by either counts nothing', async () => {
    const { records } = world;
    await records.create(job({ inputs: { a: 'x'.repeat(50) } }), new Date(), 100, undefined, 1);
    await expect(records.create(job({ inputs: { a: 'x'.repeat(80) } }), new Date(), 100, undefined, 1)).rejects.toBeInstanceOf(ActiveJobsLimitError);
    await expect(records.create(job({ inputs: { a: 'x'.repeat(80) } }), new Date(), 100, undefined, 5)).rejects.toBeInstanceOf(InputQuotaError);
    expect(await records.countActive(ada.id)).toBe(1);
  });

  it('racing submissions from several processes: exactly the limit are stored', async () => {
    const connections = Array.from({ length: 4 }, () => new Redis(redisUrl));
    try {
      const apis = connections.map((redis) => new JobRecords(redis, world.keys, new RegistryReader(redis, world.keys)));
      const results = await Promise.allSettled(Array.from({ length: 20 }, (_, i) => apis[i % apis.length]!.create(job(), new Date(), 0, undefined, 5)));
      expect(results.filter((r) => r.status === 'fulfilled')).toHaveLength(5);
      expect(results.filter((r) => r.status === 'rejected' && r.reason instanceof ActiveJobsLimitError)).toHaveLength(15);
      expect(await world.records.countActive(ada.id)).toBe(5);
    } finally {
      await Promise.all(connections.map((c) => c.quit()));
    }
  });

  it('a store written before the per-user index is brought up to it once', async () => {
    const { records, recorder, redis, keys } = world;
    const running = (await records.create(job())).id;
    await recorder.start(running);
    await records.create(job({ approval }));
    const done = (await records.create(job())).id;
    await recorder.start(done);
    await recorder.finish(done, { state: JobState.SUCCEEDED, exitCode: 0, outputs: null });
    await redis.del(keys.jobsActiveByUser(ada.id), keys.jobsLayoutVersion);
    expect(await records.countActive(ada.id)).toBe(0);
    await Promise.all([records.upgradeLayout(), records.upgradeLayout()]);
    expect(await records.countActive(ada.id)).toBe(2);
  });
});
