// The worker fleet and fair use through the real API: the registry listing built from heartbeats
// (written here through WorkerRegistry, exactly as the worker writes them; the worker's side of
// drain and resume has its own tests with real BullMQ workers and Docker), drain and resume
// reaching Redis, the per-user limit of active jobs, and the per-principal request limit shared
// by two API processes on one Redis.
import path from 'node:path';
import { Redis } from 'ioredis';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { WorkerHeartbeat } from '@shelf/contract';
import { WorkerRegistry } from '@shelf/records';
import { writeItem } from './catalogHarness.js';
import { apiClient } from './helpers/apiClient.js';
import { FakeWorker } from './helpers/fakeWorker.js';
import { asAdmin, redisUrl, startShelfApi, type ShelfApi } from './helpers/shelfApi.js';

let api: ShelfApi;
let call: ReturnType<typeof apiClient>['call'];
let registry: WorkerRegistry;
const users: Record<string, Record<string, string>> = {};
const written = new Set<string>();

/** A heartbeat as a worker beating every 5 s writes it, `ageMs` ago. */
async function heartbeat(workerId: string, fields: Partial<WorkerHeartbeat> = {}, ageMs = 0): Promise<WorkerHeartbeat> {
  const seenAt = new Date(Date.now() - ageMs).toISOString();
  const beat: WorkerHeartbeat = {
    workerId,
    host: `host-of-${workerId}`,
    version: '0.1.0',
    runner: 'docker',
    labels: [],
    docker: true,
    concurrency: 2,
    running: [],
    state: 'active',
    startedAt: '2025-01-01T00:00:00.000Z',
    seenAt,
    intervalMs: 5000,
    ...fields,
  };
  await registry.beat(beat);
  written.add(workerId);
  return beat;
}

beforeAll(async () => {
  api = await startShelfApi({ maxActiveJobsPerUser: 2 });
  registry = new WorkerRegistry(api.redis, api.catalog.keys);
  const client = apiClient(api.url);
  call = client.call;
  for (const [name, role] of [['rita', 'runner'], ['ray', 'runner'], ['vera', 'viewer']] as const) users[name] = await client.userWithToken(name, role);
  const dir = await writeItem(path.join(api.root, 'hello'), { id: 'hello' });
  expect((await call('POST', '/api/catalog/local/import', { path: dir })).status).toBe(201);
});
afterEach(async () => {
  for (const id of written) await registry.remove(id);
  written.clear();
});
afterAll(async () => {
  await api?.close();
});

describe('GET /api/workers', () => {
  it('lists every worker by id with what its heartbeat says; one that missed three beats is stale', async () => {
    await heartbeat('w-b', { running: ['0123456789abcdef0123456789abcdef'], concurrency: 4 });
    await heartbeat('w-a', { state: 'drained' }, 2_000);
    await heartbeat('w-c', { state: 'draining' }, 16_000);
    const res = await call('GET', '/api/workers');
    expect(res.status).toBe(200);
    expect(res.body.items).toEqual([
      { id: 'w-a', host: 'host-of-w-a', version: '0.1.0', runner: 'docker', labels: [], concurrency: 2, running: [], state: 'drained', startedAt: '2025-01-01T00:00:00.000Z', lastSeenAt: expect.any(String) },
      { id: 'w-b', host: 'host-of-w-b', version: '0.1.0', runner: 'docker', labels: [], concurrency: 4, running: ['0123456789abcdef0123456789abcdef'], state: 'active', startedAt: '2025-01-01T00:00:00.000Z', lastSeenAt: expect.any(String) },
      { id: 'w-c', host: 'host-of-w-c', version: '0.1.0', runner: 'docker', labels: [], concurrency: 2, running: [], state: 'stale', startedAt: '2025-01-01T00:00:00.000Z', lastSeenAt: expect.any(String) },
    ]);
    expect(Date.parse(res.body.items[2].lastSeenAt)).toBeLessThan(Date.now() - 15_000);
  });

  it('a heartbeat of an older worker (a count of running jobs, no interval) is listed with defaults', async () => {
    const seenAt = new Date().toISOString();
    await api.redis.set(api.catalog.keys.worker('w-old'), JSON.stringify({ workerId: 'w-old', host: 'h', docker: true, concurrency: 2, running: 1, seenAt }), 'EX', 15);
    written.add('w-old');
    expect((await call('GET', '/api/workers')).body.items).toEqual([
      { id: 'w-old', host: 'h', version: '', runner: 'docker', labels: [], concurrency: 2, running: [], state: 'active', startedAt: '', lastSeenAt: seenAt },
    ]);
  });

  it('is for admins only', async () => {
    expect((await call('GET', '/api/workers', undefined, users.rita)).status).toBe(403);
    expect((await call('GET', '/api/workers', undefined, users.vera)).status).toBe(403);
  });

  it('/metrics has per-worker gauges from the registry', async () => {
    await heartbeat('w-m1', { running: ['0123456789abcdef0123456789abcdef'], concurrency: 3, state: 'draining' });
    await heartbeat('w-m2', {}, 60_000);
    const text = await (await fetch(`${api.url}/metrics`, { headers: asAdmin })).text();
    expect(text).toContain('shelf_fleet_worker_up{worker="w-m1"} 1');
    expect(text).toContain('shelf_fleet_worker_up{worker="w-m2"} 0');
    expect(text).toContain('shelf_fleet_worker_running_jobs{worker="w-m1"} 1');
    expect(text).toContain('shelf_fleet_worker_concurrency{worker="w-m1"} 3');
    expect(text).toContain('shelf_fleet_worker_draining{worker="w-m1"} 1');
    expect(text).toContain('shelf_fleet_worker_draining{worker="w-m2"} 0');
  });
});

