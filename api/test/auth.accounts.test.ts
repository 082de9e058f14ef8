import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { asAdmin, startShelfApi, type ShelfApi } from './helpers/shelfApi.js';

// Local accounts, sessions, API tokens and the audit trail, through the real HTTP API and Redis.

let api: ShelfApi;
beforeAll(async () => {
  api = await startShelfApi({ auth: { loginMaxFailures: 3 } });
});
afterAll(async () => {
  await api?.close();
});

interface Answer {
  status: number;
  body: any;
  headers: Headers;
}

async function call(method: string, path: string, body?: unknown, headers: Record<string, string> = {}): Promise<Answer> {
  const res = await fetch(`${api.url}${path}`, {
    method,
    headers: { ...(body === undefined ? {} : { 'content-type': 'application/json' }), ...headers },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await res.text();
  return { status: res.status, body: text ? JSON.parse(text) : null, headers: res.headers };
}

let names = 0;
async function newUser(role: string, password = 'correct horse battery'): Promise<{ id: string; username: string; password: string }> {
  const username = `user${names++}-${role}`;
  const res = await call('POST', '/api/users', { username, password, role }, asAdmin);
  expect(res.status).toBe(201);
  return { id: res.body.id, username, password };
}

/** Signs in and returns the Cookie header a browser would send back. */
async function login(username: string, password: string): Promise<string> {
  const res = await call('POST', '/api/auth/login', { username, password });
  expect(res.status).toBe(200);
  return res.headers.get('set-cookie')!.split(';')[0]!;
}

describe('local accounts and sessions', () => {
  it('signs in with an HttpOnly, SameSite=Lax session cookie and answers /api/me', async () => {
    const u = await newUser('runner');
    const res = await call('POST', '/api/auth/login', { username: u.username, password: u.password });
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ username: u.username, role: 'runner', via: 'session' });
    const cookie = res.headers.get('set-cookie')!;
    expect(cookie).toMatch(/^shelf_session=[A-Za-z0-9_-]{40,};/);
    expect(cookie).toMatch(/HttpOnly/i);
    expect(cookie).toMatch(/SameSite=Lax/i);
    expect(cookie).not.toMatch(/Secure/i);
    const me = await call('GET', '/api/me', undefined, { cookie: cookie.split(';')[0]! });
    expect(me.body).toEqual({ id: u.id, username: u.username, role: 'runner', groups: [], via: 'session', notifyOnFinish: false });
  });

  it('answers one message for an unknown user and a wrong password', async () => {
    const u = await newUser('viewer');
    const wrong = await call('POST', '/api/auth/login', { username: u.username, password: 'not the password' });
    const unknown = await call('POST', '/api/auth/login', { username: 'nobody-here', password: 'not the password' });
    expect(wrong.status).toBe(401);
    expect(unknown.status).toBe(401);
    expect(wrong.body.error).toEqual(unknown.body.error);
    expect(wrong.body.error.code).toBe('UNAUTHENTICATED');
  });

  it('rotates the session at each login and kills it server-side at logout', async () => {
    const u = await newUser('viewer');
    const first = await login(u.username, u.password);
    const second = await login(u.username, u.password);
    expect(first).not.toBe(second);
    expect((await call('POST', '/api/auth/logout', undefined, { cookie: second, origin: api.url })).status).toBe(204);
    expect((await call('GET', '/api/me', undefined, { cookie: second })).status).toBe(401);
    // The other session is its own and lives on.
    expect((await call('GET', '/api/me', undefined, { cookie: first })).status).toBe(200);
  });

  it('refuses repeated failures with 429 and Retry-After, even with the right password', async () => {
    const u = await newUser('viewer');
    for (let i = 0; i < 3; i++) expect((await call('POST', '/api/auth/login', { username: u.username, password: 'guess number ' + i })).status).toBe(401);
    const blocked = await call('POST', '/api/auth/login', { username: u.username, password: u.password });
    expect(blocked.status).toBe(429);
    expect(blocked.body.error.code).toBe('RATE_LIMITED');
    expect(Number(blocked.headers.get('retry-after'))).toBeGreaterThan(0);
  });

  it('creates users with clear refusals: 409 for a taken name (any case), 422 for a short password', async () => {
    const u = await newUser('viewer');
    const taken = await call('POST', '/api/users', { username: u.username.toUpperCase(), password: 'long enough password', role: 'viewer' }, asAdmin);
    expect(taken.status).toBe(409);
    const short = await call('POST', '/api/users', { username: 'shorty', password: 'eleven char', role: 'viewer' }, asAdmin);
    expect(short.status).toBe(422);
    expect(short.body.error.details.problems[0]).toMatchObject({ path: '/password' });
  });

  it('a disabled user loses every session and token at once', async () => {
    const u = await newUser('runner');
    const cookie = await login(u.username, u.password);
    const { body: token } = await call('POST', '/api/tokens', { name: 'ci' }, { cookie, origin: api.url });
    expect((await call('GET', '/api/me', undefined, { authorization: `Bearer ${token.token}` })).status).toBe(200);
    expect((await call('PATCH', `/api/users/${u.id}`, { disabled: true }, asAdmin)).body).toMatchObject({ disabled: true });
    expect((await call('GET', '/api/me', undefined, { cookie })).status).toBe(401);
    expect((await call('GET', '/api/me', undefined, { authorization: `Bearer ${token.token}` })).status).toBe(401);
    expect((await call('POST', '/api/auth/login', { username: u.username, password: u.password })).status).toBe(401);
  });
});

