import { createHmac } from 'node:crypto';
import path from 'node:path';
import type { Express } from 'express';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { roleAtLeast, roles, type Role } from '@shelf/contract';
import type { Access } from '../src/auth/httpGuards.js';
import { workerTokenRefusal } from '../src/auth/policy.js';
import { adminTokenActor } from '../src/auth/principal.js';
import { listRoutes } from '../src/auth/routeTable.js';
import { writeItem } from './catalogHarness.js';
import { asAdmin, startShelfApi, type ShelfApi } from './helpers/shelfApi.js';

// Every route × every identity → the expected answer, through the real API. The table below is
// the access rule of each route, written down independently of the code: a route the app serves
// that is not in it (or a row for a route that is gone) fails the first test, so every new
// route arrives with a decision about who may call it.

const expected: Record<string, Access> = {
  'GET /healthz': 'public',
  'GET /readyz': 'public',
  'GET /metrics': 'viewer',
  'GET /api/auth/config': 'public',
  'POST /api/auth/login': 'public',
  'POST /api/auth/logout': 'public',
  'POST /api/auth/setup': 'public',
  'GET /api/me': 'viewer',
  'PATCH /api/me': 'viewer',
  'GET /api/users': 'admin',
  'POST /api/users': 'admin',
  'PATCH /api/users/:id': 'admin',
  'GET /api/tokens': 'viewer',
  'POST /api/tokens': 'viewer',
  'DELETE /api/tokens/:id': 'viewer',
  'GET /api/audit': 'admin',
  'GET /api/schemas/manifest.json': 'viewer',
  'GET /api/openapi.json': 'viewer',
  'GET /api/docs': 'viewer',
  'GET /api/docs/redoc.standalone.js': 'viewer',
  'GET /api/docs/init.js': 'viewer',
  'GET /api/catalog': 'viewer',
  'GET /api/catalog/imports': 'viewer',
  'GET /api/catalog/imports/:importId': 'viewer',
  'GET /api/catalog/:id/versions': 'viewer',
  'GET /api/catalog/:id/:version/descriptor': 'viewer',
  'GET /api/catalog/:id/:version/validator.js': 'viewer',
  'POST /api/catalog/local/import': 'publisher',
  'POST /api/catalog/bundle/upload': 'publisher',
  'POST /api/catalog/git/sync': 'publisher',
  'POST /api/catalog/git/webhook': 'public',
  'GET /api/catalog/:id/grants': 'viewer',
  'PUT /api/catalog/:id/grants/:name': 'admin',
  'GET /api/bundles/:digest': 'viewer',
  'POST /api/jobs': 'runner',
  'POST /api/jobs/validate': 'runner',
  'GET /api/jobs': 'viewer',
  'GET /api/jobs/:id': 'viewer',
  'GET /api/jobs/:id/logs': 'viewer',
  'POST /api/jobs/:id/retry': 'runner',
  'POST /api/jobs/:id/cancel': 'runner',
  'POST /api/webhooks': 'admin',
  'GET /api/webhooks': 'admin',
  'DELETE /api/webhooks/:id': 'admin',
  'GET /api/webhooks/:id/deliveries': 'admin',
  'POST /api/webhooks/:id/deliveries/:deliveryId/redeliver': 'admin',
  'POST /api/jobs/:id/approve': 'runner',
  'POST /api/jobs/:id/reject': 'runner',
  'GET /api/approvals': 'viewer',
  'GET /api/secrets': 'admin',
  'POST /api/secrets': 'admin',
  'GET /api/secrets/:name': 'admin',
  'PATCH /api/secrets/:name': 'admin',
  'DELETE /api/secrets/:name': 'admin',
  'GET /api/schedules': 'viewer',
  'POST /api/schedules': 'runner',
  'GET /api/schedules/:id': 'viewer',
  'GET /api/schedules/:id/runs': 'viewer',
  'PATCH /api/schedules/:id': 'runner',
  'DELETE /api/schedules/:id': 'runner',
  'POST /api/schedules/:id/run': 'runner',
  'GET /api/catalog/:id/presets': 'viewer',
  'POST /api/catalog/:id/presets': 'runner',
  'DELETE /api/catalog/:id/presets/:presetId': 'runner',
  'GET /api/workers': 'admin',
  'POST /api/workers/:id/drain': 'admin',
  'POST /api/workers/:id/resume': 'admin',
};

/**
 * What SHELF_WORKER_TOKEN may reach: the bundle download, and the probes, which read no
 * credentials at all. Every other route refuses it, whatever its rule above.
 */
