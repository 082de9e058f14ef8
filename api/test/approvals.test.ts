// Approvals through the real HTTP API with real users and tokens: who may decide, what each
// decision does to the job and the queues, the inboxes, the live events, and the timeout —
// a BullMQ delayed job that fires exactly once, also after the API restarts.
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { QueueName, type JobSummary, type ServerMessage } from '@shelf/contract';
import { Queue } from 'bullmq';
import { writeItem } from './catalogHarness.js';
import { apiClient } from './helpers/apiClient.js';
import { TestSocket } from './helpers/jobsHarness.js';
import { asAdmin, startShelfApi, type ShelfApi } from './helpers/shelfApi.js';

let api: ShelfApi;
let call: ReturnType<typeof apiClient>['call'];
const users: Record<string, Record<string, string>> = {};
const sockets: TestSocket[] = [];

const schema = JSON.stringify({ type: 'object', properties: { size: { type: 'string', default: 'S' }, region: { type: 'string', default: 'eu' } } });

async function publish(target: ShelfApi, id: string, approval: string): Promise<void> {
  const manifest = [`id: ${id}`, `name: ${id}`, 'version: 1.0.0', 'runtime:', '  image: shelf/runtime-shell:1', '  command: ["bash", "main.sh"]', approval, ''].join('\n');
  const dir = await writeItem(path.join(target.root, id), { id, manifest, schema });
  const res = await apiClient(target.url).call('POST', '/api/catalog/local/import', { path: dir });
  expect(res.status).toBe(201);
}

const submit = async (itemId: string, who: string, inputs: Record<string, unknown> = {}): Promise<string> => {
  const res = await call('POST', '/api/jobs', { itemId, inputs }, users[who]);
  expect(res.status).toBe(202);
  return res.body.id as string;
};
const approve = (id: string, who: string, comment?: string) => call('POST', `/api/jobs/${id}/approve`, comment === undefined ? {} : { comment }, users[who]);
const reject = (id: string, who: string, comment?: string) => call('POST', `/api/jobs/${id}/reject`, comment === undefined ? {} : { comment }, users[who]);
const inbox = async (who: string): Promise<string[]> => (await call('GET', '/api/approvals', undefined, users[who])).body.items.map((j: JobSummary) => j.id);
const audit = async (target: ShelfApi, action: string) => (await apiClient(target.url).call('GET', `/api/audit?action=${action}&pageSize=100`)).body.items;

beforeAll(async () => {
  api = await startShelfApi();
  const client = apiClient(api.url);
  call = client.call;
  for (const [name, role] of [['alice', 'runner'], ['bob', 'runner'], ['carol', 'runner'], ['dave', 'runner'], ['nils', 'runner'], ['vera', 'viewer']] as const) {
    users[name] = await client.userWithToken(name, role);
  }
  users.admin = { ...asAdmin };
  // Groups come from the identity provider; a local account gets them here.
  const dave = await api.auth.users.byUsername('dave');
  await api.auth.users.update(dave!.id, { groups: ['dba'] });
  await publish(api, 'one-approver', 'approval:\n  approvers: ["user:Bob", "user:carol"]');
  await publish(api, 'two-approvers', 'approval:\n  approvers: ["user:bob", "user:carol", "group:dba"]\n  minApprovals: 2\n  timeout: 7d');
  await publish(api, 'admins-approve', 'approval:\n  approvers: ["role:admin"]');
  await publish(api, 'no-approval', '');
});
afterAll(async () => {
  await Promise.all(sockets.map((s) => s.close()));
  await api?.close();
});

describe('submitting an item that needs approval', () => {
  it('holds the job AWAITING_APPROVAL, off the run queue, with its policy frozen and its timeout scheduled', async () => {
    const before = Date.now();
    const id = await submit('one-approver', 'alice', { size: 'M' });
    const job = await call('GET', `/api/jobs/${id}`, undefined, users.alice);
    expect(job.body).toMatchObject({ state: 'AWAITING_APPROVAL', inputs: { size: 'M', region: 'eu' }, approvals: [], submittedBy: { username: 'alice' } });
    expect(job.body.approval).toMatchObject({ approvers: ['user:Bob', 'user:carol'], minApprovals: 1, timeout: '24h', approved: 0 });
    const deadline = Date.parse(job.body.approval.deadline);
    expect(deadline - before).toBeGreaterThanOrEqual(24 * 3600_000 - 1000);
    expect(deadline - Date.now()).toBeLessThanOrEqual(24 * 3600_000);
    expect(job.body.canDecide).toEqual({ allowed: false, reason: 'you submitted this job: someone else must approve or reject it' });

    expect(await api.jobs!.queues.getJob(id)).toBeUndefined();
    const timeouts = new Queue(QueueName.approvalTimeout, { connection: api.redis, prefix: api.catalog.keys.bullPrefix });
    expect(await (await timeouts.getJob(id))?.isDelayed()).toBe(true);
    await timeouts.close();

    expect(await inbox('bob')).toContain(id);
    expect(await inbox('carol')).toContain(id);
    expect(await inbox('alice')).not.toContain(id);
    expect(await inbox('nils')).not.toContain(id);
    const asBob = await call('GET', `/api/jobs/${id}`, undefined, users.bob);
    expect(asBob.status).toBe(200);
    expect(asBob.body.canDecide).toEqual({ allowed: true });
    expect((await call('GET', `/api/jobs/${id}`, undefined, users.nils)).status).toBe(403);
    const submitted = (await audit(api, 'job.submit')).find((e: { target: string }) => e.target.endsWith(id));
    expect(submitted).toMatchObject({ actor: 'alice', outcome: 'ok', detail: 'awaiting approval' });
  });
});

