import { randomBytes } from 'node:crypto';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { JobSummary } from '@shelf/contract';
import { createLogger } from '../src/logger.js';
import { createNotifyServices, type NotifyOptions, type NotifyServices } from '../src/notify/index.js';
import { postDelivery } from '../src/notify/postDelivery.js';
import { writeItem } from './catalogHarness.js';
import { apiClient } from './helpers/apiClient.js';
import { FakeWorker } from './helpers/fakeWorker.js';
import { startShelfApi, type ShelfApi } from './helpers/shelfApi.js';
import { startReceiver, until, verify } from './helpers/webhookReceiver.js';

// Real parts: a Shelf API with its notifier, a second notifier on the same Redis (a second API
// process), a loopback receiver that checks signatures as a customer's would, real job records
// moved by the FakeWorker. Approval states are simulated by publishing their summaries on the
// job events channel, as the job records do (the notifier only reads that channel).

type Receiver = Awaited<ReturnType<typeof startReceiver>>;

let receiver: Receiver;
let api: ShelfApi;
let second: NotifyServices;
let stopSecond: () => Promise<void>;
let worker: FakeWorker;
let call: ReturnType<typeof apiClient>['call'];
let digest = '';

/** Test DNS: names that resolve to what each case needs; anything else does not resolve. */
const lookup: NotifyOptions['lookup'] = async (host) => {
  const table: Record<string, string[]> = {
    'public.test': ['93.184.216.34'],
    'internal.test': ['10.1.2.3'],
    'mixed.test': ['93.184.216.34', '192.168.1.10'],
    'metadata.test': ['169.254.169.254'],
    localhost: ['127.0.0.1', '::1'],
  };
  const found = table[host];
  if (!found) throw Object.assign(new Error(`getaddrinfo ENOTFOUND ${host}`), { code: 'ENOTFOUND' });
  return found.map((address) => ({ address, family: address.includes(':') ? 6 : 4 }));
};

function notifyOptions(): Partial<NotifyOptions> {
  return { allow: [`${receiver.base}/`], lookup, queue: { backoffMs: 150, attempts: 8 }, jobEventDelayMs: 0, timeoutMs: 1500 };
}

async function newJob(): Promise<string> {
  const job = await api.jobs!.records.create({
    itemId: 'hello',
    itemName: 'Hello',
    version: '1.0.0',
    digest,
    inputs: {},
    limits: { memoryBytes: 1 << 20, cpus: 1, pids: 16, timeoutSeconds: 60 },
    submittedBy: { id: 'a'.repeat(24), username: 'alice' },
  });
  return job.id;
}

async function createWebhook(body: Record<string, unknown>): Promise<{ id: string; secret: string }> {
  const res = await call('POST', '/api/webhooks', body);
  expect(res.status, JSON.stringify(res.body)).toBe(201);
  return res.body;
}

