import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { freePort, PrivateRedis } from '../scripts/testing/privateRedis.js';
import { asAdmin, startShelf, type RunningShelf } from './shelfProcess.js';

// Schedules survive restarts (issue 14): a real Shelf (API and worker processes, Docker) on a
// private Redis with AOF runs hello-world every two seconds; the whole stack — API, worker and
// Redis itself — is stopped and started again, and the schedule goes on firing as it was.

let dir: string;
let redis: PrivateRedis;
let shelf: RunningShelf;
let env: Record<string, string>;

async function api(method: string, pathname: string, body?: unknown): Promise<any> {
  const res = await fetch(`${shelf.url}${pathname}`, {
    method,
    headers: { ...asAdmin, ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await res.text();
  return { status: res.status, ...(text ? { body: JSON.parse(text) } : {}) };
}

/** The schedule's jobs that have finished, as the jobs list shows them. */
async function finishedRuns(scheduleId: string): Promise<any[]> {
  const { body } = await api('GET', '/api/jobs?itemId=hello-world&pageSize=100');
  return body.items.filter((j: any) => j.scheduleId === scheduleId && j.state === 'SUCCEEDED');
}

beforeAll(async () => {
  dir = await mkdtemp(path.join(os.tmpdir(), 'shelf-e2e-redis-'));
  redis = new PrivateRedis(await freePort(), dir);
  await redis.start();
  env = { REDIS_URL: `redis://127.0.0.1:${redis.port}`, SHELF_MIN_SCHEDULE_SECONDS: '1' };
  shelf = await startShelf(env);
}, 90_000);

afterAll(async () => {
  await shelf?.stop();
  await redis?.stop();
  await rm(dir, { recursive: true, force: true });
}, 60_000);

describe('a schedule across restarts of the API, the worker and Redis', () => {
  it('fires, is stopped with everything, and fires again after the restart', async () => {
    const created = await api('POST', '/api/schedules', { name: 'greet often', itemId: 'hello-world', inputs: { name: 'tick', times: 1, delay: 0 }, cron: '*/2 * * * * *' });
    expect(created.status).toBe(201);
    const id = created.body.id as string;
    expect(created.body.nextRuns).toHaveLength(5);
    await expect.poll(async () => (await finishedRuns(id)).length, { timeout: 60_000, interval: 500 }).toBeGreaterThanOrEqual(1);

    await shelf.stop({ keep: true });
    await redis.stop();
    await redis.start();
    shelf = await startShelf(env, shelf);

    const before = (await finishedRuns(id)).map((j) => j.id);
    const restartedAt = new Date().toISOString();
    await expect
      .poll(async () => (await finishedRuns(id)).filter((j) => !before.includes(j.id) && j.createdAt > restartedAt).length, { timeout: 60_000, interval: 500 })
      .toBeGreaterThanOrEqual(1);
    const schedule = await api('GET', `/api/schedules/${id}`);
    expect(schedule.body).toMatchObject({ enabled: true, stoppedReason: null, lastRun: { outcome: expect.stringMatching(/started|skipped/) } });
    // Paused, it stops firing.
    expect((await api('PATCH', `/api/schedules/${id}`, { enabled: false })).body.nextRuns).toEqual([]);
  }, 180_000);
});
