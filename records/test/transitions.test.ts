// Job state changes against real Redis: each is one script that checks the state it starts from,
// moves the indexes and publishes the summary — so a race has one winner and one event.
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { Redis } from 'ioredis';
import { JobState } from '@shelf/contract';
import { JobRecords, RegistryReader, RunRecorder } from '../src/index.js';
import { createWorld, eventsOf, redisUrl, type RecordsWorld } from './helpers.js';

let world: RecordsWorld;
beforeEach(async () => {
  world = await createWorld();
});
afterEach(async () => {
  await world.close();
});

describe('creating a job', () => {
  it('publishes the summary it answers, and every read agrees with it', async () => {
    const created = await world.records.create(
      { itemId: 'ops-backup', itemName: 'Ops / "Backup" — ü\n', version: '2.0.0', digest: 'e'.repeat(64), inputs: { a: 1 }, limits: { memoryBytes: 1, cpus: 1, pids: 1, timeoutSeconds: 1 }, submittedBy: { id: 'u1', username: 'ada' } },
      new Date('2025-01-02T03:04:05.000Z'),
    );
    expect(created).toEqual({
      id: expect.stringMatching(/^[0-9a-f]{32}$/),
      itemId: 'ops-backup',
      itemName: 'Ops / "Backup" — ü\n',
      version: '2.0.0',
      state: 'QUEUED',
      progress: { percent: 0, message: '' },
      createdAt: '2025-01-02T03:04:05.000Z',
      startedAt: null,
      finishedAt: null,
      error: null,
      retryOf: null,
      submittedBy: { id: 'u1', username: 'ada' },
    });
    await world.until(() => world.events.length === 1, 'the created event');
    // The very bytes JSON.stringify gives (no '\/', keys in the contract's order), as before.
    expect(world.rawEvents[0]).toBe(JSON.stringify(created));
    expect(await world.records.summary(created.id)).toEqual(created);
    expect(await world.records.detail(created.id)).toEqual({ ...created, digest: 'e'.repeat(64), inputs: { a: 1 }, exitCode: null, outputs: null, limits: { memoryBytes: 1, cpus: 1, pids: 1, timeoutSeconds: 1 }, runsOn: [], workerId: null, approvals: [] });
    expect((await world.records.list({ page: 1, pageSize: 10 })).items).toEqual([created]);
  });
});

