// Worker heartbeats are written by the test (plain SETs) the way the worker process writes them per
// the contract, job runs by FakeWorker through RunRecorder; the worker has its own tests with Docker.
// The container start time, which only a real container has, is checked end to end in e2e/jobs.e2e.test.ts.
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import type { WorkerHeartbeat } from '@shelf/contract';
import { workerReadiness } from '../src/jobs/workerReadiness.js';
import { FakeWorker } from './helpers/fakeWorker.js';
import { request, startJobsApi, type JobsHarness } from './helpers/jobsHarness.js';
import { asAdmin } from './helpers/shelfApi.js';

let h: JobsHarness;

beforeAll(async () => {
  h = await startJobsApi({ readiness: (redis, catalog) => [workerReadiness(redis, catalog.keys)] });
  await h.importItem({ id: 'hello' });
});
afterAll(async () => {
  await h?.close();
});

const beat = (workerId: string, docker: boolean): WorkerHeartbeat => ({
  workerId,
  host: 'test',
  version: '0.1.0',
  runner: 'docker',
  labels: [],
  docker,
  ...(docker ? {} : { dockerError: 'connect ENOENT /var/run/docker.sock' }),
  concurrency: 2,
  running: [],
  state: 'active',
  startedAt: new Date().toISOString(),
  seenAt: new Date().toISOString(),
  intervalMs: 5000,
});

describe('workerReadiness', () => {
  it('fails without a worker, fails when no worker reaches Docker, passes when one does', async () => {
    const keys = h.catalog.keys;
    await expect(workerReadiness(h.redis, keys).check()).rejects.toThrow(/no worker with a reachable Docker engine .*no worker heartbeat/);

    await h.redis.set(keys.worker('w1'), JSON.stringify(beat('w1', false)), 'EX', 15);
    await expect(workerReadiness(h.redis, keys).check()).rejects.toThrow(/none can reach Docker: connect ENOENT/);

    const ready = await request('GET', `${h.url}/readyz`);
    expect(ready.status).toBe(503);
    expect(ready.body.checks).toEqual([{ name: 'docker', ok: false, error: expect.stringContaining('no worker with a reachable Docker engine') }]);

    await h.redis.set(keys.worker('w2'), JSON.stringify(beat('w2', true)), 'EX', 15);
    await expect(workerReadiness(h.redis, keys).check()).resolves.toBeUndefined();
  });
});

describe('job metrics', () => {
  const metrics = async () => (await fetch(`${h.url}/metrics`, { headers: asAdmin })).text();

  it('counts jobs by state and queue depth at scrape time, and times finished jobs', async () => {
    const first = await request('POST', `${h.url}/api/jobs`, { itemId: 'hello', inputs: {} });
    await request('POST', `${h.url}/api/jobs`, { itemId: 'hello', inputs: {} });
    let text = await metrics();
    expect(text).toContain('shelf_jobs{state="QUEUED"} 2');
    expect(text).toContain('shelf_jobs{state="SUCCEEDED"} 0');
    expect(text).toContain('shelf_queue_depth{state="waiting",runs_on=""} 2');

    const worker = new FakeWorker(h.redis, h.catalog.keys);
    const id = first.body.id as string;
    await worker.start(id);
    await worker.finish(id, 'SUCCEEDED');
    await vi.waitFor(async () => {
      text = await metrics();
      expect(text).toContain('shelf_job_duration_seconds_count{state="SUCCEEDED"} 1');
    });
    expect(text).toContain('shelf_jobs{state="SUCCEEDED"} 1');
    // No container ran, so there is no start time to observe.
    expect(text).toContain('shelf_container_start_seconds_count 0');
  });
});