const workerTokenReaches = new Set(['GET /api/bundles/:digest', 'GET /healthz', 'GET /readyz']);
const workerToken = 'access-test-worker-token-0123456789abcdef01234567';

const webhookSecret = 'x'.repeat(32);
const password = 'a long enough password';

/** Who calls: its role (none for anonymous), credentials, and ids of things of its own. */
interface Identity {
  role: Role | null;
  headers: Record<string, string>;
  jobId: string;
  /** A token of theirs that DELETE /api/tokens/:id may revoke. */
  spareTokenId: string;
}

let api: ShelfApi;
let app: Express;
const ids = { item: 'hello', digest: '', userId: '' };
const identities: Record<string, Identity> = {};

async function call(method: string, p: string, headers: Record<string, string>, body?: unknown): Promise<{ status: number; body: any }> {
  const res = await fetch(`${api.url}${p}`, {
    method,
    headers: { ...(body === undefined ? {} : { 'content-type': 'application/json' }), ...headers },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await res.text();
  return { status: res.status, body: text.startsWith('{') ? JSON.parse(text) : text };
}

/** A user with `role`, signed in once to create an API token (and a spare one to revoke). */
async function userWithToken(username: string, role: Role): Promise<{ id: string; headers: Record<string, string>; spareTokenId: string }> {
  const created = await call('POST', '/api/users', asAdmin, { username, password, role });
  expect(created.status).toBe(201);
  const login = await fetch(`${api.url}/api/auth/login`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ username, password }) });
  const session = { cookie: login.headers.get('set-cookie')!.split(';')[0]!, origin: api.url };
  const token = await call('POST', '/api/tokens', session, { name: 'access test' });
  const spare = await call('POST', '/api/tokens', session, { name: 'to revoke' });
  return { id: created.body.id, headers: { authorization: `Bearer ${token.body.token}` }, spareTokenId: spare.body.id };
}

/** A QUEUED job submitted by `by`, straight into the job records: viewers cannot submit one themselves. */
async function jobOf(by: { id: string; username: string }): Promise<string> {
  const { id } = await api.jobs!.records.create({
    itemId: ids.item,
    itemName: 'Hello',
    version: '1.0.0',
    digest: ids.digest,
    inputs: {},
    limits: { memoryBytes: 1 << 20, cpus: 1, pids: 16, timeoutSeconds: 60 },
    submittedBy: by,
  });
  return id;
}

/** The route's path with its parameters filled in for `who`; a parameter nobody knows about fails loudly. */
function pathFor(route: string, who: Identity): string {
  const filled = route
    .slice(route.indexOf(' ') + 1)
    .replace('/api/jobs/:id', `/api/jobs/${who.jobId}`)
    .replace('/api/users/:id', `/api/users/${ids.userId}`)
    .replace('/api/tokens/:id', `/api/tokens/${who.spareTokenId}`)
    .replace('/api/webhooks/:id', '/api/webhooks/0000000000000000')
    .replace(':deliveryId', 'no-such-delivery')
    .replace('/api/catalog/:id/', `/api/catalog/${ids.item}/`)
    .replace(':version', 'latest')
    .replace(':importId', 'no-such-import')
    .replace('/api/secrets/:name', '/api/secrets/NO_SUCH_SECRET')
    .replace('/api/schedules/:id', '/api/schedules/000000000000000000000000')
    .replace('/api/workers/:id', '/api/workers/no-such-worker')
    .replace(':presetId', 'no-such-preset')
    .replace(':name', 'egress')
    .replace(':digest', ids.digest);
  if (filled.includes(':')) throw new Error(`no test value for a parameter of ${route}: add one to pathFor`);
  return filled;
}

/** A signed GitHub ping: the webhook's signature is its identity, so without one it would be 401 for everybody. */
function signedPing(): { headers: Record<string, string>; body: string } {
  const body = '{"zen":"Keep it logically awesome."}';
  const signature = `sha256=${createHmac('sha256', webhookSecret).update(body).digest('hex')}`;
  return { body, headers: { 'content-type': 'application/json', 'x-github-event': 'ping', 'x-github-delivery': `ping-${Math.random()}`, 'x-hub-signature-256': signature } };
}