describe('account creation', () => {
  it('is rate-limited per address: the 31st account within 15 minutes is refused with 429', async () => {
    const fresh = await startShelfApi({ jobs: false });
    try {
      const create = (i: number) =>
        fetch(`${fresh.url}/api/users`, { method: 'POST', headers: { 'content-type': 'application/json', ...asAdmin }, body: JSON.stringify({ username: `bulk${i}`, password: 'bulk account pw', role: 'viewer' }) });
      for (let i = 0; i < 30; i++) expect((await create(i)).status).toBe(201);
      const refused = await create(30);
      expect(refused.status).toBe(429);
      expect(refused.headers.get('retry-after')).toMatch(/^\d+$/);
    } finally {
      await fresh.close();
    }
  });
});

describe('first start', () => {
  it('the set-up link creates the first admin once, and only while no user exists', async () => {
    const fresh = await startShelfApi({ jobs: false });
    try {
      const link = await fresh.auth.firstStartLink();
      expect(link).toMatch(/\/setup\?token=[A-Za-z0-9_-]{20,}$/);
      expect((await fetch(`${fresh.url}/api/auth/config`).then((r) => r.json())) as unknown).toMatchObject({ setupPending: true, local: true });
      const token = new URL(link!).searchParams.get('token')!;
      const post = (t: string, username: string) =>
        fetch(`${fresh.url}/api/auth/setup`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ token: t, username, password: 'the very first admin' }) });
      expect((await post('wrong-token', 'mallory')).status).toBe(403);
      const ok = await post(token, 'ada');
      expect(ok.status).toBe(201);
      expect(await ok.json()).toMatchObject({ username: 'ada', role: 'admin' });
      expect((await post(token, 'eve')).status).toBe(403);
      expect(await fresh.auth.firstStartLink()).toBeUndefined();
    } finally {
      await fresh.close();
    }
  });
});

describe('API tokens', () => {
  it('shows the secret once, lists it without the secret, records its use and refuses it right after revoking', async () => {
    const u = await newUser('publisher');
    const cookie = await login(u.username, u.password);
    const created = await call('POST', '/api/tokens', { name: 'deploy bot', role: 'runner', expiresInDays: 30 }, { cookie, origin: api.url });
    expect(created.status).toBe(201);
    expect(created.body.token).toMatch(/^shelf_[A-Za-z0-9]{40}$/);
    expect(created.body).toMatchObject({ name: 'deploy bot', role: 'runner', owner: { username: u.username } });
    const bearer = { authorization: `Bearer ${created.body.token}` };
    expect((await call('GET', '/api/me', undefined, bearer)).body).toMatchObject({ username: u.username, role: 'runner', via: 'token' });
    const listed = await call('GET', '/api/tokens', undefined, { cookie });
    expect(JSON.stringify(listed.body)).not.toContain(created.body.token);
    expect(listed.body.items[0]).toMatchObject({ id: created.body.id, hint: created.body.token.slice(0, 10) + '…' });
    expect(listed.body.items[0].lastUsedAt).not.toBeNull();

    expect((await call('DELETE', `/api/tokens/${created.body.id}`, undefined, { cookie, origin: api.url })).status).toBe(204);
    expect((await call('GET', '/api/me', undefined, bearer)).status).toBe(401);
  });

  it("a token's role is at most its creator's", async () => {
    const u = await newUser('runner');
    const cookie = await login(u.username, u.password);
    const refused = await call('POST', '/api/tokens', { name: 'too much', role: 'publisher' }, { cookie, origin: api.url });
    expect(refused.status).toBe(403);
    const { body: runnerToken } = await call('POST', '/api/tokens', { name: 'ok' }, { cookie, origin: api.url });
    const viaToken = await call('POST', '/api/tokens', { name: 'escalate', role: 'publisher' }, { authorization: `Bearer ${runnerToken.token}` });
    expect(viaToken.status).toBe(403);
  });

  it('refuses an expired token', async () => {
    const u = await newUser('viewer');
    const created = await api.auth.tokens.create({ id: u.id, username: u.username }, { name: 'old', role: 'viewer', expiresInDays: 1 }, new Date(Date.now() - 2 * 86_400_000));
    expect((await call('GET', '/api/me', undefined, { authorization: `Bearer ${created.token}` })).status).toBe(401);
  });
});

describe('audit', () => {
  it('records sign-ins, refused sign-ins and token creation, newest first, filterable by actor and action', async () => {
    const u = await newUser('runner');
    await call('POST', '/api/auth/login', { username: u.username, password: 'wrong password!' });
    const cookie = await login(u.username, u.password);
    await call('POST', '/api/tokens', { name: 'audited' }, { cookie, origin: api.url });
    const mine = await call('GET', `/api/audit?actor=${u.username}`, undefined, asAdmin);
    expect(mine.body.items.map((e: any) => `${e.action}:${e.outcome}`)).toEqual(['token.create:ok', 'auth.login:ok', 'auth.login_failed:denied']);
    expect(mine.body.items[0]).toMatchObject({ actor: u.username, ip: expect.stringMatching(/127\.0\.0\.1/) });
    const failures = await call('GET', '/api/audit?action=auth.login_failed', undefined, asAdmin);
    expect(failures.body.items.every((e: any) => e.action === 'auth.login_failed')).toBe(true);
    expect((await call('GET', '/api/audit', undefined, { cookie })).status).toBe(403);
  });
});
