// OIDC single sign-on end to end: a real OpenID Provider (oidc-provider) in this process, the real
// Shelf API on real Redis, and real Chromium clicking through the provider's login form.
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { chromium, type Browser, type BrowserContext, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { AuditEntry, Me } from '@shelf/contract';
import { parseRoleMap, type OidcSettings } from '../src/auth/authSettings.js';
import { createOidcLogin, oidcCallbackPath } from '../src/auth/oidcLogin.js';
import { groupsScope, startOidcProvider, type OidcProvider } from './fixtures/oidcProvider.js';
import { asAdmin, startShelfApi, type ShelfApi } from './helpers/shelfApi.js';

const clientId = 'shelf-test';
const clientSecret = 'test-client-secret-0123456789abcdef';

interface Sso {
  api: ShelfApi;
  idp: OidcProvider;
  close: () => Promise<void>;
}

/** A free loopback port: the provider must know Shelf's redirect URI before Shelf starts. */
async function freePort(): Promise<number> {
  const probe = http.createServer();
  await new Promise<void>((resolve) => probe.listen(0, '127.0.0.1', resolve));
  const { port } = probe.address() as AddressInfo;
  await new Promise<void>((resolve) => probe.close(() => resolve()));
  return port;
}

async function startSso(roles: string, claimsInIdToken = true): Promise<Sso> {
  const port = await freePort();
  const publicUrl = `http://127.0.0.1:${port}`;
  const idp = await startOidcProvider({ clientId, clientSecret, redirectUri: `${publicUrl}${oidcCallbackPath}`, claimsInIdToken });
  const oidc: OidcSettings = { issuer: idp.issuer, clientId, clientSecret, label: 'Test IdP', scopes: groupsScope, groupsClaim: 'groups', roleMap: parseRoleMap(roles) };
  const api = await startShelfApi({ port, jobs: false, auth: { publicUrl, oidc }, createOidc: (deps) => createOidcLogin(oidc, deps) });
  return { api, idp, close: async () => (await api.close(), await idp.close()) };
}

let browser: Browser;
const contexts: BrowserContext[] = [];

/** A fresh browser profile: no Shelf session, no provider session. */
async function newPage(): Promise<Page> {
  const context = await browser.newContext();
  contexts.push(context);
  return context.newPage();
}

/** Starts a sign-in at Shelf and signs in at the provider's form; resolves once the browser is back at Shelf (or wherever it was sent). */
async function signIn(page: Page, sso: Sso, login: string, returnTo = '/catalog?tab=mine'): Promise<void> {
  await page.goto(`${sso.api.url}/api/auth/oidc/login?returnTo=${encodeURIComponent(returnTo)}`, { waitUntil: 'commit' });
  await page.waitForURL(`${sso.idp.issuer}/interaction/**`, { waitUntil: 'domcontentloaded' });
  await page.fill('input[name=login]', login);
  await page.fill('input[name=password]', 'any password works at the dev form');
  await Promise.all([page.waitForURL(`${sso.api.url}/**`, { waitUntil: 'commit' }), page.click('button[type=submit]')]);
  await page.waitForURL((url) => !url.pathname.startsWith('/api/auth/oidc/'), { waitUntil: 'commit' });
}

/**
 * Signs in but stops the browser at the provider's redirect: the callback URL it would have
 * opened, unused. Through CDP, as Playwright's routes do not see the hops of a redirect.
 */
async function callbackUrlOf(page: Page, sso: Sso, login?: string): Promise<string> {
  const cdp = await page.context().newCDPSession(page);
  let seen = '';
  cdp.on('Fetch.requestPaused', (paused) => {
    seen = paused.request.url;
    void cdp.send('Fetch.failRequest', { requestId: paused.requestId, errorReason: 'Aborted' });
  });
  await cdp.send('Fetch.enable', { patterns: [{ urlPattern: `${sso.api.url}${oidcCallbackPath}?*` }] });
  if (login) await signIn(page, sso, login).catch(() => undefined);
  else await page.goto(`${sso.api.url}/api/auth/oidc/login`).catch(() => undefined);
  await expect.poll(() => seen).not.toBe('');
  await cdp.detach();
  return seen;
}

/** GET /api/me with the browser's cookies (Shelf's 404 pages forbid scripts, so not from inside the page). */
async function meIn(page: Page): Promise<{ status: number; body: Me }> {
  const res = await page.request.get(new URL('/api/me', page.url()).href);
  return { status: res.status(), body: (await res.json()) as Me };
}

/** The sentence Shelf sent the browser to the login page with. */
function loginError(page: Page): string | null {
  const url = new URL(page.url());
  return url.pathname === '/login' ? url.searchParams.get('error') : null;
}

async function audit(sso: Sso, action: string): Promise<AuditEntry[]> {
  const res = await fetch(`${sso.api.url}/api/audit?action=${action}`, { headers: asAdmin });
  return ((await res.json()) as { items: AuditEntry[] }).items;
}

beforeAll(async () => {
  browser = await chromium.launch({
    executablePath: '/usr/bin/chromium',
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
  });
});
afterAll(async () => {
  await Promise.all(contexts.map((c) => c.close()));
  await browser?.close();
});

describe('OIDC sign-in with SHELF_OIDC_ROLES admin=platform-admins;publisher=platform;runner=*', { timeout: 60_000 }, () => {
  let sso: Sso;
  beforeAll(async () => {
    sso = await startSso('admin=platform-admins;publisher=platform;runner=*');
  });
  afterAll(async () => sso?.close());

  it('signs alice in as admin and sends her to returnTo, with a session', async () => {
    const page = await newPage();
    await signIn(page, sso, 'alice');
    expect(page.url()).toBe(`${sso.api.url}/catalog?tab=mine`);
    const me = await meIn(page);
    expect(me.status).toBe(200);
    expect(me.body).toMatchObject({ username: 'alice', email: 'alice@example.test', name: 'Alice Admin', role: 'admin', groups: ['platform-admins'], via: 'session' });
    expect((await sso.api.auth.users.bySubject(`${sso.idp.issuer}|alice`))?.source).toBe('oidc');
    // Once: the OIDC routes write it, the audit middleware must not add a second one.
    const logins = (await audit(sso, 'auth.login')).filter((e) => e.actor === 'alice');
    expect(logins).toHaveLength(1);
    expect(logins[0]).toMatchObject({ action: 'auth.login', outcome: 'ok' });
  });

  it('gives bob publisher and carol (in no group) runner through `*`', async () => {
    for (const [login, role] of [['bob', 'publisher'], ['carol', 'runner']] as const) {
      const page = await newPage();
      await signIn(page, sso, login, '/');
      expect((await meIn(page)).body).toMatchObject({ username: login, role });
    }
  });

  it('never sends the browser off-site: a returnTo that is not a same-site path becomes /', async () => {
    // The other shapes of off-site paths are covered by oidcLogin.test.ts.
    const page = await newPage();
    await signIn(page, sso, 'bob', '//evil.example/x');
    expect(page.url()).toBe(`${sso.api.url}/`);
  });

  it('refuses a tampered state without a session, and the genuine answer still works', async () => {
    const page = await newPage();
    const genuine = await callbackUrlOf(page, sso, 'alice');
    const tampered = new URL(genuine);
    tampered.searchParams.set('state', `${tampered.searchParams.get('state')!.slice(0, -2)}xx`);
    await page.goto(tampered.href, { waitUntil: 'commit' });
    expect(loginError(page)).toMatch(/unknown, expired .* or already used/);
    expect((await meIn(page)).status).toBe(401);
    await page.goto(genuine, { waitUntil: 'commit' });
    expect(loginError(page)).toBeNull();
    expect((await meIn(page)).body.username).toBe('alice');
  });

  it('refuses a replayed callback URL', async () => {
    const page = await newPage();
    const callback = await callbackUrlOf(page, sso, 'bob');
    await page.goto(callback, { waitUntil: 'commit' });
    expect((await meIn(page)).body.username).toBe('bob');
    const other = await newPage();
    await other.goto(callback, { waitUntil: 'commit' });
    expect(loginError(other)).toMatch(/already used/);
    expect((await meIn(other)).status).toBe(401);
    const failures = await audit(sso, 'auth.login_failed');
    expect(failures.some((e) => e.outcome === 'denied' && e.detail?.includes('already used'))).toBe(true);
  });

  it('refuses a code issued to another sign-in (the provider answers invalid_grant)', async () => {
    const page = await newPage();
    const first = new URL(await callbackUrlOf(page, sso, 'alice'));
    // The provider remembers alice now: the second sign-in comes straight back with a new code and state.
    const second = new URL(await callbackUrlOf(page, sso));
    second.searchParams.set('code', first.searchParams.get('code')!);
    await page.goto(second.href, { waitUntil: 'commit' });
    expect(loginError(page)).toMatch(/did not accept the sign-in code/);
    expect((await meIn(page)).status).toBe(401);
  });

  it('refuses to finish in another browser a sign-in started in this one', async () => {
    const callback = await callbackUrlOf(await newPage(), sso, 'alice');
    const elsewhere = await newPage();
    await elsewhere.goto(callback, { waitUntil: 'commit' });
    expect(loginError(elsewhere)).toMatch(/started in another browser/);
    expect((await meIn(elsewhere)).status).toBe(401);
  });

  it('reports a sign-in cancelled at the provider (access_denied)', async () => {
    const page = await newPage();
    await page.goto(`${sso.api.url}/api/auth/oidc/login`, { waitUntil: 'commit' });
    await page.waitForURL(`${sso.idp.issuer}/interaction/**`, { waitUntil: 'domcontentloaded' });
    await Promise.all([page.waitForURL(`${sso.api.url}/login?**`, { waitUntil: 'commit' }), page.click('text=[ Cancel ]')]);
    expect(loginError(page)).toMatch(/cancelled or refused at the provider/);
    expect((await meIn(page)).status).toBe(401);
  });

  it('ends the session at logout: the same cookie gets 401 afterwards', async () => {
    const page = await newPage();
    await signIn(page, sso, 'bob');
    const cookie = (await page.context().cookies(sso.api.url)).map((c) => `${c.name}=${c.value}`).join('; ');
    expect((await fetch(`${sso.api.url}/api/me`, { headers: { cookie } })).status).toBe(200);
    const logout = await page.request.post(`${sso.api.url}/api/auth/logout`, { headers: { origin: sso.api.url } });
    expect(logout.status()).toBe(204);
    expect((await fetch(`${sso.api.url}/api/me`, { headers: { cookie } })).status).toBe(401);
  });

  it('keeps a local account apart from a provider account of the same name', async () => {
    const created = await fetch(`${sso.api.url}/api/users`, {
      method: 'POST',
      headers: { ...asAdmin, 'content-type': 'application/json' },
      body: JSON.stringify({ username: 'dave', password: 'a local password', role: 'viewer' }),
    });
    expect(created.status).toBe(201);
    const page = await newPage();
    await signIn(page, sso, 'dave');
    const me = (await meIn(page)).body;
    expect(me.username).toMatch(/^dave-[0-9a-f]{6}$/);
    expect(me.role).toBe('publisher');
    // The next sign-in finds the same user by its subject, not by name.
    const again = await newPage();
    await signIn(again, sso, 'dave');
    expect((await meIn(again)).body).toMatchObject({ id: me.id, username: me.username });
  });

  it('refuses a user an administrator disabled', async () => {
    const page = await newPage();
    await signIn(page, sso, 'carol');
    const { id } = (await meIn(page)).body;
    const patched = await fetch(`${sso.api.url}/api/users/${id}`, { method: 'PATCH', headers: { ...asAdmin, 'content-type': 'application/json' }, body: '{"disabled":true}' });
    expect(patched.status).toBe(200);
    const again = await newPage();
    await signIn(again, sso, 'carol');
    expect(loginError(again)).toMatch(/carol is disabled/);
    expect((await meIn(again)).status).toBe(401);
  });
});

describe('OIDC sign-in with SHELF_OIDC_ROLES admin=platform-admins;publisher=platform (no `*`)', { timeout: 60_000 }, () => {
  let sso: Sso;
  beforeAll(async () => {
    sso = await startSso('admin=platform-admins;publisher=platform');
  });
  afterAll(async () => sso?.close());

  it('refuses carol, who is in no mapped group, with a sentence saying so', async () => {
    const page = await newPage();
    await signIn(page, sso, 'carol');
    expect(loginError(page)).toBe('the account carol has no Shelf role: it is in no group, which is not mapped to a role in SHELF_OIDC_ROLES; ask a Shelf administrator');
    expect((await meIn(page)).status).toBe(401);
    const failure = (await audit(sso, 'auth.login_failed')).find((e) => e.actor === 'carol');
    expect(failure).toMatchObject({ outcome: 'denied' });
    expect(failure?.detail).toMatch(/no Shelf role/);
  });

  it('names the groups it saw when none of them is mapped', async () => {
    const page = await newPage();
    await signIn(page, sso, 'erin');
    expect(loginError(page)).toMatch(/the account erin has no Shelf role: its groups \(contractors, interns\) are not mapped/);
  });
});

describe('OIDC sign-in with a provider that sends groups in userinfo only', { timeout: 60_000 }, () => {
  let sso: Sso;
  beforeAll(async () => {
    sso = await startSso('admin=platform-admins;publisher=platform', false);
  });
  afterAll(async () => sso?.close());

  it('reads the groups (and the profile) from userinfo', async () => {
    const page = await newPage();
    await signIn(page, sso, 'bob');
    expect((await meIn(page)).body).toMatchObject({ username: 'bob', email: 'bob@example.test', role: 'publisher', groups: ['platform'] });
  });
});