describe('drain and resume', () => {
  it('reach the worker through Redis: a request key it reads at every beat, and a message', async () => {
    const listed = await heartbeat('w-d');
    const subscriber = new Redis(redisUrl);
    const messages: string[] = [];
    try {
      subscriber.on('message', (_channel: string, message: string) => messages.push(message));
      await subscriber.subscribe(api.catalog.keys.workerControlChannel);

      const drained = await call('POST', '/api/workers/w-d/drain');
      expect(drained.status).toBe(202);
      expect(drained.body).toMatchObject({ id: 'w-d', host: listed.host, state: 'active', lastSeenAt: listed.seenAt });
      expect(await registry.drainRequested('w-d')).toBe(true);
      // As long as the heartbeat is kept: a worker that never comes back leaves nothing for ever.
      expect(await api.redis.ttl(api.catalog.keys.workerControl('w-d'))).toBeGreaterThan(3000);

      expect((await call('POST', '/api/workers/w-d/resume')).status).toBe(202);
      expect(await registry.drainRequested('w-d')).toBe(false);
      await waitUntil(() => messages.length === 2);
      expect(messages).toEqual(['w-d', 'w-d']);
    } finally {
      await subscriber.quit();
    }
    const audit = (await call('GET', '/api/audit?pageSize=100')).body.items as { action: string; target: string; actor: string; outcome: string }[];
    expect(audit.filter((e) => e.action.startsWith('worker.')).map(({ action, target, actor, outcome }) => ({ action, target, actor, outcome }))).toEqual([
      { action: 'worker.resume', target: 'worker w-d', actor: 'admin-token', outcome: 'ok' },
      { action: 'worker.drain', target: 'worker w-d', actor: 'admin-token', outcome: 'ok' },
    ]);
  });

  it('404 for an unknown or stale worker, 403 for anyone but an admin', async () => {
    await heartbeat('w-gone', {}, 16_000);
    await heartbeat('w-live');
    for (const action of ['drain', 'resume']) {
      expect((await call('POST', `/api/workers/no-such-worker/${action}`)).body.error).toEqual({ code: 'NOT_FOUND', message: 'worker not found: no-such-worker' });
      expect((await call('POST', `/api/workers/w-gone/${action}`)).status).toBe(404);
      expect((await call('POST', `/api/workers/w-live/${action}`, undefined, users.rita)).status).toBe(403);
    }
    expect(await registry.drainRequested('w-gone')).toBe(false);
    expect(await registry.drainRequested('w-live')).toBe(false);
  });
});

describe('SHELF_MAX_ACTIVE_JOBS_PER_USER', () => {
  const submit = (who: string) => call('POST', '/api/jobs', { itemId: 'hello', inputs: {} }, users[who]);

  it('refuses a submission or retry past the limit with 429 and Retry-After, per user, until a job finishes', async () => {
    const worker = new FakeWorker(api.redis, api.catalog.keys);
    const first = (await submit('rita')).body.id as string;
    const second = (await submit('rita')).body.id as string;

    const res = await fetch(`${api.url}/api/jobs`, { method: 'POST', headers: { 'content-type': 'application/json', ...users.rita }, body: JSON.stringify({ itemId: 'hello', inputs: {} }) });
    expect(res.status).toBe(429);
    expect(Number(res.headers.get('retry-after'))).toBeGreaterThan(0);
    const { error } = (await res.json()) as { error: { code: string; message: string } };
    expect(error.code).toBe('RATE_LIMITED');
    expect(error.message).toContain('rita already has 2 jobs queued, running or awaiting approval');
    expect(error.message).toContain('SHELF_MAX_ACTIVE_JOBS_PER_USER=2');
    // Another user is not held back by rita's jobs.
    expect((await submit('ray')).status).toBe(202);

    await worker.run(first, 'FAILED');
    const third = await submit('rita');
    expect(third.status).toBe(202);
    const retried = await call('POST', `/api/jobs/${first}/retry`, undefined, users.rita);
    expect(retried.status).toBe(429);
    expect(retried.body.error.message).toContain('SHELF_MAX_ACTIVE_JOBS_PER_USER');

    await worker.run(second, 'SUCCEEDED');
    expect((await call('POST', `/api/jobs/${first}/retry`, undefined, users.rita)).status).toBe(202);
    expect((await call('GET', '/api/jobs?state=QUEUED', undefined, users.rita)).body.total).toBe(2);
    // Back to none active, for the next test.
    for (const job of (await call('GET', '/api/jobs?state=QUEUED')).body.items as { id: string }[]) expect((await call('POST', `/api/jobs/${job.id}/cancel`)).status).toBe(200);
  });

  it("a schedule's run at its owner's limit is recorded failed, saying why", async () => {
    const schedule = await call('POST', '/api/schedules', { itemId: 'hello', inputs: {}, cron: '0 9 * * *' }, users.ray);
    expect(schedule.status).toBe(201);
    expect((await submit('ray')).status).toBe(202);
    expect((await submit('ray')).status).toBe(202);
    const run = await call('POST', `/api/schedules/${schedule.body.id}/run`, undefined, users.ray);
    expect(run.status).toBe(422);
    expect(run.body.error.message).toContain('SHELF_MAX_ACTIVE_JOBS_PER_USER');
    const runs = (await call('GET', `/api/schedules/${schedule.body.id}/runs`, undefined, users.ray)).body.items;
    expect(runs[0]).toMatchObject({ outcome: 'failed', reason: expect.stringContaining('ray already has 2 jobs') });
    expect((await call('DELETE', `/api/schedules/${schedule.body.id}`, undefined, users.ray)).status).toBe(204);
  });
});

