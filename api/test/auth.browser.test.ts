// Browser safety (SPEC §7) with a real Chromium: a signed-in visitor opens an attacker's page,
// which tries to act with the visitor's session cookie; and a rebound DNS name reaches Shelf.
// The attacker is on 127.0.0.1 too, another port: the same *site* as Shelf, so SameSite=Lax
// does not stop the cookie — only Shelf's Origin check does, which is what this file tests.
import { execFileSync } from 'node:child_process';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { chromium, type Browser, type BrowserContext, type Page, type Request } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { AuditEntry } from '@shelf/contract';
import { writeItem } from './catalogHarness.js';
import { TestSocket } from './helpers/jobsHarness.js';
import { asAdmin, startShelfApi, type ShelfApi } from './helpers/shelfApi.js';

const password = 'a long enough password';

let api: ShelfApi;
let browser: Browser;
let context: BrowserContext;
/** The visitor's tab: signed in to Shelf (as pat, a publisher, so a runner too). */
let page: Page;
let attacker: http.Server;
let attackerUrl: string;
/** What the attacker's server answers at /page; each test sets it. */
let attackerPage = '';
let bundle: Buffer;
const sockets: TestSocket[] = [];

async function call(method: string, p: string, headers: Record<string, string> = asAdmin, body?: unknown): Promise<{ status: number; body: any }> {
  const res = await fetch(`${api.url}${p}`, {
    method,
    headers: { ...(body === undefined ? {} : { 'content-type': 'application/json' }), ...headers },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await res.text();
  return { status: res.status, body: text ? JSON.parse(text) : null };
}

/** A request from a tab on Shelf's own origin, with the visitor's cookie: what Shelf's web app does. */
async function fromShelf(method: string, p: string, body?: unknown): Promise<{ status: number; body: any }> {
  return page.evaluate(
    async ({ method, p, body }) => {
      const res = await fetch(p, { method, headers: body === undefined ? {} : { 'content-type': 'application/json' }, body: body === undefined ? undefined : JSON.stringify(body) });
      const text = await res.text();
      return { status: res.status, body: text ? JSON.parse(text) : null };
    },
    { method, p, body },
  );
}

/**
 * Opens the attacker's page in the visitor's browser; resolves once its request to Shelf is
 * done: answered, or (no-cors) answered but hidden from the page by Cross-Origin-Resource-Policy.
 */
async function visitAttacker(html: string, target: string): Promise<void> {
  attackerPage = html;
  const done = new Promise<void>((resolve) => {
    const onDone = (r: Request) => {
      if (r.url() !== `${api.url}${target}`) return;
      context.off('requestfinished', onDone).off('requestfailed', onDone);
      resolve();
    };
    context.on('requestfinished', onDone).on('requestfailed', onDone);
  });
  await page.goto(`${attackerUrl}/page`);
  await done;
}

/** Shelf's own record of the refusals: the answer of a no-cors request never reaches the page. */
async function deniedCrossOrigin(): Promise<AuditEntry[]> {
  const res = await call('GET', '/api/audit?actor=pat&action=request.cross_origin');
  return res.body.items;
}

/** The refusal the attack just caused, once it is in the audit log (written as the answer is sent). */
async function newRefusal(before: number): Promise<AuditEntry> {
  await expect.poll(async () => (await deniedCrossOrigin()).length).toBe(before + 1);
  return (await deniedCrossOrigin())[0]!;
}

const refusal = { actor: 'pat', action: 'request.cross_origin', outcome: 'denied', detail: '403', ip: '127.0.0.1' };

/** The attacker's page: a script that runs at once (it cannot read Shelf's answer either way). */
const attackScript = (body: string) => `<script>(async () => { ${body} })()</script>`;

async function userWithCookie(username: string, role: string): Promise<string> {
  expect((await call('POST', '/api/users', asAdmin, { username, password, role })).status).toBe(201);
  const login = await fetch(`${api.url}/api/auth/login`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ username, password }) });
  return login.headers.get('set-cookie')!.split(';')[0]!;
}

async function socket(credentials: Record<string, string>, headers: Record<string, string> = {}): Promise<TestSocket> {
  const s = await TestSocket.open(api.wsUrl, { headers }, credentials);
  sockets.push(s);
  return s;
}

/** A raw request with any Host header, which fetch would not let us set. */
function withHost(host: string, p: string): Promise<number> {
  return new Promise((resolve, reject) => {
    const { port } = api.server.address() as AddressInfo;
    const req = http.request({ host: '127.0.0.1', port, path: p, headers: { host, ...asAdmin } }, (res) => {
      res.resume();
      resolve(res.statusCode!);
    });
    req.on('error', reject).end();
  });
}

