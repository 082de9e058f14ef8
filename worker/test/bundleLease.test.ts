import { existsSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BundleCache } from '../src/bundleCache.js';
import type { WorkerHandle } from '../src/startWorker.js';
import { Image, createTestEnv, enqueueJob, logText, publishItem, readLog, startTestWorker, waitFor, waitForState, type TestEnv } from './helpers.js';

let env: TestEnv;
let worker: WorkerHandle;

beforeAll(async () => {
  env = await createTestEnv();
  // A one-byte cache: every bundle is over the limit, so only a lease keeps it.
  worker = await startTestWorker(env, { SHELF_WORKER_CACHE_BYTES: '1' });
}, 30_000);

afterAll(async () => {
  await worker?.close();
  await env?.cleanup();
});

describe('a job’s bundle', { timeout: 60_000 }, () => {
  it('is held while the container runs and released once it is gone, so the cache can evict it', async () => {
    const item = await publishItem(env, { 'main.sh': 'echo started\nsleep 3\necho finished' }, { image: Image.shell, command: ['bash', 'main.sh'] });
    const bundleDir = path.join(env.cacheDir, 'bundles', item.digest);
    const jobId = await enqueueJob(env, item);
    await waitFor('the job to start', async () => logText(await readLog(env, jobId)).includes('started'));

    // Another worker sharing the cache folder, over its limit too, must leave the running job's bundle alone.
    const neighbour = new BundleCache({ storeDir: env.storeDir, apiUrl: 'http://127.0.0.1:9', cacheDir: env.cacheDir, maxBytes: 1, staleLeaseMs: 60_000 });
    await neighbour.evictIfOver();
    expect(existsSync(bundleDir)).toBe(true);

    const job = await waitForState(env, jobId);
    expect(job.state).toBe('SUCCEEDED');
    expect(logText(await readLog(env, jobId))).toBe('started\nfinished');
    await waitFor('the worker to evict the released bundle', async () => !existsSync(bundleDir), 10_000);
  });
});