/** A summary as the approval scripts publish it: the notifier must not care who sends it. */
async function publishSummary(summary: JobSummary): Promise<void> {
  await api.redis.publish(api.catalog.keys.jobEventsChannel, JSON.stringify(summary));
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

beforeAll(async () => {
  receiver = await startReceiver();
  api = await startShelfApi({ notify: notifyOptions() });
  call = apiClient(api.url).call;
  worker = new FakeWorker(api.redis, api.catalog.keys);
  second = await createNotifyServices(api.redis, {
    ...notifyOptions(),
    keys: api.catalog.keys,
    logger: createLogger('silent'),
    audit: api.auth.audit,
    users: api.auth.users,
    publicUrl: api.url,
    authKey: undefined,
    // Both processes share the installation's key, as API hosts share SHELF_AUTH_KEY.
    dataDir: path.join(api.tmp, 'data'),
    allow: [`${receiver.base}/`],
  } as NotifyOptions);
  stopSecond = await second.start();
  const imported = await call('POST', '/api/catalog/local/import', { path: await writeItem(path.join(api.root, 'hello')) });
  expect(imported.status).toBe(201);
  digest = imported.body.digest;
});

afterAll(async () => {
  await stopSecond?.();
  await second?.close();
  await api?.close();
  await receiver?.close();
});

describe('webhook deliveries', () => {
  it('delivers every event once, signed, with two API processes hearing and consuming it', async () => {
    const hook = await createWebhook({ url: `${receiver.base}/all`, events: ['job.awaiting_approval', 'job.approved', 'job.rejected', 'job.expired', 'job.succeeded', 'job.failed', 'job.cancelled', 'item.published'] });
    expect(hook.secret).toMatch(/^whsec_/);

    const [ok, bad, cancelled] = [await newJob(), await newJob(), await newJob()];
    await worker.run(ok, 'SUCCEEDED');
    await worker.run(bad, 'FAILED');
    await worker.run(cancelled, 'CANCELLED');

    const waiting = await newJob();
    const base = (await api.jobs!.records.summary(waiting))!;
    const approval = { approvers: ['group:dba'], minApprovals: 1, timeout: '1h', deadline: new Date(Date.now() + 3_600_000).toISOString(), approved: 0 };
    // Each published twice: a state change heard again must not be told again.
    for (let i = 0; i < 2; i++) await publishSummary({ ...base, state: 'AWAITING_APPROVAL', approval });
    for (let i = 0; i < 2; i++) await publishSummary({ ...base, state: 'QUEUED', approval: { ...approval, approved: 1 } });

    const imported = await call('POST', '/api/catalog/local/import', { path: await writeItem(path.join(api.root, 'hello2'), { id: 'hello-two', name: 'Hello <two>' }) });
    expect(imported.status).toBe(201);

    const expected = [
      ['job.succeeded', ok],
      ['job.failed', bad],
      ['job.cancelled', cancelled],
      ['job.awaiting_approval', waiting],
      ['job.approved', waiting],
      ['item.published', 'hello-two@1.0.0'],
    ];
    const mine = () => receiver.on('/all');
    await until(() => mine().length >= expected.length, 10_000, 'six deliveries');
    await sleep(800); // room for a duplicate to arrive, were there one
    const got = mine();
    expect(got).toHaveLength(expected.length);
    expect(got.map((r) => [r.event, r.json.job?.id ?? `${r.json.item.id}@${r.json.item.version}`]).sort()).toEqual(expected.sort());
    for (const r of got) {
      expect(verify(hook.secret, r)).toBe(true);
      expect(r.json.event).toBe(r.event);
      expect(r.json.delivery).toBe(r.delivery);
      expect(Date.parse(r.json.at)).not.toBeNaN();
    }
    expect(new Set(got.map((r) => r.delivery)).size).toBe(got.length);
    const published = got.find((r) => r.event === 'item.published')!.json.item;
    expect(published).toEqual({ id: 'hello-two', name: 'Hello <two>', version: '1.0.0', digest: imported.body.digest, source: 'local', publishedBy: 'admin-token', createdAt: expect.any(String) });
    expect(got.find((r) => r.event === 'job.failed')!.json.job).toMatchObject({ id: bad, state: 'FAILED', itemId: 'hello', submittedBy: { username: 'alice' } });
  }, 20_000);

  it('retries a delivery answered 500 with the same id and body, and logs both attempts', async () => {
    const hook = await createWebhook({ url: `${receiver.base}/flaky`, events: ['job.succeeded'], secret: 'a secret of our own choosing' });
    expect(hook.secret).toBe('a secret of our own choosing');
    receiver.script('/flaky', [{ status: 500 }]);
    const job = await newJob();
    await worker.run(job, 'SUCCEEDED');

    await until(() => receiver.on('/flaky').length >= 2, 10_000, 'the retry');
    const [first, retry] = receiver.on('/flaky');
    expect(retry!.delivery).toBe(first!.delivery);
    expect(retry!.body).toBe(first!.body);
    expect(verify('a secret of our own choosing', retry!)).toBe(true);

    await until(async () => (await call('GET', `/api/webhooks/${hook.id}/deliveries`)).body.items.length >= 2);
    const log = (await call('GET', `/api/webhooks/${hook.id}/deliveries`)).body.items;
    expect(log).toHaveLength(2);
    expect(log[0]).toMatchObject({ delivery: first!.delivery, event: 'job.succeeded', subject: job, attempt: 2, status: 200, outcome: 'ok', error: null, response: 'thanks', willRetry: false, redeliveryOf: null });
    expect(log[1]).toMatchObject({ delivery: first!.delivery, attempt: 1, status: 500, outcome: 'failed', error: 'answered 500', response: 'status 500', willRetry: true });
    for (const attempt of log) {
      expect(attempt.durationMs).toBeGreaterThanOrEqual(0);
      expect(Date.parse(attempt.at)).not.toBeNaN();
    }

    const audit = (await call('GET', '/api/audit?action=webhook.delivery&pageSize=100')).body.items.filter((e: { target: string }) => e.target.includes(hook.id));
    expect(audit.map((e: { outcome: string }) => e.outcome).sort()).toEqual(['failed', 'ok']);
    expect(audit[0]).toMatchObject({ actor: 'system', action: 'webhook.delivery' });
  }, 20_000);

  it('redelivers a past delivery as a new delivery of the same event', async () => {
    const hook = await createWebhook({ url: `${receiver.base}/again`, events: ['job.failed'] });
    const job = await newJob();
    await worker.run(job, 'FAILED');
    await until(() => receiver.on('/again').length === 1);
    const original = receiver.on('/again')[0]!;

    const res = await call('POST', `/api/webhooks/${hook.id}/deliveries/${original.delivery}/redeliver`);
    expect(res.status).toBe(202);
    expect(res.body.delivery).not.toBe(original.delivery);
    await until(() => receiver.on('/again').length === 2);
    const again = receiver.on('/again')[1]!;
    expect(again.delivery).toBe(res.body.delivery);
    expect(verify(hook.secret, again)).toBe(true);
    expect({ ...again.json, delivery: 'x' }).toEqual({ ...original.json, delivery: 'x' });
    await until(async () => (await call('GET', `/api/webhooks/${hook.id}/deliveries`)).body.items.length === 2);
    expect((await call('GET', `/api/webhooks/${hook.id}/deliveries`)).body.items[0]).toMatchObject({ delivery: again.delivery, redeliveryOf: original.delivery, outcome: 'ok' });

    expect((await call('POST', `/api/webhooks/${hook.id}/deliveries/${randomBytes(16).toString('hex')}/redeliver`)).status).toBe(404);
    const other = await createWebhook({ url: `${receiver.base}/other`, events: ['job.failed'] });
    expect((await call('POST', `/api/webhooks/${other.id}/deliveries/${original.delivery}/redeliver`)).status).toBe(404);
    await call('DELETE', `/api/webhooks/${other.id}`);
  }, 20_000);

  it('follows no redirect, and does not retry one', async () => {
    const hook = await createWebhook({ url: `${receiver.base}/moved`, events: ['job.cancelled'] });
    receiver.script('/moved', [{ status: 302, location: `${receiver.base}/elsewhere` }]);
    await worker.run(await newJob(), 'CANCELLED');
    await until(async () => (await call('GET', `/api/webhooks/${hook.id}/deliveries`)).body.items.length === 1);
    await sleep(600);
    expect(receiver.on('/moved')).toHaveLength(1);
    expect(receiver.on('/elsewhere')).toHaveLength(0);
    const [attempt] = (await call('GET', `/api/webhooks/${hook.id}/deliveries`)).body.items;
    expect(attempt).toMatchObject({ status: 302, outcome: 'failed', willRetry: false });
    expect(attempt.error).toContain('redirects are not followed');
    await call('DELETE', `/api/webhooks/${hook.id}`);
  }, 20_000);

  it('gives up on a receiver that does not answer in time, and tries again later', async () => {
    const hook = await createWebhook({ url: `${receiver.base}/slow`, events: ['job.succeeded'] });
    receiver.script('/slow', [{ hangMs: 4000 }]);
    await worker.run(await newJob(), 'SUCCEEDED');
    await until(async () => (await call('GET', `/api/webhooks/${hook.id}/deliveries`)).body.items.some((a: { outcome: string }) => a.outcome === 'ok'), 10_000, 'the retry after the timeout');
    const log = (await call('GET', `/api/webhooks/${hook.id}/deliveries`)).body.items;
    expect(log.at(-1)).toMatchObject({ attempt: 1, status: null, outcome: 'failed', error: 'no answer within 1.5 s', willRetry: true });
    expect(log.at(-1).durationMs).toBeGreaterThanOrEqual(1400);
    await call('DELETE', `/api/webhooks/${hook.id}`);
  }, 20_000);

  it('sends a Slack-compatible body when asked, escaping what users wrote', async () => {
    const hook = await createWebhook({ url: `${receiver.base}/slack`, events: ['item.published'], format: 'slack' });
    await call('POST', '/api/catalog/local/import', { path: await writeItem(path.join(api.root, 'slacky'), { id: 'slacky', name: 'A <b>&</b> item' }) });
    await until(() => receiver.on('/slack').length === 1);
    const got = receiver.on('/slack')[0]!;
    expect(got.json).toEqual({ text: 'Published *A &lt;b&gt;&amp;&lt;/b&gt; item* 1.0.0 (slacky) by admin-token' });
    expect(verify(hook.secret, got)).toBe(true);
    await call('DELETE', `/api/webhooks/${hook.id}`);
  });
});

describe('the webhook registry', () => {
  it('shows the secret once, keeps it sealed, and audits creation and deletion', async () => {
    const hook = await createWebhook({ url: `${receiver.base}/registry`, events: ['job.failed'] });
    const listed = (await call('GET', '/api/webhooks')).body.items.find((w: { id: string }) => w.id === hook.id);
    expect(listed).toEqual({ id: hook.id, url: `${receiver.base}/registry`, events: ['job.failed'], format: 'shelf', createdAt: expect.any(String), createdBy: { id: 'admin-token', username: 'admin-token' } });
    const stored = await api.redis.hget(api.catalog.keys.webhooks, hook.id);
    expect(stored).not.toContain(hook.secret);

    expect((await call('DELETE', `/api/webhooks/${hook.id}`)).status).toBe(204);
    expect((await call('DELETE', `/api/webhooks/${hook.id}`)).status).toBe(404);
    expect((await call('GET', `/api/webhooks/${hook.id}/deliveries`)).status).toBe(404);
    const audit = (await call('GET', '/api/audit?action=webhook&pageSize=100')).body.items.filter((e: { target: string }) => e.target.startsWith(hook.id));
    expect(audit.map((e: { action: string; outcome: string }) => `${e.action} ${e.outcome}`).sort()).toEqual(['webhook.create ok', 'webhook.delete failed', 'webhook.delete ok']);
  });

  it('refuses a malformed request with 400', async () => {
    expect((await call('POST', '/api/webhooks', { url: `${receiver.base}/x`, events: [] })).status).toBe(400);
    expect((await call('POST', '/api/webhooks', { url: `${receiver.base}/x`, events: ['job.exploded'] })).status).toBe(400);
    expect((await call('POST', '/api/webhooks', { url: `${receiver.base}/x`, events: ['job.failed'], secret: 'short' })).status).toBe(400);
    expect((await call('POST', '/api/webhooks', { url: `${receiver.base}/x`, events: ['job.failed'], format: 'teams' })).status).toBe(400);
  });

  it.each([
    ['loopback over http, without an allow entry', 'http://127.0.0.1:9/hook', '127.0.0.1 is not a public address'],
    ['loopback over https', 'https://127.0.0.1/hook', '127.0.0.1 is not a public address'],
    ['the cloud metadata address', 'http://169.254.169.254/latest/meta-data/', '169.254.169.254 is not a public address'],
    ['a name of the metadata address', 'https://metadata.test/', 'metadata.test resolves to 169.254.169.254, which is not a public address'],
    ['IPv6 loopback', 'https://[::1]/hook', '[::1] is not a public address'],
    ['IPv4-mapped loopback', 'https://[::ffff:127.0.0.1]/hook', 'is not a public address'],
    ['a name resolving to a private address', 'https://internal.test/hook', 'internal.test resolves to 10.1.2.3, which is not a public address'],
    ['a name with one private address among public ones', 'https://mixed.test/hook', 'resolves to 192.168.1.10'],
    ['localhost', 'https://localhost/hook', 'localhost resolves to 127.0.0.1'],
    ['plain http to a public host', 'http://public.test/hook', 'only https:// URLs are allowed'],
    ['another port of the allowed host', 'http://127.0.0.1:1/hook', '127.0.0.1 is not a public address'],
    ['credentials in the URL', 'https://user:pass@public.test/hook', 'credentials in the URL are not accepted'],
    ['another scheme', 'ftp://public.test/hook', 'scheme is not supported'],
    ['a name that does not resolve', 'https://nowhere.test/hook', 'nowhere.test does not resolve'],
    ['not a URL', 'not-a-url', 'not a valid URL'],
  ])('refuses %s with 422 at creation', async (_, url, reason) => {
    const res = await call('POST', '/api/webhooks', { url, events: ['job.failed'] });
    expect(res.status).toBe(422);
    expect(res.body.error.code).toBe('VALIDATION_FAILED');
    expect(res.body.error.message).toMatch(/^url .* refused: /);
    expect(res.body.error.message).toContain(reason);
    expect(res.body.error.details.problems[0]).toMatchObject({ path: '/url' });
    expect(JSON.stringify((await call('GET', '/api/webhooks')).body.items)).not.toContain(url);
  });

  it('accepts https to a public address, and one under a SHELF_NOTIFY_ALLOW prefix', async () => {
    const hook = await createWebhook({ url: 'https://public.test/hook', events: ['job.failed'] });
    await call('DELETE', `/api/webhooks/${hook.id}`);
    const allowed = await createWebhook({ url: `${receiver.base}/fine`, events: ['job.failed'] });
    await call('DELETE', `/api/webhooks/${allowed.id}`);
  });
});

describe('job callbacks', () => {
  it("send the job's own events alone, signed with the job's callback secret", async () => {
    // Through POST /api/jobs, as a CI pipeline submits: the 202 carries the secret, once.
    const submit = (callbackUrl: string) => call('POST', '/api/jobs', { itemId: 'hello', inputs: {}, callbackUrl });
    const submitted = await submit(`${receiver.base}/callback`);
    expect(submitted.status, JSON.stringify(submitted.body)).toBe(202);
    const { id: job, callbackSecret } = submitted.body as { id: string; callbackSecret: string };
    expect(callbackSecret).toMatch(/^cbsec_/);
    const other = await submit(`${receiver.base}/callback-other`);
    expect(other.body.callbackSecret).not.toBe(callbackSecret);
    expect((await call('GET', `/api/jobs/${job}`)).body.callbackSecret).toBeUndefined();

    await worker.run(job, 'SUCCEEDED');
    await worker.run(await newJob(), 'SUCCEEDED');
    await until(() => receiver.on('/callback').length === 1);
    await sleep(500);
    const got = receiver.on('/callback');
    expect(got).toHaveLength(1);
    expect(got[0]).toMatchObject({ event: 'job.succeeded' });
    expect(got[0]!.json.job).toMatchObject({ id: job, state: 'SUCCEEDED' });
    expect(verify(callbackSecret, got[0]!)).toBe(true);
    // The other process derives the same secret from the shared installation key.
    expect((await second.registerCallback(job, `${receiver.base}/callback`)).callbackSecret).toBe(callbackSecret);

    const audit = (await call('GET', '/api/audit?action=callback.delivery&pageSize=100')).body.items;
    expect(audit.some((e: { target: string; outcome: string }) => e.target.includes(job) && e.outcome === 'ok')).toBe(true);
  });

  it('refuse a URL the policy does not allow, before anything is stored', async () => {
    const before = (await call('GET', '/api/jobs?itemId=hello')).body.total;
    for (const url of ['http://169.254.169.254/latest/meta-data/', 'https://internal.test/cb', 'http://127.0.0.1:9/cb']) {
      const refused = await call('POST', '/api/jobs', { itemId: 'hello', inputs: {}, callbackUrl: url });
      expect(refused.status).toBe(422);
      expect(refused.body.error.message).toMatch(/^callbackUrl .* refused: .*not a public address/);
    }
    expect((await call('GET', '/api/jobs?itemId=hello')).body.total).toBe(before);
    const job = await newJob();
    await expect(api.notify!.registerCallback(job, 'https://internal.test/cb')).rejects.toMatchObject({ status: 422 });
    expect(await api.notify!.callbacks.get(job)).toBeUndefined();
  });
});

describe('DNS pinning', () => {
  it('connects to the checked address, whatever the name would resolve to now', async () => {
    const port = new URL(receiver.base).port;
    const result = await postDelivery({ target: { url: `http://pinned.invalid:${port}/pinned`, addresses: ['127.0.0.1'] }, event: 'job.failed', delivery: 'd-1', body: '{}', secret: 's' });
    expect(result).toMatchObject({ status: 200, ok: true });
    expect(receiver.on('/pinned')).toHaveLength(1);
  });
});