beforeAll(async () => {
  api = await startShelfApi();
  const hello = await writeItem(path.join(api.root, 'hello'), { id: 'hello' });
  expect((await call('POST', '/api/catalog/local/import', asAdmin, { path: hello })).status).toBe(201);
  expect((await call('POST', '/api/users', asAdmin, { username: 'pat', password, role: 'publisher' })).status).toBe(201);
  const sneaky = await writeItem(path.join(api.tmp, 'sneaky'), { id: 'sneaky-item' });
  bundle = execFileSync('tar', ['-czf', '-', '-C', sneaky, '.']);

  attacker = http.createServer((req, res) => {
    if (req.url === '/bundle.tgz') return void res.writeHead(200, { 'content-type': 'application/gzip' }).end(bundle);
    res.writeHead(200, { 'content-type': 'text/html' }).end(attackerPage);
  });
  await new Promise<void>((resolve) => attacker.listen(0, '127.0.0.1', resolve));
  attackerUrl = `http://127.0.0.1:${(attacker.address() as AddressInfo).port}`;

  browser = await chromium.launch({
    executablePath: '/usr/bin/chromium',
    // evil.example resolves to this machine, as a rebound DNS name would.
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--host-resolver-rules=MAP evil.example 127.0.0.1'],
  });
  context = await browser.newContext();
  page = await context.newPage();
  await page.goto(`${api.url}/healthz`);
  expect((await fromShelf('POST', '/api/auth/login', { username: 'pat', password })).status).toBe(200);
  expect((await fromShelf('GET', '/api/me')).body).toMatchObject({ username: 'pat', via: 'session' });
}, 60_000);
afterAll(async () => {
  await Promise.all(sockets.map((s) => s.close()));
  await context?.close();
  await browser?.close();
  await new Promise((resolve) => attacker?.close(resolve));
  await api?.close();
});

describe('cross-site requests with the visitor’s cookie are refused', { timeout: 30_000 }, () => {
  let jobId: string;
  let jobsBefore: number;

  beforeAll(async () => {
    await page.goto(`${api.url}/healthz`);
    const submitted = await fromShelf('POST', '/api/jobs', { itemId: 'hello', inputs: {} });
    expect(submitted.status).toBe(202);
    jobId = submitted.body.id;
    jobsBefore = (await call('GET', '/api/jobs')).body.total;
  });

  it('(a) an auto-submitted form POST to cancel a job (no body at all)', async () => {
    const target = `/api/jobs/${jobId}/cancel`;
    const answer = page.waitForResponse(`${api.url}${target}`);
    await visitAttacker(`<form method="POST" action="${api.url}${target}"></form><script>document.forms[0].submit()</script>`, target);
    expect((await answer).status()).toBe(403);
    expect(await (await answer).json()).toMatchObject({ error: { code: 'FORBIDDEN', message: expect.stringMatching(/^cross-site request refused/) } });
    expect(await newRefusal(0)).toMatchObject(refusal);
    expect((await call('GET', `/api/jobs/${jobId}`)).body.state).toBe('QUEUED');
  });

  it('(b) a no-cors multipart upload of a valid bundle', async () => {
    const target = '/api/catalog/bundle/upload';
    const importsBefore = (await call('GET', '/api/catalog/imports')).body.items.length;
    await visitAttacker(
      attackScript(`const form = new FormData();
        form.append('bundle', await (await fetch('/bundle.tgz')).blob(), 'item.tar.gz');
        await fetch('${api.url}${target}', { method: 'POST', mode: 'no-cors', credentials: 'include', body: form })`),
      target,
    );
    expect(await newRefusal(1)).toMatchObject(refusal);
    expect((await call('GET', '/api/catalog/sneaky-item/versions')).status).toBe(404);
    expect((await call('GET', '/api/catalog')).body.items.map((i: { id: string }) => i.id)).toEqual(['hello']);
    expect((await call('GET', '/api/catalog/imports')).body.items).toHaveLength(importsBefore);
  });

  it('(c) a no-cors text/plain POST carrying a JSON job submission', async () => {
    await visitAttacker(
      attackScript(`await fetch('${api.url}/api/jobs', { method: 'POST', mode: 'no-cors', credentials: 'include',
        headers: { 'content-type': 'text/plain' }, body: JSON.stringify({ itemId: 'hello', inputs: {} }) })`),
      '/api/jobs',
    );
    expect(await newRefusal(2)).toMatchObject(refusal);
    expect((await call('GET', '/api/jobs')).body.total).toBe(jobsBefore);
  });

  it('lets the same requests through from Shelf’s own pages', async () => {
    await page.goto(`${api.url}/healthz`);
    expect((await fromShelf('POST', '/api/jobs', { itemId: 'hello', inputs: {} })).status).toBe(202);
    const uploaded = await page.evaluate(async (b64) => {
      const form = new FormData();
      form.append('bundle', new Blob([Uint8Array.from(atob(b64), (c) => c.charCodeAt(0))]), 'item.tar.gz');
      return (await fetch('/api/catalog/bundle/upload', { method: 'POST', body: form })).status;
    }, bundle.toString('base64'));
    expect(uploaded).toBe(201);
    expect((await fromShelf('POST', `/api/jobs/${jobId}/cancel`)).body.state).toBe('CANCELLED');
    expect(await deniedCrossOrigin()).toHaveLength(3);
  });
});