describe('state changes', () => {
  it('two concurrent changes from the same state: exactly one wins, exactly one event', async () => {
    // Separate connections, so the two scripts really race inside Redis.
    const [apiSide, workerSide] = [new Redis(redisUrl), new Redis(redisUrl)];
    try {
      const records = new JobRecords(apiSide, world.keys, new RegistryReader(apiSide, world.keys));
      const recorder = new RunRecorder(workerSide, world.keys);
      for (let round = 0; round < 20; round++) {
        const id = await world.newJob();
        const [cancelled, started] = await Promise.all([records.cancel(id, JobState.QUEUED, 'ada'), recorder.start(id)]);
        expect([cancelled, started].filter(Boolean)).toHaveLength(1);
        const winner = cancelled ? JobState.CANCELLED : JobState.RUNNING;
        // Published after the race's events, so once it is seen they are all in.
        const sentinel = await world.newJob();
        await world.until(() => eventsOf(world, sentinel).length === 1, 'the sentinel event');
        expect(eventsOf(world, id).map((e) => e.state)).toEqual([JobState.QUEUED, winner]);
        expect((await records.summary(id))?.state).toBe(winner);
      }
    } finally {
      apiSide.disconnect();
      workerSide.disconnect();
    }
  });

  it('a change from a wrong state changes nothing and publishes nothing', async () => {
    const id = await world.newJob();
    const before = await world.records.detail(id);
    expect(await world.recorder.finish(id, { state: JobState.FAILED, exitCode: 1, error: { code: 'EXIT', message: 'no' } })).toBe(false);
    expect(await world.records.cancel(id, JobState.RUNNING, 'ada')).toBeNull();
    expect(await world.recorder.progress(id, { percent: 50, message: 'half' })).toBe(false);
    expect(await world.recorder.retryLater(id, 'docker down')).toBe(false);
    expect(await world.records.detail(id)).toEqual(before);
    // Published in order: the next event after the refused ones is the one that went through.
    expect(await world.recorder.start(id)).not.toBeNull();
    await world.until(() => eventsOf(world, id).length === 2, 'the RUNNING event');
    expect(eventsOf(world, id).map((e) => e.state)).toEqual([JobState.QUEUED, JobState.RUNNING]);
    expect((await world.records.list({ state: JobState.QUEUED, page: 1, pageSize: 10 })).total).toBe(0);
    expect((await world.records.list({ state: JobState.RUNNING, page: 1, pageSize: 10 })).items.map((j) => j.id)).toEqual([id]);
  });

  it('runs a job through its life: start answers what the worker needs, progress and the end are published', async () => {
    const id = await world.newJob({ inputs: { name: 'Ada' } });
    const started = await world.recorder.start(id);
    expect(started).toMatchObject({ summary: { id, state: 'RUNNING' }, inputsJson: '{"name":"Ada"}', limitsJson: JSON.stringify({ memoryBytes: 1 << 20, cpus: 1, pids: 16, timeoutSeconds: 60 }) });
    expect(await world.recorder.progress(id, { percent: 40, message: 'working' })).toBe(true);
    await world.recorder.containerStarted(id, 1234);
    expect(await world.recorder.finish(id, { state: JobState.SUCCEEDED, exitCode: 0, outputs: { ok: true } }, { percent: 40, message: 'working' })).toBe(true);
    await world.until(() => eventsOf(world, id).length === 4, 'four events');
    expect(eventsOf(world, id).map((e) => [e.state, e.progress])).toEqual([
      ['QUEUED', { percent: 0, message: '' }],
      ['RUNNING', { percent: 0, message: '' }],
      ['RUNNING', { percent: 40, message: 'working' }],
      ['SUCCEEDED', { percent: 100, message: 'working' }],
    ]);
    expect(await world.records.detail(id)).toMatchObject({ state: 'SUCCEEDED', exitCode: 0, outputs: { ok: true }, error: null, finishedAt: expect.any(String) });
    expect(await world.records.containerStartSeconds(id)).toBe(1.234);
    expect(await world.records.countByState()).toEqual({ AWAITING_APPROVAL: 0, QUEUED: 0, RUNNING: 0, SUCCEEDED: 1, FAILED: 0, CANCELLED: 0, REJECTED: 0, EXPIRED: 0 });
  });

  it('a job that ended outside its run fails from QUEUED or RUNNING, never from a finished state', async () => {
    const queued = await world.newJob();
    const lost = { code: 'LOST' as const, message: 'the worker stopped' };
    expect(await world.recorder.failOutsideRun(queued, lost)).toBe(true);
    expect(await world.recorder.failOutsideRun(queued, lost)).toBe(false);
    expect((await world.records.summary(queued))?.error).toEqual(lost);
    const unqueued = await world.newJob();
    expect(await world.records.failUnqueued(unqueued, 'queue down')).toMatchObject({ state: 'FAILED', error: { code: 'INFRA', message: 'queue down' } });
  });

  it('records nothing about a job that does not exist', async () => {
    const ghost = '0123456789abcdef0123456789abcdef';
    expect(await world.recorder.start(ghost)).toBeNull();
    await world.recorder.containerStarted(ghost, 5);
    expect(await world.recorder.state(ghost)).toBeNull();
    expect(await world.records.summary(ghost)).toBeUndefined();
    expect(await world.records.summary('not-an-id')).toBeUndefined();
    expect(await world.redis.exists(world.keys.job(ghost))).toBe(0);
  });
});
