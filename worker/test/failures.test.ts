import { existsSync } from 'node:fs';
import path from 'node:path';
import { JobState } from '@shelf/contract';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { defaultAllowedImages } from '@shelf/contract';
import type { WorkerHandle } from '../src/startWorker.js';
import {
  Image,
  containersOfJob,
  createTestEnv,
  docker,
  enqueueJob,
  logText,
  publishItem,
  readLog,
  runners,
  startTestWorker,
  waitFor,
  waitForState,
  type TestEnv,
} from './helpers.js';

let env: TestEnv;
let worker: WorkerHandle;

const shell = (script: string) => publishItem(env, { 'main.sh': script }, { image: Image.shell, command: ['bash', 'main.sh'] });
const python = (script: string) => publishItem(env, { 'main.py': script }, { image: Image.python, command: ['python3', 'main.py'] });

/** BullMQ's view once it settled: how many attempts were made. */
async function bullOutcome(jobId: string, world = env) {
  return waitFor(`BullMQ to settle ${jobId}`, async () => {
    // The state first: a job read before it finished would carry no return value yet.
    const state = await world.queue.getJobState(jobId);
    if (state !== 'completed' && state !== 'failed') return undefined;
    const job = (await world.queue.getJob(jobId))!;
    return { state, attemptsMade: job.attemptsMade, returnvalue: job.returnvalue as unknown };
  });
}