describe('the per-principal request limit', () => {
  it('holds across two API processes on one Redis, per principal, with a stricter one for uploads; health, readiness and metrics are exempt', async () => {
    // As several API hosts are run: one Redis prefix, one SHELF_AUTH_KEY.
    const shared = { jobs: false, rateLimits: { perMinute: 6, uploadsPerMinute: 2 }, auth: { authKey: 'a shared SHELF_AUTH_KEY for both test APIs' } };
    const one = await startShelfApi(shared);
    const two = await startShelfApi({ ...shared, redisPrefix: one.prefix });
    try {
      // Credentials made directly in the store: no request is counted for them.
      const tokenOf = async (username: string, role: 'viewer' | 'publisher') => {
        const user = await one.auth.users.create({ username, role, source: 'local' });
        const { token } = await one.auth.tokens.create({ id: user.id, username }, { name: 'limit test', role });
        return { authorization: `Bearer ${token}` };
      };
      const vic = await tokenOf('vic', 'viewer');
      const pat = await tokenOf('pat', 'publisher');
      const on = (target: ShelfApi) => apiClient(target.url).call;

      for (let i = 0; i < 3; i += 1) {
        expect((await on(one)('GET', '/api/me', undefined, vic)).status).toBe(200);
        expect((await on(two)('GET', '/api/me', undefined, vic)).status).toBe(200);
      }
      for (const target of [one, two]) {
        const res = await fetch(`${target.url}/api/me`, { headers: vic });
        expect(res.status).toBe(429);
        expect(Number(res.headers.get('retry-after'))).toBeGreaterThan(0);
        const { error } = (await res.json()) as { error: { code: string; message: string } };
        expect(error).toMatchObject({ code: 'RATE_LIMITED', message: expect.stringContaining('at most 6 a minute per user (SHELF_RATE_LIMIT_PER_MINUTE)') });
      }
      // Others are not held back; health, readiness and metrics never are.
      expect((await on(two)('GET', '/api/me', undefined, pat)).status).toBe(200);
      for (const p of ['/healthz', '/readyz', '/metrics']) expect((await fetch(`${one.url}${p}`, { headers: vic })).status).toBe(200);

      // Uploads and imports: two a minute, whatever they answer.
      expect((await on(one)('POST', '/api/catalog/local/import', { path: 'nowhere' }, pat)).status).not.toBe(429);
      expect((await on(two)('POST', '/api/catalog/local/import', { path: 'nowhere' }, pat)).status).not.toBe(429);
      const upload = await on(one)('POST', '/api/catalog/local/import', { path: 'nowhere' }, pat);
      expect(upload.status).toBe(429);
      expect(upload.body.error.message).toContain('at most 2 a minute per user (SHELF_UPLOAD_RATE_LIMIT_PER_MINUTE)');
      expect((await on(one)('GET', '/api/me', undefined, pat)).status).toBe(200);

      // Without credentials, the address is the principal.
      const anonymous = [];
      for (let i = 0; i < 7; i += 1) anonymous.push((await fetch(`${(i % 2 ? one : two).url}/api/auth/config`)).status);
      expect(anonymous).toEqual([200, 200, 200, 200, 200, 200, 429]);

      const audit = (await on(one)('GET', '/api/audit?action=request.rate_limited&pageSize=100')).body.items as { actor: string; target: string }[];
      expect(audit).toEqual(expect.arrayContaining([expect.objectContaining({ actor: 'vic', target: 'GET /api/me' }), expect.objectContaining({ actor: 'pat', target: 'POST /api/catalog/local/import' })]));
    } finally {
      await two.stop();
      await one.close();
    }
  });
});

async function waitUntil(done: () => boolean): Promise<void> {
  const deadline = Date.now() + 5000;
  while (!done()) {
    if (Date.now() > deadline) throw new Error('timed out');
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}
