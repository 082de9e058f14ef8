import net from 'node:net';
import path from 'node:path';
import { simpleParser, type ParsedMail } from 'mailparser';
import { SMTPServer } from 'smtp-server';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { JobSummary } from '@shelf/contract';
import { writeItem } from './catalogHarness.js';
import { apiClient } from './helpers/apiClient.js';
import { FakeWorker } from './helpers/fakeWorker.js';
import { startShelfApi, type ShelfApi } from './helpers/shelfApi.js';
import { until } from './helpers/webhookReceiver.js';

// Real parts: an SMTP server in the test process, every mail parsed back with mailparser; the
// API's notifier sending through nodemailer; real users and job records. The approval states are
// simulated by publishing their summaries on the job events channel, exactly as the job records'
// scripts publish them (the notifier reads nothing else), so this suite does not depend on how
// the approvals are decided.

const publicUrl = 'https://shelf.example.test';
const password = 'a long enough password';
const itemName = 'Hello <script>alert(1)</script> & co';

/** An SMTP server that keeps every mail it accepts, parsed. */
async function startSmtp(port = 0) {
  const mails: ParsedMail[] = [];
  const server = new SMTPServer({
    authOptional: true,
    disabledCommands: ['STARTTLS'],
    logger: false,
    onData(stream, _session, callback) {
      simpleParser(stream).then(
        (mail) => {
          mails.push(mail);
          callback();
        },
        (err: Error) => callback(err),
      );
    },
  });
  await new Promise<void>((resolve) => server.listen(port, '127.0.0.1', resolve));
  const address = server.server.address() as net.AddressInfo;
  return { port: address.port, mails, to: (who: string) => mails.filter((m) => addressOf(m) === who), close: () => new Promise<void>((resolve) => server.close(() => resolve())) };
}

function addressOf(mail: ParsedMail): string | undefined {
  const to = Array.isArray(mail.to) ? mail.to[0] : mail.to;
  return to?.value[0]?.address;
}

/** A port nothing listens on (yet). */
async function freePort(): Promise<number> {
  const probe = net.createServer();
  await new Promise<void>((resolve) => probe.listen(0, '127.0.0.1', resolve));
  const { port } = probe.address() as net.AddressInfo;
  await new Promise<void>((resolve) => probe.close(() => resolve()));
  return port;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

interface World {
  api: ShelfApi;
  call: ReturnType<typeof apiClient>['call'];
  worker: FakeWorker;
  digest: string;
  users: Record<string, { id: string; headers: Record<string, string> }>;
}

async function startWorld(smtpPort: number): Promise<World> {
  const api = await startShelfApi({
    notify: { mail: { smtpUrl: `smtp://127.0.0.1:${smtpPort}`, from: 'Shelf <shelf@example.test>' }, publicUrl, jobEventDelayMs: 0, queue: { backoffMs: 200, attempts: 8 } },
  });
  const { call } = apiClient(api.url);
  const imported = await call('POST', '/api/catalog/local/import', { path: await writeItem(path.join(api.root, 'hello'), { name: itemName }) });
  expect(imported.status).toBe(201);
  return { api, call, worker: new FakeWorker(api.redis, api.catalog.keys), digest: imported.body.digest, users: {} };
}

/** A local user, with an e-mail address or not, in OIDC groups (stored on the user as an OIDC login does). */
async function addUser(w: World, username: string, role: string, opts: { email?: boolean; groups?: string[]; disabled?: boolean } = {}) {
  const created = await w.call('POST', '/api/users', { username, password, role, ...(opts.email === false ? {} : { email: `${username}@example.test` }) });
  expect(created.status).toBe(201);
  if (opts.groups) await w.api.auth.users.update(created.body.id, { groups: opts.groups });
  const login = await fetch(`${w.api.url}/api/auth/login`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ username, password }) });
  const cookie = login.headers.get('set-cookie')!.split(';')[0]!;
  const token = await w.call('POST', '/api/tokens', { name: 'test' }, { cookie, origin: w.api.url });
  if (opts.disabled) expect((await w.call('PATCH', `/api/users/${created.body.id}`, { disabled: true })).status).toBe(200);
  w.users[username] = { id: created.body.id, headers: { authorization: `Bearer ${token.body.token}` } };
}

