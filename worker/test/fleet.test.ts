// The worker in the registry: what its heartbeat says, and drain and resume as an admin asks them
// through Redis (WorkerRegistry.request, what the API's POST /api/workers/:id/drain does) — with
// real BullMQ workers and real containers.
import { hostname } from 'node:os';
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { isWorkerFresh, type WorkerHeartbeat } from '@shelf/contract';
import { WorkerRegistry } from '@shelf/records';
import { projectRoot } from '../src/config.js';
import type { WorkerHandle } from '../src/startWorker.js';
import { Image, createTestEnv, enqueueJob, jobDetail, logText, publishItem, readLog, startTestWorker, waitFor, waitForState, type PublishedItem, type TestEnv } from './helpers.js';

type Cleanup = (fn: () => Promise<void>) => void;

/** Quick beats, so a state change that missed its own beat shows soon anyway. */
const FAST_BEATS = { SHELF_HEARTBEAT_MS: '500' };

async function newEnv(cleanup: Cleanup): Promise<TestEnv> {
  const env = await createTestEnv();
  cleanup(() => env.cleanup());
  return env;
}

async function startWorker(cleanup: Cleanup, env: TestEnv, overrides: Record<string, string> = {}): Promise<WorkerHandle> {
  const worker = await startTestWorker(env, { ...FAST_BEATS, ...overrides });
  cleanup(() => worker.close());
  return worker;
}

/** An item that prints `started`, sleeps `seconds`, then prints `finished`. */
function sleeper(env: TestEnv, seconds: number): Promise<PublishedItem> {
  return publishItem(env, { 'main.sh': `echo started\nsleep ${seconds}\necho finished` }, { image: Image.shell, command: ['bash', 'main.sh'] });
}

function quick(env: TestEnv): Promise<PublishedItem> {
  return publishItem(env, { 'main.sh': 'echo quick' }, { image: Image.shell, command: ['bash', 'main.sh'] });
}

async function started(env: TestEnv, jobId: string): Promise<void> {
  await waitFor(`job ${jobId} to start printing`, async () => logText(await readLog(env, jobId)).includes('started'), 30_000);
}

/** Waits until the worker's heartbeat satisfies `ok`, and answers it. */
function heartbeatWhere(env: TestEnv, workerId: string, what: string, ok: (beat: WorkerHeartbeat) => boolean): Promise<WorkerHeartbeat> {
  const registry = new WorkerRegistry(env.redis, env.keys);
  return waitFor(`worker ${workerId}: ${what}`, async () => {
    const beat = await registry.find(workerId);
    return beat && ok(beat) ? beat : undefined;
  });
}

const succeeded = (worker: WorkerHandle) => worker.metrics.jobs.get().then((m) => m.values.find((v) => v.labels.outcome === 'SUCCEEDED')?.value ?? 0);