/** What a request answered, as far as access goes. */
async function outcome(route: string, who: Identity): Promise<string> {
  const method = route.slice(0, route.indexOf(' '));
  const p = pathFor(route, who);
  const res =
    p === '/api/catalog/git/webhook'
      ? await fetch(`${api.url}${p}`, { method, headers: { ...who.headers, ...signedPing().headers }, body: signedPing().body }).then(async (r) => ({ status: r.status, body: await r.json() }))
      : await call(method, p, who.headers, method === 'GET' ? undefined : {});
  if (res.status === 401) return `401 ${res.body.error?.code}`;
  // The role guard's refusal names the role; an ownership refusal would not, and is no answer here.
  if (res.status === 403) return `403 ${res.body.error?.code}: ${/needs the \w+ role/.exec(res.body.error?.message)?.[0] ?? res.body.error?.message}`;
  return 'allowed';
}

function expectedOutcome(access: Access, role: Role | null): string {
  if (access === 'public') return 'allowed';
  if (role === null) return '401 UNAUTHENTICATED';
  return roleAtLeast(role, access) ? 'allowed' : `403 FORBIDDEN: needs the ${access} role`;
}

beforeAll(async () => {
  api = await startShelfApi({ git: { webhookSecret }, notify: {}, auth: { workerToken } });
  app = api.server.listeners('request')[0] as Express;
  const dir = await writeItem(path.join(api.root, 'hello'), { id: ids.item });
  const imported = await call('POST', '/api/catalog/local/import', asAdmin, { path: dir });
  expect(imported.status).toBe(201);
  ids.digest = imported.body.digest;

  identities['admin token'] = { role: 'admin', headers: asAdmin, jobId: await jobOf(adminTokenActor), spareTokenId: 'no-such-token' };
  for (const role of roles) {
    const user = await userWithToken(`${role}-user`, role);
    identities[role] = { role, headers: user.headers, jobId: await jobOf({ id: user.id, username: `${role}-user` }), spareTokenId: user.spareTokenId };
    if (role === 'viewer') ids.userId = user.id;
  }
  identities.anonymous = { role: null, headers: {}, jobId: identities.runner!.jobId, spareTokenId: identities.runner!.spareTokenId };
});
afterAll(async () => {
  await api?.close();
});

describe('the access table', () => {
  it('names every route the app serves, and no other, with the rule its guard declares', () => {
    const served = Object.fromEntries(listRoutes(app).map((r) => [`${r.method} ${r.path}`, r.access]));
    expect(served).toEqual(expected);
  });
});

describe('every route × every identity', () => {
  it.each(Object.entries(expected))('%s (%s)', async (route, access) => {
    const actual: Record<string, string> = {};
    const wanted: Record<string, string> = {};
    for (const [name, who] of Object.entries(identities)) {
      actual[name] = await outcome(route, who);
      wanted[name] = expectedOutcome(access, who.role);
    }
    expect(actual).toEqual(wanted);
  });
});

describe('the worker token on every route', () => {
  it.each(Object.keys(expected))('%s', async (route) => {
    const worker: Identity = { role: null, headers: { authorization: `Bearer ${workerToken}` }, jobId: identities.runner!.jobId, spareTokenId: 'no-such-token' };
    expect(await outcome(route, worker)).toBe(workerTokenReaches.has(route) ? 'allowed' : `403 FORBIDDEN: ${workerTokenRefusal}`);
  });
});

describe('credentials that are not valid', () => {
  it.each([
    ['a garbage bearer', 'Bearer not-a-token'],
    ['an unknown token of the right shape', 'Bearer shelf_0000000000000000000000000000000000000000'],
    ['a malformed Authorization header', 'Basic dXNlcjpwYXNz'],
  ])('%s is 401, even on a public route, never a silent anonymous request', async (_, authorization) => {
    for (const p of ['/api/me', '/api/auth/config']) {
      const res = await call('GET', p, { authorization });
      expect(res.status).toBe(401);
      expect(res.body.error.code).toBe('UNAUTHENTICATED');
    }
  });

  it('a revoked token is refused at once', async () => {
    const user = await userWithToken('revoked-user', 'runner');
    expect((await call('GET', '/api/me', user.headers)).status).toBe(200);
    const tokens = await call('GET', '/api/tokens', user.headers);
    const own = tokens.body.items.find((t: { name: string }) => t.name === 'access test');
    expect((await call('DELETE', `/api/tokens/${own.id}`, user.headers)).status).toBe(204);
    const res = await call('GET', '/api/me', user.headers);
    expect(res.status).toBe(401);
    expect(res.body.error).toMatchObject({ code: 'UNAUTHENTICATED', message: 'the API token is not valid: unknown, revoked or expired' });
  });
});