async function jobOf(w: World, username: string): Promise<JobSummary> {
  return w.api.jobs!.records.create({
    itemId: 'hello',
    itemName,
    version: '1.0.0',
    digest: w.digest,
    inputs: {},
    limits: { memoryBytes: 1 << 20, cpus: 1, pids: 16, timeoutSeconds: 60 },
    submittedBy: { id: w.users[username]!.id, username },
  });
}

const approval = (approved = 0) => ({ approvers: ['group:dba', 'user:bob'], minApprovals: 2, timeout: '24h', deadline: '2031-01-02T03:04:05.000Z', approved });

async function publish(w: World, summary: JobSummary): Promise<void> {
  await w.api.redis.publish(w.api.catalog.keys.jobEventsChannel, JSON.stringify(summary));
}

describe('e-mail', () => {
  let smtp: Awaited<ReturnType<typeof startSmtp>>;
  let w: World;

  beforeAll(async () => {
    smtp = await startSmtp();
    w = await startWorld(smtp.port);
    await addUser(w, 'alice', 'runner', { groups: ['dba'] }); // the submitter: never asked to approve her own job
    await addUser(w, 'dana', 'runner', { groups: ['dba'] });
    await addUser(w, 'bob', 'publisher');
    await addUser(w, 'erin', 'runner', { groups: ['dba'], email: false });
    await addUser(w, 'frank', 'runner', { groups: ['ops'] });
    await addUser(w, 'gina', 'viewer', { groups: ['dba'] }); // read-only: approvers are runners
    await addUser(w, 'hal', 'runner', { groups: ['dba'], disabled: true });
  });
  afterAll(async () => {
    await w?.api.close();
    await smtp?.close();
  });

  it('asks each approver with an address, once, with a link to the job', async () => {
    const job = await jobOf(w, 'alice');
    // Published twice: a state change heard again is not mailed again.
    for (let i = 0; i < 2; i++) await publish(w, { ...job, state: 'AWAITING_APPROVAL', approval: approval() });

    await until(() => smtp.mails.length >= 2, 10_000, 'two mails');
    await sleep(700);
    expect(smtp.mails.map(addressOf).sort()).toEqual(['bob@example.test', 'dana@example.test']);
    const mail = smtp.to('dana@example.test')[0]!;
    expect(mail.from?.value[0]).toMatchObject({ name: 'Shelf', address: 'shelf@example.test' });
    expect(mail.subject).toBe(`Approval needed: ${itemName} 1.0.0 for alice`);
    const link = `${publicUrl}/jobs/${job.id}`;
    expect(mail.text).toContain('Hello dana,');
    expect(mail.text).toContain(`alice asked to run ${itemName} 1.0.0 (item hello).`);
    expect(mail.text).toContain('It runs once 2 approvers say yes; one rejection stops it.');
    expect(mail.text).toContain(`Review the request: ${link}`);
    const html = String(mail.html);
    expect(html).toContain(`href="${link}"`);
    expect(html).toContain('Hello &lt;script&gt;alert(1)&lt;/script&gt; &amp; co');
    expect(html).not.toContain('<script>');
    expect(html).not.toMatch(/<img|src=|url\(/i);
    expect(html).toContain('name="viewport"');
    expect(mail.attachments).toHaveLength(0);

    const audit = (await w.call('GET', '/api/audit?action=mail.delivery&pageSize=50')).body.items;
    expect(audit.filter((e: { outcome: string }) => e.outcome === 'ok')).toHaveLength(2);
  });

  it('tells the submitter of each decision and of an expiry', async () => {
    smtp.mails.length = 0;
    const [approved, rejected, expired] = [await jobOf(w, 'alice'), await jobOf(w, 'alice'), await jobOf(w, 'alice')];
    await publish(w, { ...approved, state: 'QUEUED', approval: approval(2) });
    await publish(w, { ...rejected, state: 'REJECTED', approval: approval(), error: { code: 'REJECTED', message: 'rejected by dana' } } as JobSummary);
    await publish(w, { ...expired, state: 'EXPIRED', approval: approval(), error: { code: 'EXPIRED', message: 'not approved in time' } } as JobSummary);

    await until(() => smtp.mails.length >= 3, 10_000, 'three mails');
    await sleep(500);
    expect(smtp.mails.map(addressOf)).toEqual(['alice@example.test', 'alice@example.test', 'alice@example.test']);
    const subjects = smtp.mails.map((m) => m.subject).sort();
    expect(subjects).toEqual([`Approved: ${itemName} 1.0.0`, `Expired: ${itemName} 1.0.0`, `Rejected: ${itemName} 1.0.0`]);
    expect(smtp.mails.find((m) => m.subject?.startsWith('Rejected'))!.text).toContain(`${publicUrl}/jobs/${rejected.id}`);
  });

  it('tells the submitter of the end of a job only when they asked for it', async () => {
    smtp.mails.length = 0;
    const before = await jobOf(w, 'alice');
    await w.worker.run(before.id, 'SUCCEEDED');

    const me = await w.call('PATCH', '/api/me', { notifyOnFinish: true }, w.users.alice!.headers);
    expect(me.status).toBe(200);
    expect(me.body).toMatchObject({ username: 'alice', notifyOnFinish: true });
    expect((await w.call('GET', '/api/me', undefined, w.users.alice!.headers)).body.notifyOnFinish).toBe(true);
    expect((await w.call('PATCH', '/api/me', { notifyOnFinish: 'yes' }, w.users.alice!.headers)).status).toBe(400);

    const after = await jobOf(w, 'alice');
    await w.worker.run(after.id, 'FAILED');
    await until(() => smtp.mails.length >= 1, 10_000, 'the mail about the failure');
    await sleep(500);
    expect(smtp.mails).toHaveLength(1);
    expect(smtp.mails[0]!.subject).toBe(`Failed: ${itemName} 1.0.0`);
    expect(smtp.mails[0]!.text).toContain(`Your job ${after.id} of ${itemName} 1.0.0 failed: exited with 1`);
  });
});

describe('e-mail while the SMTP server is down', () => {
  it('blocks nothing: the job goes on, and the mail is sent once the server is back', async () => {
    const port = await freePort();
    const w = await startWorld(port);
    let smtp: Awaited<ReturnType<typeof startSmtp>> | undefined;
    try {
      await addUser(w, 'alice', 'runner');
      await w.call('PATCH', '/api/me', { notifyOnFinish: true }, w.users.alice!.headers);

      const job = await jobOf(w, 'alice');
      await publish(w, { ...job, state: 'QUEUED', approval: approval(2) });
      // The job flow does not wait on mail: it runs to its end while no mail can be sent.
      await w.worker.run(job.id, 'SUCCEEDED');
      expect((await w.api.jobs!.records.summary(job.id))!.state).toBe('SUCCEEDED');
      await until(async () => (await w.call('GET', '/api/audit?action=mail.delivery&outcome=failed')).body.total >= 2, 10_000, 'failed attempts');

      smtp = await startSmtp(port);
      const mails = smtp;
      await until(() => mails.mails.length >= 2, 15_000, 'the mails after the server came back');
      expect(mails.mails.map((m) => m.subject).sort()).toEqual([`Approved: ${itemName} 1.0.0`, `Succeeded: ${itemName} 1.0.0`]);
      const audit = (await w.call('GET', '/api/audit?action=mail.delivery&pageSize=100')).body.items;
      expect(audit.some((e: { outcome: string; detail: string }) => e.outcome === 'failed' && /ECONNREFUSED/.test(e.detail))).toBe(true);
      expect(audit.filter((e: { outcome: string }) => e.outcome === 'ok')).toHaveLength(2);
    } finally {
      await w.api.close();
      await smtp?.close();
    }
  }, 30_000);
});