describe('who may decide', () => {
  it('never the submitter, not even an admin on their own request', async () => {
    const id = await submit('one-approver', 'alice');
    const own = await approve(id, 'alice');
    expect(own.status).toBe(403);
    expect(own.body.error.message).toBe('you submitted this job: someone else must approve or reject it');
    const adminsOwn = await submit('admins-approve', 'admin');
    expect((await approve(adminsOwn, 'admin')).status).toBe(403);
    expect((await call('GET', `/api/jobs/${adminsOwn}`)).body.state).toBe('AWAITING_APPROVAL');
  });

  it('not a runner the policy does not name, nor a viewer, nor an admin it does not name', async () => {
    const id = await submit('one-approver', 'alice');
    const stranger = await approve(id, 'nils');
    expect(stranger.status).toBe(403);
    expect(stranger.body.error.message).toBe('this job was submitted by someone else');
    expect((await reject(id, 'vera')).body.error.message).toMatch(/needs the runner role/);
    const admin = await approve(id, 'admin');
    expect(admin.status).toBe(403);
    expect(admin.body.error.message).toBe('only user:Bob, user:carol may approve or reject this job');
    const denied = (await audit(api, 'job.approve')).filter((e: { target: string; outcome: string }) => e.target === id && e.outcome === 'denied');
    expect(denied.map((e: { actor: string }) => e.actor).sort()).toEqual(['admin-token', 'nils']);
  });

  it('an admin when the policy names role:admin', async () => {
    const id = await submit('admins-approve', 'alice');
    expect(await inbox('bob')).not.toContain(id);
    const res = await approve(id, 'admin', 'fine');
    expect(res.status).toBe(200);
    expect(res.body.state).toBe('QUEUED');
  });
});

describe('deciding', () => {
  it('one approval queues the job for the workers; a second approver is too late (409)', async () => {
    const id = await submit('one-approver', 'alice');
    const res = await approve(id, 'bob', 'looks right');
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ id, state: 'QUEUED', approval: { approved: 1 } });
    expect((await api.jobs!.queues.getJob(id))?.data).toMatchObject({ jobId: id, itemId: 'one-approver', version: '1.0.0' });
    const late = await approve(id, 'carol');
    expect(late.status).toBe(409);
    expect(late.body.error.message).toBe(`job ${id} is not awaiting approval; it is QUEUED`);
    const detail = (await call('GET', `/api/jobs/${id}`, undefined, users.alice)).body;
    expect(detail.approvals).toEqual([{ by: { id: expect.any(String), username: 'bob' }, decision: 'approved', comment: 'looks right', at: expect.any(String) }]);
    expect(await inbox('carol')).not.toContain(id);
    const timeouts = new Queue(QueueName.approvalTimeout, { connection: api.redis, prefix: api.catalog.keys.bullPrefix });
    expect(await timeouts.getJob(id)).toBeUndefined();
    await timeouts.close();
    expect((await audit(api, 'job.approve')).find((e: { target: string; outcome: string }) => e.target === id && e.outcome === 'ok')).toMatchObject({ actor: 'bob', detail: 'now QUEUED' });
  });

  it('409 for a job that needs no approval', async () => {
    const id = await submit('no-approval', 'alice');
    const res = await approve(id, 'alice');
    expect(res.status).toBe(409);
    expect(res.body.error.message).toBe(`job ${id} needs no approval`);
  });

  it('minApprovals 2 needs two different approvers; the same one twice is 409', async () => {
    const id = await submit('two-approvers', 'alice');
    const first = await approve(id, 'bob');
    expect(first.body).toMatchObject({ state: 'AWAITING_APPROVAL', approval: { approved: 1, minApprovals: 2 } });
    const again = await approve(id, 'bob');
    expect(again.status).toBe(409);
    expect(again.body.error.message).toBe(`bob has already decided on job ${id}; each approver decides once`);
    expect(await inbox('bob')).not.toContain(id);
    expect(await inbox('dave')).toContain(id);
    expect((await call('GET', `/api/jobs/${id}`, undefined, users.bob)).body.canDecide).toEqual({ allowed: false, reason: 'you approved it already' });
    // A member of group:dba is the second approver.
    const second = await approve(id, 'dave', 'ok');
    expect(second.body).toMatchObject({ state: 'QUEUED', approval: { approved: 2 } });
    expect(await api.jobs!.queues.getJob(id)).toBeDefined();
  });

  it('one rejection ends it; a retry asks for approval again', async () => {
    const id = await submit('two-approvers', 'alice', { size: 'XL' });
    await approve(id, 'bob');
    const res = await reject(id, 'carol', 'too big for a Friday');
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ state: 'REJECTED', error: { code: 'REJECTED', message: 'rejected by carol: too big for a Friday' } });
    expect((await approve(id, 'dave')).status).toBe(409);
    expect(await api.jobs!.queues.getJob(id)).toBeUndefined();
    expect((await call('GET', `/api/jobs/${id}`, undefined, users.alice)).body.approvals.map((d: { decision: string }) => d.decision)).toEqual(['approved', 'rejected']);

    const retried = await call('POST', `/api/jobs/${id}/retry`, undefined, users.alice);
    expect(retried.status).toBe(202);
    const again = (await call('GET', `/api/jobs/${retried.body.id}`, undefined, users.alice)).body;
    expect(again).toMatchObject({ state: 'AWAITING_APPROVAL', retryOf: id, inputs: { size: 'XL' }, approvals: [], approval: { approved: 0 } });
    expect(await inbox('bob')).toContain(retried.body.id);
  });

  it('its submitter may withdraw a request (cancel), which empties the inboxes', async () => {
    const id = await submit('one-approver', 'alice');
    const res = await call('POST', `/api/jobs/${id}/cancel`, undefined, users.alice);
    expect(res.body).toMatchObject({ state: 'CANCELLED' });
    expect(await inbox('bob')).not.toContain(id);
    expect((await approve(id, 'bob')).status).toBe(409);
    expect((await call('POST', `/api/jobs/${id}/cancel`, undefined, users.bob)).status).toBe(403);
  });

  it('shows the reviewer the submitter’s previous run of the item to compare inputs with', async () => {
    const first = await submit('admins-approve', 'carol', { size: 'S', region: 'eu' });
    const second = await submit('admins-approve', 'carol', { size: 'L', region: 'eu' });
    const detail = (await call('GET', `/api/jobs/${second}`)).body;
    expect(detail.previousRun).toEqual({ id: first, version: '1.0.0', createdAt: expect.any(String), inputs: { size: 'S', region: 'eu' } });
    expect(detail.canDecide).toEqual({ allowed: true });
  });
});