// Every case but the image allow-list (checked before any runner is asked) runs on both runners.
describe.each(runners)('on %s', (runner) => {
  beforeAll(async () => {
    env = await createTestEnv();
    // The missing image is allowed, so that its job gets as far as Docker.
    const allowedImages = [...defaultAllowedImages, 'shelf/not-an-image:1'].join(',');
    worker = await startTestWorker(env, { SHELF_WORKER_CONCURRENCY: '6', SHELF_ALLOWED_IMAGES: allowedImages, SHELF_RUNNER: runner });
    expect(worker.runner).toBe(runner);
  }, 60_000);

  afterAll(async () => {
    await worker?.close();
    await env?.cleanup();
  });

  describe.concurrent('a job that fails', { timeout: 60_000 }, () => {
    it('ends FAILED with EXIT on a non-zero exit, keeps its log, and is not retried', async () => {
      const jobId = await enqueueJob(env, await shell('echo "about to fail"\necho "details" >&2\nexit 3'), { attempts: 3 });
      const job = await waitForState(env, jobId);
      expect(job.state).toBe('FAILED');
      expect(job.error).toEqual({ code: 'EXIT', message: 'the script exited with code 3' });
      expect(job.exitCode).toBe(3);
      expect(job.outputs).toBeNull();
      expect(logText(await readLog(env, jobId))).toContain('about to fail');
      expect(await bullOutcome(jobId)).toMatchObject({ state: 'failed', attemptsMade: 1 });
      expect(await containersOfJob(jobId)).toEqual([]);
    });

    it('keeps the outputs of a failed job and leads its error with the sentence the script reported, secrets masked', async () => {
      const secret = 's3cr3t-db-password';
      const item = await publishItem(
        env,
        {
          'main.sh':
            'echo "reading rows"\n' +
            `jq -n --arg pw "$(cat /run/secrets/DB_PASSWORD)" '{error: "malformed CSV\\n  at line 4 (password \\($pw))", plan: "+ one\\n+ two", rows: 3}' > "$SHELF_OUTPUT"\n` +
            'exit 1',
        },
        { image: Image.shell, command: ['bash', 'main.sh'], secrets: ['DB_PASSWORD'] },
      );
      await env.namedSecrets.create({ name: 'DB_PASSWORD', value: secret, items: [item.itemId], description: '' }, 'test');
      const jobId = await enqueueJob(env, item, { attempts: 3 });
      const job = await waitForState(env, jobId);
      expect(job.state).toBe('FAILED');
      // One line, and the secret masked in the message and in the outputs alike.
      expect(job.error).toEqual({ code: 'EXIT', message: 'malformed CSV at line 4 (password ********) (exit code 1)' });
      expect(job.outputs).toEqual({ error: 'malformed CSV\n  at line 4 (password ********)', plan: '+ one\n+ two', rows: 3 });
      expect(JSON.stringify(job)).not.toContain(secret);
      expect(await bullOutcome(jobId)).toMatchObject({ state: 'failed', attemptsMade: 1 });
    });

    it('a failed job without an error output keeps its other outputs and the plain exit message', async () => {
      const kept = await waitForState(env, await enqueueJob(env, await shell('echo \'{"error": 42, "partial": true}\' > "$SHELF_OUTPUT"\nexit 4')));
      expect(kept.error).toEqual({ code: 'EXIT', message: 'the script exited with code 4' });
      expect(kept.outputs).toEqual({ error: 42, partial: true });
    });

    it('a failed job with invalid outputs stays EXIT, keeps none, and says why', async () => {
      const notJson = await waitForState(env, await enqueueJob(env, await shell('echo "{oops" > "$SHELF_OUTPUT"\nexit 2')));
      expect(notJson.error?.code).toBe('EXIT');
      expect(notJson.error?.message).toMatch(/^the script exited with code 2 \(its outputs were not kept: \$SHELF_OUTPUT is not valid JSON/);
      expect(notJson.outputs).toBeNull();
      const tooBig = await waitForState(env, await enqueueJob(env, await python('import json, os, sys\njson.dump({"error": "x" * 2_000_000}, open(os.environ["SHELF_OUTPUT"], "w"))\nsys.exit(1)\n')));
      expect(tooBig.error?.message).toMatch(/^the script exited with code 1 \(its outputs were not kept: the job wrote 2000013 bytes/);
      expect(tooBig.outputs).toBeNull();
    });

    it('ends FAILED with TIMEOUT when it runs past its timeout', async () => {
      // 3 s, not 1: the timeout counts from the start request, and a loaded Docker may take a second to start it.
      const jobId = await enqueueJob(env, await shell('echo started\nsleep 60'), { limits: { timeoutSeconds: 3 } });
      const started = Date.now();
      const job = await waitForState(env, jobId);
      expect(job.error).toEqual({ code: 'TIMEOUT', message: 'the job ran longer than its 3 s timeout and was stopped' });
      expect(job.state).toBe('FAILED');
      expect(Date.now() - started).toBeLessThan(15_000);
      expect(logText(await readLog(env, jobId))).toContain('started');
      expect(await bullOutcome(jobId)).toMatchObject({ state: 'failed', attemptsMade: 1 });
      expect(await containersOfJob(jobId)).toEqual([]);
    });

    it('ends FAILED with OOM when the kernel kills it for memory', async () => {
      const item = await python('hog = []\nprint("allocating", flush=True)\nwhile True:\n    hog.append("x" * 10_000_000)\n');
      const jobId = await enqueueJob(env, item, { limits: { memoryBytes: 64 * 1024 * 1024 } });
      const job = await waitForState(env, jobId);
      expect(job.state).toBe('FAILED');
      expect(job.error).toEqual({ code: 'OOM', message: 'the job ran out of memory (limit 64 MiB) and was killed' });
      expect(job.exitCode).toBe(137);
      expect(await containersOfJob(jobId)).toEqual([]);
    });

    it('ends FAILED with OUTPUT when $SHELF_OUTPUT holds more than 1 MB', async () => {
      const item = await python('import json, os\njson.dump({"blob": "x" * 2_000_000}, open(os.environ["SHELF_OUTPUT"], "w"))\n');
      const job = await waitForState(env, await enqueueJob(env, item));
      expect(job.state).toBe('FAILED');
      expect(job.error?.code).toBe('OUTPUT');
      expect(job.error?.message).toMatch(/wrote 2000012 bytes to \$SHELF_OUTPUT; the limit is 1048576 bytes/);
      expect(job.exitCode).toBe(0);
      expect(job.outputs).toBeNull();
    });

    it('ends FAILED with OUTPUT when $SHELF_OUTPUT is not a JSON object', async () => {
      const notJson = await waitForState(env, await enqueueJob(env, await shell('echo "{oops" > "$SHELF_OUTPUT"')));
      expect(notJson.error?.code).toBe('OUTPUT');
      expect(notJson.error?.message).toMatch(/not valid JSON/);
      const array = await waitForState(env, await enqueueJob(env, await shell('echo "[1, 2]" > "$SHELF_OUTPUT"')));
      expect(array.error).toEqual({ code: 'OUTPUT', message: '$SHELF_OUTPUT must hold a JSON object' });
    });

    it('succeeds with outputs null when nothing was written to $SHELF_OUTPUT', async () => {
      const job = await waitForState(env, await enqueueJob(env, await shell('echo quiet')));
      expect(job.state).toBe('SUCCEEDED');
      expect(job.outputs).toBeNull();
    });

    it('retries an infrastructure problem, then ends FAILED with INFRA', async () => {
      const item = await publishItem(env, { 'main.sh': 'echo hi' }, { image: 'shelf/not-an-image:1', command: ['bash', 'main.sh'] });
      const jobId = await enqueueJob(env, item, { attempts: 2, backoffMs: 200 });
      const job = await waitForState(env, jobId);
      expect(job.state).toBe('FAILED');
      expect(job.error).toEqual({ code: 'INFRA', message: 'image shelf/not-an-image:1 is not available on this worker host' });
      expect(await bullOutcome(jobId)).toMatchObject({ state: 'failed', attemptsMade: 2 });
    });

    it('ends FAILED with INFRA at once when its version is not in the registry', async () => {
      const item = await shell('echo hi');
      await env.redis.hdel(env.keys.versions(item.itemId), item.version);
      const jobId = await enqueueJob(env, item, { attempts: 3 });
      const job = await waitForState(env, jobId);
      expect(job.error?.code).toBe('INFRA');
      expect(job.error?.message).toMatch(/not in the registry/);
      expect(await bullOutcome(jobId)).toMatchObject({ state: 'failed', attemptsMade: 1 });
    });
  });

  describe.concurrent('cancelling', { timeout: 60_000 }, () => {
    it('a running job: its container is killed and removed, the job stays CANCELLED', async () => {
      const jobId = await enqueueJob(env, await shell('echo started\nsleep 120'));
      await waitFor('the job to print', async () => logText(await readLog(env, jobId)).includes('started'));
      expect(await containersOfJob(jobId)).toHaveLength(1);

      // What the API does on POST /api/jobs/:id/cancel.
      expect(await env.records.cancel(jobId, JobState.RUNNING, 'the user')).toMatchObject({ state: 'CANCELLED' });
      await env.records.requestKill(jobId);

      const started = Date.now();
      await waitFor('the container to go', async () => (await containersOfJob(jobId)).length === 0, 10_000);
      expect(Date.now() - started).toBeLessThan(5_000);
      expect(await bullOutcome(jobId)).toMatchObject({ state: 'completed', returnvalue: { outcome: 'CANCELLED' } });
      const job = await env.records.summary(jobId);
      expect(job).toMatchObject({ state: 'CANCELLED', error: { code: 'CANCELLED', message: 'cancelled by the user' } });
    });

    it('a queued job: the worker skips it without starting a container', async () => {
      const jobId = await enqueueJob(env, await shell('echo should not run'), {
        beforeQueue: async (id) => {
          expect(await env.records.cancel(id, JobState.QUEUED, 'the user')).not.toBeNull();
        },
      });
      expect(await bullOutcome(jobId)).toMatchObject({ state: 'completed', returnvalue: { outcome: 'SKIPPED' } });
      expect((await env.records.summary(jobId))?.state).toBe('CANCELLED');
      expect(await readLog(env, jobId)).toEqual([]);
    });
  });
});

describe('a worker with a stricter SHELF_ALLOWED_IMAGES', { timeout: 60_000 }, () => {
  it('refuses a job whose image it does not allow: FAILED (INFRA) at once, before unpacking or creating anything', async ({ onTestFinished }) => {
    const strict = await createTestEnv();
    onTestFinished(() => strict.cleanup());
    const strictWorker = await startTestWorker(strict, { SHELF_ALLOWED_IMAGES: 'shelf/runtime-python:1, registry.local/*:*' });
    onTestFinished(() => strictWorker.close());
    // An image the host has, so only the worker's list stands in the way.
    const item = await publishItem(strict, { 'main.sh': 'echo should not run' }, { image: Image.shell, command: ['bash', 'main.sh'] });
    const since = Math.floor(Date.now() / 1000) - 1;
    const jobId = await enqueueJob(strict, item, { attempts: 3 });
    const job = await waitForState(strict, jobId);
    expect(job.state).toBe('FAILED');
    expect(job.error).toEqual({
      code: 'INFRA',
      message: 'image shelf/runtime-shell:1 is not allowed on this worker (SHELF_ALLOWED_IMAGES: shelf/runtime-python:1, registry.local/*:*)',
    });
    expect(await bullOutcome(jobId, strict)).toMatchObject({ state: 'failed', attemptsMade: 1 });
    expect(await readLog(strict, jobId)).toEqual([]);
    expect(existsSync(path.join(strict.cacheDir, 'bundles', item.digest))).toBe(false);
    const events = await docker.getEvents({ since, until: Math.ceil(Date.now() / 1000), filters: { label: [`shelf.job=${jobId}`] } });
    let seen = '';
    for await (const chunk of events as AsyncIterable<Buffer>) seen += chunk.toString();
    expect(seen).toBe(''); // Docker never heard of this job
  });
});
