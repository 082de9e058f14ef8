// Jobs that wait for approval, against real Redis: every way out of AWAITING_APPROVAL is one
// script, so racing approvers, an approval racing the timeout and a withdrawal each have one
// winner and publish one event.
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { Redis } from 'ioredis';
import { JobState, type ApprovalSnapshot } from '@shelf/contract';
import { JobRecords, RegistryReader, type NewJob } from '../src/index.js';
import { createWorld, eventsOf, redisUrl, type RecordsWorld } from './helpers.js';

let world: RecordsWorld;
beforeEach(async () => {
  world = await createWorld();
});
afterEach(async () => {
  await world.close();
});

const ada = { id: 'u-ada', username: 'ada' };
const bob = { id: 'u-bob', username: 'bob' };
const cyd = { id: 'u-cyd', username: 'cyd' };

const policy = (over: Partial<ApprovalSnapshot> = {}): ApprovalSnapshot => ({
  approvers: ['group:dba', 'user:Bob'],
  minApprovals: 1,
  timeout: '24h',
  deadline: '2025-01-03T00:00:00.000Z',
  ...over,
});

const awaiting = (over: Partial<ApprovalSnapshot> = {}, fields: Partial<NewJob> = {}) => world.newJob({ submittedBy: ada, approval: policy(over), ...fields });

/** Published after everything before it, so once it is seen every earlier event is in. */
async function settle(): Promise<void> {
  const sentinel = await world.newJob();
  await world.until(() => eventsOf(world, sentinel).length === 1, 'the sentinel event');
}

