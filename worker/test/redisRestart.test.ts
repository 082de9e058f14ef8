import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { freePort, PrivateRedis } from '../../scripts/testing/privateRedis.js';
import type { WorkerHandle } from '../src/startWorker.js';
import { Image, createTestEnv, enqueueJob, publishItem, startTestWorker, waitFor, waitForState, type TestEnv } from './helpers.js';

let dir: string;
let redis: PrivateRedis;
let env: TestEnv;
let worker: WorkerHandle;

beforeAll(async () => {
  dir = await mkdtemp(path.join(os.tmpdir(), 'shelf-worker-redis-'));
  redis = new PrivateRedis(await freePort(), dir);
  await redis.start();
  env = await createTestEnv({ REDIS_URL: `redis://127.0.0.1:${redis.port}`, SHELF_HEARTBEAT_MS: '500' });
  worker = await startTestWorker(env);
}, 30_000);

afterAll(async () => {
  await worker?.close(0);
  await env?.cleanup();
  await redis?.stop();
  await rm(dir, { recursive: true, force: true });
});

describe('a Redis restart', { timeout: 60_000 }, () => {
  it('is survived: the same worker runs jobs before and after it', async () => {
    const item = await publishItem(env, { 'main.sh': 'echo ok' }, { image: Image.shell, command: ['bash', 'main.sh'] });
    expect((await waitForState(env, await enqueueJob(env, item))).state).toBe('SUCCEEDED');

    await redis.stop();
    await new Promise((resolve) => setTimeout(resolve, 1_000));
    await redis.start();

    const jobId = await enqueueJob(env, item);
    expect((await waitForState(env, jobId, undefined, 30_000)).state).toBe('SUCCEEDED');
    // And the heartbeat is back.
    await waitFor('the heartbeat', async () => (await env.redis.exists(env.keys.worker(worker.workerId))) === 1 || undefined, 10_000);
  });
});