describe('DNS rebinding: a Host that is not Shelf’s is refused', () => {
  it.each(['/api/me', '/api/auth/config', '/metrics', '/no-such-page'])('%s with Host evil.example:1234 → 400', async (p) => {
    expect(await withHost('evil.example:1234', p)).toBe(400);
  });

  it.each(['/healthz', '/readyz'])('%s answers whatever the Host (orchestrators probe by address)', async (p) => {
    expect(await withHost('evil.example:1234', p)).toBe(200);
    expect(await withHost('10.1.2.3:8080', p)).toBe(200);
  });

  it('refuses Chromium reaching Shelf through a name that resolves to it', async () => {
    const { port } = api.server.address() as AddressInfo;
    const res = await page.goto(`http://evil.example:${port}/api/auth/config`);
    expect(res?.status()).toBe(400);
    expect(await res?.json()).toMatchObject({ error: { code: 'BAD_REQUEST' } });
  });
});

describe('/ws/jobs', { timeout: 30_000 }, () => {
  let cookie: string;
  beforeAll(async () => {
    cookie = (await context.cookies(api.url)).map((c) => `${c.name}=${c.value}`).join('; ');
  });

  it('refuses a foreign Origin even with a valid cookie (403), and no credentials (401)', async () => {
    await expect(socket({ cookie }, { origin: 'http://evil.example' })).rejects.toThrow('Unexpected server response: 403');
    await expect(socket({ cookie }, { origin: attackerUrl })).rejects.toThrow('Unexpected server response: 403');
    await expect(socket({}, { origin: api.url })).rejects.toThrow('Unexpected server response: 401');
    await expect(socket(asAdmin, { host: 'evil.example:1234' })).rejects.toThrow('Unexpected server response: 400');
    await expect
      .poll(async () => ((await call('GET', '/api/audit?action=ws.connect')).body.items as AuditEntry[]).map((e) => e.detail?.split(';')[0]))
      .toEqual(['400 Bad Request', '401 Unauthorized', '403 Forbidden', '403 Forbidden']);
  });

  it('opens with the session cookie from Shelf’s own origin, in Node and in Chromium', async () => {
    const s = await socket({ cookie }, { origin: api.url });
    expect(s.ws.readyState).toBe(s.ws.OPEN);
    await page.goto(`${api.url}/healthz`);
    const opened = (url: string) =>
      page.evaluate(
        (u) => new Promise<string>((resolve) => Object.assign(new WebSocket(u), { onopen: () => resolve('open'), onerror: () => resolve('refused') })),
        url,
      );
    expect(await opened(api.wsUrl)).toBe('open');
    await page.goto(`${attackerUrl}/page`);
    expect(await opened(api.wsUrl)).toBe('refused');
  });

  it("delivers a runner's own job events, not another user's", async () => {
    const rita = await userWithCookie('rita', 'runner');
    const ritas = await socket({ cookie: rita }, { origin: api.url });
    const admins = await socket(asAdmin);
    const other = await call('POST', '/api/jobs', asAdmin, { itemId: 'hello', inputs: {} });
    const own = await call('POST', '/api/jobs', { cookie: rita, origin: api.url }, { itemId: 'hello', inputs: {} });
    expect([other.status, own.status]).toEqual([202, 202]);
    // The admin's socket sees both, in order: by the time rita has her own, the other one was sent.
    await admins.next((m) => m.type === 'job' && m.job.id === other.body.id);
    await admins.next((m) => m.type === 'job' && m.job.id === own.body.id);
    await ritas.next((m) => m.type === 'job' && m.job.id === own.body.id);
    expect(ritas.messages.filter((m) => m.type === 'job').map((m) => m.type === 'job' && m.job.id)).toEqual([own.body.id]);
  });
});