describe.concurrent('the worker registry', { timeout: 90_000 }, () => {
  it('a heartbeat says who the worker is, what it runs and how often it beats', async ({ onTestFinished }) => {
    const env = await newEnv(onTestFinished);
    const worker = await startWorker(onTestFinished, env, { SHELF_WORKER_CONCURRENCY: '3' });
    const { version } = JSON.parse(await readFile(path.join(projectRoot, 'package.json'), 'utf8')) as { version: string };
    const beat = await new WorkerRegistry(env.redis, env.keys).find(worker.workerId);
    expect(beat).toEqual({
      workerId: worker.workerId,
      host: hostname(),
      version,
      runner: 'docker',
      labels: [],
      docker: true,
      concurrency: 3,
      running: [],
      state: 'active',
      startedAt: expect.stringMatching(/^\d{4}-\d\d-\d\dT/),
      seenAt: expect.stringMatching(/^\d{4}-\d\d-\d\dT/),
      intervalMs: 500,
    });
    expect(isWorkerFresh(beat!)).toBe(true);
    // Kept far longer than three beats, so a worker that stops beating is listed stale, not gone.
    expect(await env.redis.ttl(env.keys.worker(worker.workerId))).toBeGreaterThan(3000);

    const jobId = await enqueueJob(env, await sleeper(env, 2));
    await started(env, jobId);
    await heartbeatWhere(env, worker.workerId, 'the running job listed', (b) => b.running.includes(jobId));
    await waitForState(env, jobId);
    await heartbeatWhere(env, worker.workerId, 'no job listed', (b) => b.running.length === 0);
    // The job's wait in the queue was observed as it started.
    expect((await worker.metrics.queueWait.get()).values.find((v) => v.metricName === 'shelf_worker_queue_wait_seconds_count')?.value).toBe(1);
  });

  it('a drained worker finishes its running job, takes no new one, reports drained, and takes jobs again once resumed', async ({ onTestFinished, expect }) => {
    const env = await newEnv(onTestFinished);
    const worker = await startWorker(onTestFinished, env);
    const registry = new WorkerRegistry(env.redis, env.keys);
    const long = await enqueueJob(env, await sleeper(env, 3));
    await started(env, long);

    await registry.request((await registry.find(worker.workerId))!, 'drain');
    await heartbeatWhere(env, worker.workerId, 'draining with its job', (b) => b.state === 'draining' && b.running.includes(long));
    // Free slots were waiting for a job when the drain came: none of them may take this one.
    const queued = await enqueueJob(env, await quick(env));

    expect((await waitForState(env, long)).state).toBe('SUCCEEDED');
    expect(logText(await readLog(env, long))).toBe('started\nfinished');
    await heartbeatWhere(env, worker.workerId, 'drained', (b) => b.state === 'drained' && b.running.length === 0);
    expect((await jobDetail(env, queued)).state).toBe('QUEUED');
    expect(await env.queue.getJobState(queued)).toBe('waiting');

    await registry.request((await registry.find(worker.workerId))!, 'resume');
    expect((await waitForState(env, queued)).state).toBe('SUCCEEDED');
    await heartbeatWhere(env, worker.workerId, 'active again', (b) => b.state === 'active');
    // The worker counts a job once its run folder is gone, a moment after the job shows SUCCEEDED.
    await expect.poll(() => succeeded(worker)).toBe(2);
  });

  it('a job queued while one worker drains is taken by another', async ({ onTestFinished, expect }) => {
    const env = await newEnv(onTestFinished);
    const draining = await startWorker(onTestFinished, env);
    const registry = new WorkerRegistry(env.redis, env.keys);
    const long = await enqueueJob(env, await sleeper(env, 3));
    await started(env, long);
    await registry.request((await registry.find(draining.workerId))!, 'drain');
    await heartbeatWhere(env, draining.workerId, 'draining', (b) => b.state === 'draining');

    const other = await startWorker(onTestFinished, env);
    const queued = await enqueueJob(env, await quick(env));
    expect((await waitForState(env, queued)).state).toBe('SUCCEEDED');
    expect((await waitForState(env, long)).state).toBe('SUCCEEDED');
    // The worker counts a job once its run folder is gone, a moment after the job shows SUCCEEDED.
    await expect.poll(() => succeeded(other)).toBe(1);
    await expect.poll(() => succeeded(draining)).toBe(1);
  });

  it('a drain request the worker did not hear (no message) lands at its next beat', async ({ onTestFinished }) => {
    const env = await newEnv(onTestFinished);
    const worker = await startWorker(onTestFinished, env);
    // As if the message was published while the worker's subscriber was reconnecting.
    await env.redis.set(env.keys.workerControl(worker.workerId), 'drain', 'EX', 3600);
    await heartbeatWhere(env, worker.workerId, 'drained', (b) => b.state === 'drained');
    const queued = await enqueueJob(env, await quick(env));
    const queuedAt = Date.now();
    await heartbeatWhere(env, worker.workerId, 'still drained a beat later', (b) => b.state === 'drained' && Date.parse(b.seenAt) > queuedAt);
    expect((await jobDetail(env, queued)).state).toBe('QUEUED');

    await env.redis.del(env.keys.workerControl(worker.workerId));
    expect((await waitForState(env, queued)).state).toBe('SUCCEEDED');
  });

  it('a worker that is shutting down says draining while its job finishes, then leaves the registry', async ({ onTestFinished }) => {
    const env = await newEnv(onTestFinished);
    const worker = await startWorker(onTestFinished, env);
    const long = await enqueueJob(env, await sleeper(env, 3));
    await started(env, long);

    const closing = worker.close(30_000);
    const beat = await heartbeatWhere(env, worker.workerId, 'draining', (b) => b.state === 'draining');
    expect(beat.running).toEqual([long]);
    expect((await jobDetail(env, long)).state).toBe('RUNNING');
    await closing;
    expect((await jobDetail(env, long)).state).toBe('SUCCEEDED');
    expect(await env.redis.exists(env.keys.worker(worker.workerId), env.keys.workerControl(worker.workerId))).toBe(0);
  });
});