describe('live events', () => {
  it('approvers receive the events of jobs awaiting their approval; others do not', async () => {
    const [bob, nils] = [await TestSocket.open(api.wsUrl, {}, users.bob!), await TestSocket.open(api.wsUrl, {}, users.nils!)];
    sockets.push(bob, nils);
    const id = await submit('one-approver', 'alice');
    const isJob = (state: string) => (m: ServerMessage) => m.type === 'job' && m.job.id === id && m.job.state === state;
    await bob.next(isJob('AWAITING_APPROVAL'));
    await approve(id, 'carol');
    await bob.next(isJob('QUEUED'));
    // A later job's event reaches nils: by then any event of the first would have too.
    const own = await submit('no-approval', 'nils');
    await nils.next((m) => m.type === 'job' && m.job.id === own);
    expect(nils.messages.some((m) => m.type === 'job' && m.job.id === id)).toBe(false);
  });
});

describe('the approval timeout', () => {
  it('expires a request once, by a BullMQ delayed job that outlives the API that scheduled it', async () => {
    const first = await startShelfApi();
    await publish(first, 'quick', 'approval:\n  approvers: ["role:admin"]\n  timeout: 2s');
    const runner = await apiClient(first.url).userWithToken('rita', 'runner');
    const res = await apiClient(first.url).call('POST', '/api/jobs', { itemId: 'quick', inputs: {} }, runner);
    expect(res.status).toBe(202);
    const id = res.body.id as string;
    const prefix = first.prefix;
    expect((await apiClient(first.url).call('GET', `/api/jobs/${id}`)).body.state).toBe('AWAITING_APPROVAL');
    await first.stop();
    await sleep(2500);

    // Two APIs on the same data, as behind a load balancer: each consumes timeouts.
    const [second, third] = [await startShelfApi({ redisPrefix: prefix }), await startShelfApi({ redisPrefix: prefix })];
    try {
      const deadline = Date.now() + 15_000;
      let state = '';
      while (state !== 'EXPIRED' && Date.now() < deadline) {
        state = (await apiClient(second.url).call('GET', `/api/jobs/${id}`)).body.state;
        await sleep(100);
      }
      const job = (await apiClient(third.url).call('GET', `/api/jobs/${id}`)).body;
      expect(job).toMatchObject({ state: 'EXPIRED', error: { code: 'EXPIRED', message: 'nobody approved it within 2s' } });
      expect((await apiClient(third.url).call('POST', `/api/jobs/${id}/approve`, {})).status).toBe(409);
      // Exactly once: one audit record by the system, whichever API's consumer took it.
      await sleep(500);
      const expiries = (await audit(second, 'job.expire')).filter((e: { target: string }) => e.target === id);
      expect(expiries).toEqual([expect.objectContaining({ actor: 'system', outcome: 'ok', target: id })]);
    } finally {
      await third.stop();
      await second.close();
    }
  }, 30_000);
});