describe('a job that needs approval', () => {
  it('is created AWAITING_APPROVAL with its frozen policy, listed in its approvers’ inboxes', async () => {
    const created = await world.records.create({ itemId: 'db', itemName: 'DB', version: '1.0.0', digest: 'd'.repeat(64), inputs: { size: 'S' }, limits: { memoryBytes: 1, cpus: 1, pids: 1, timeoutSeconds: 1 }, submittedBy: ada, approval: policy() });
    expect(created).toMatchObject({ state: 'AWAITING_APPROVAL', approval: { ...policy(), approved: 0 }, submittedBy: ada });
    await world.until(() => world.rawEvents.length === 1, 'the created event');
    expect(world.rawEvents[0]).toBe(JSON.stringify(created));
    expect(await world.records.detail(created.id)).toMatchObject({ ...created, inputs: { size: 'S' }, approvals: [] });
    // user: principals match whatever the case; the submitter never sees their own request.
    expect((await world.records.awaitingDecision(['user:bob'], bob.id)).map((j) => j.id)).toEqual([created.id]);
    expect((await world.records.awaitingDecision(['group:dba'], cyd.id)).map((j) => j.id)).toEqual([created.id]);
    expect(await world.records.awaitingDecision(['group:dba', 'user:ada'], ada.id)).toEqual([]);
    expect(await world.records.awaitingDecision(['group:ops', 'user:cyd'], cyd.id)).toEqual([]);
    expect(await world.records.awaitingDeadlines()).toEqual([{ id: created.id, deadline: policy().deadline }]);
    expect((await world.records.list({ state: JobState.AWAITING_APPROVAL, page: 1, pageSize: 10 })).total).toBe(1);
  });

  it('two approvers racing (one approval needed): one QUEUED and exactly one event', async () => {
    const [first, second] = [new Redis(redisUrl), new Redis(redisUrl)];
    try {
      const records = [first, second].map((r) => new JobRecords(r, world.keys, new RegistryReader(r, world.keys)));
      for (let round = 0; round < 20; round++) {
        const id = await awaiting();
        const replies = await Promise.all([records[0]!.decide(id, bob, 'approved', 'fine'), records[1]!.decide(id, cyd, 'approved', null)]);
        expect(replies.map((r) => r.kind).sort()).toEqual(['moved', 'not-awaiting']);
        await settle();
        expect(eventsOf(world, id).map((e) => e.state)).toEqual([JobState.AWAITING_APPROVAL, JobState.QUEUED]);
        const detail = await world.records.detail(id);
        expect(detail?.state).toBe(JobState.QUEUED);
        expect(detail?.approval?.approved).toBe(1);
        expect(detail?.approvals).toHaveLength(1);
        expect(await world.records.awaitingDecision(['group:dba', 'user:bob'], bob.id)).toEqual([]);
      }
    } finally {
      first.disconnect();
      second.disconnect();
    }
  });

  it('an approval racing the timeout: one winner, one event', async () => {
    const [first, second] = [new Redis(redisUrl), new Redis(redisUrl)];
    try {
      const [api, timeouts] = [first, second].map((r) => new JobRecords(r, world.keys, new RegistryReader(r, world.keys)));
      for (let round = 0; round < 20; round++) {
        const id = await awaiting();
        const [approved, expired] = await Promise.all([api!.decide(id, bob, 'approved', null), timeouts!.expire(id)]);
        expect([approved.kind === 'moved', expired !== null].filter(Boolean)).toHaveLength(1);
        const winner = expired ? JobState.EXPIRED : JobState.QUEUED;
        await settle();
        expect(eventsOf(world, id).map((e) => e.state)).toEqual([JobState.AWAITING_APPROVAL, winner]);
        expect((await world.records.summary(id))?.state).toBe(winner);
      }
    } finally {
      first.disconnect();
      second.disconnect();
    }
  });

  it('minApprovals 2 needs two distinct approvers; the same one twice counts once', async () => {
    const id = await awaiting({ minApprovals: 2 });
    expect(await world.records.decide(id, bob, 'approved', 'ok by me')).toMatchObject({ kind: 'recorded', summary: { state: 'AWAITING_APPROVAL', approval: { approved: 1 } } });
    expect(await world.records.decide(id, bob, 'approved', 'again')).toEqual({ kind: 'already-decided' });
    expect(await world.records.decide(id, bob, 'rejected', 'changed my mind')).toEqual({ kind: 'already-decided' });
    // Bob decided: his inbox no longer shows it; Cyd's still does.
    expect(await world.records.awaitingDecision(['user:bob'], bob.id)).toEqual([]);
    expect((await world.records.awaitingDecision(['group:dba'], cyd.id)).map((j) => j.id)).toEqual([id]);
    expect(await world.records.decide(id, cyd, 'approved', null)).toMatchObject({ kind: 'moved', summary: { state: 'QUEUED', approval: { approved: 2 } } });
    await settle();
    expect(eventsOf(world, id).map((e) => [e.state, e.approval?.approved])).toEqual([
      ['AWAITING_APPROVAL', 0],
      ['AWAITING_APPROVAL', 1],
      ['QUEUED', 2],
    ]);
    const detail = await world.records.detail(id);
    expect(detail?.approvals.map((d) => [d.by.username, d.decision, d.comment])).toEqual([
      ['bob', 'approved', 'ok by me'],
      ['cyd', 'approved', null],
    ]);
    // Once queued it is an ordinary job: the worker's side takes it from here.
    expect(await world.recorder.start(id)).not.toBeNull();
    expect(await world.records.decide(id, { id: 'u-dan', username: 'dan' }, 'approved', null)).toEqual({ kind: 'not-awaiting', state: 'RUNNING' });
  });

  it('one rejection ends it REJECTED with who said no, and empties the inboxes', async () => {
    const id = await awaiting({ minApprovals: 2 });
    await world.records.decide(id, bob, 'approved', null);
    const rejected = await world.records.decide(id, cyd, 'rejected', 'not on a Friday');
    expect(rejected).toMatchObject({ kind: 'moved', summary: { state: 'REJECTED', finishedAt: expect.any(String), error: { code: 'REJECTED', message: 'rejected by cyd: not on a Friday' } } });
    expect(await world.records.awaitingDecision(['group:dba', 'user:dan'], 'u-dan')).toEqual([]);
    expect(await world.records.awaitingDeadlines()).toEqual([]);
    expect(await world.records.expire(id)).toBeNull();
    expect(await world.recorder.start(id)).toBeNull();
    expect((await world.records.detail(id))?.approvals.map((d) => d.decision)).toEqual(['approved', 'rejected']);
  });

  it('expires once, says how long it waited, and refuses later decisions', async () => {
    const id = await awaiting({ timeout: '2s' });
    expect(await world.records.expire(id)).toMatchObject({ state: 'EXPIRED', error: { code: 'EXPIRED', message: 'nobody approved it within 2s' } });
    expect(await world.records.expire(id)).toBeNull();
    expect(await world.records.decide(id, bob, 'approved', null)).toEqual({ kind: 'not-awaiting', state: 'EXPIRED' });
    await settle();
    expect(eventsOf(world, id).map((e) => e.state)).toEqual([JobState.AWAITING_APPROVAL, JobState.EXPIRED]);
    expect(await world.records.decide('0123456789abcdef0123456789abcdef', bob, 'approved', null)).toEqual({ kind: 'missing' });
  });

  it('its submitter may withdraw it while it waits', async () => {
    const id = await awaiting();
    expect(await world.records.cancel(id, JobState.AWAITING_APPROVAL, 'ada')).toMatchObject({ state: 'CANCELLED', error: { message: 'cancelled by ada' } });
    expect(await world.records.awaitingDecision(['group:dba'], cyd.id)).toEqual([]);
    expect(await world.records.cancel(id, JobState.AWAITING_APPROVAL, 'ada')).toBeNull();
  });

  it('prunes rejected and expired jobs with their decisions', async () => {
    const old = new Date(Date.now() - 10 * 24 * 3600_000);
    const rejected = await world.newJob({ submittedBy: ada, approval: policy() }, old);
    const expired = await world.newJob({ submittedBy: ada, approval: policy() }, old);
    const waiting = await world.newJob({ submittedBy: ada, approval: policy() }, old);
    await world.records.decide(rejected, bob, 'rejected', null);
    await world.records.expire(expired);
    expect(await world.records.prune(24 * 3600_000)).toBe(2);
    expect(await world.redis.exists(world.keys.job(rejected), world.keys.jobApprovals(rejected), world.keys.job(expired))).toBe(0);
    expect((await world.records.summary(waiting))?.state).toBe('AWAITING_APPROVAL');
  });

  it('finds the submitter’s previous run of the same item for the reviewer', async () => {
    const t = (s: number) => new Date(Date.UTC(2025, 0, 1, 0, 0, s));
    const first = await world.newJob({ submittedBy: ada, itemId: 'db', inputs: { size: 'S' } }, t(1));
    await world.newJob({ submittedBy: ada, itemId: 'other', inputs: { x: 1 } }, t(2));
    await world.newJob({ submittedBy: bob, itemId: 'db', inputs: { size: 'XL' } }, t(3));
    const now = await world.newJob({ submittedBy: ada, itemId: 'db', inputs: { size: 'M' }, approval: policy() }, t(4));
    expect(await world.records.previousRun(now)).toEqual({ id: first, version: '1.0.0', createdAt: t(1).toISOString(), inputs: { size: 'S' } });
    expect(await world.records.previousRun(first)).toBeNull();
  });
});
