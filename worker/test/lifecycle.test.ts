import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { once } from 'node:events';
import { describe, expect, it } from 'vitest';
import { projectRoot } from '../src/config.js';
import type { WorkerHandle } from '../src/startWorker.js';
import {
  Image,
  containersOfJob,
  createTestEnv,
  docker,
  enqueueJob,
  jobDetail,
  logText,
  publishItem,
  readLog,
  startTestWorker,
  waitFor,
  waitForState,
  writeHeartbeat,
  type TestEnv,
} from './helpers.js';

/** Short locks so a dead worker's job is noticed in seconds, not the default 30 s. */
const FAST_LOCKS = { SHELF_LOCK_MS: '2000', SHELF_STALLED_INTERVAL_MS: '1000' };

type Cleanup = (fn: () => Promise<void>) => void;

async function newEnv(cleanup: Cleanup): Promise<TestEnv> {
  const env = await createTestEnv(FAST_LOCKS);
  cleanup(() => env.cleanup());
  return env;
}

/** `node --import tsx worker/src/main.ts` as its own process (no npx in between: the pid is the worker's). */
async function spawnWorker(cleanup: Cleanup, env: TestEnv, extra: Record<string, string> = {}): Promise<{ child: ChildProcess; workerId: string; output: () => string }> {
  const workerId = `child-${randomBytes(3).toString('hex')}`;
  const child = spawn(process.execPath, ['--import', 'tsx', 'worker/src/main.ts'], {
    cwd: projectRoot,
    env: { PATH: process.env.PATH ?? '', ...env.workerEnv, SHELF_WORKER_ID: workerId, SHELF_LOG_LEVEL: 'info', ...extra },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  child.stdout!.on('data', (d: Buffer) => (output += d.toString()));
  child.stderr!.on('data', (d: Buffer) => (output += d.toString()));
  cleanup(async () => {
    if (child.exitCode === null && child.signalCode === null) {
      child.kill('SIGKILL');
      await once(child, 'exit');
    }
  });
  await waitFor(`worker ${workerId} to start`, async () => (await env.redis.exists(env.keys.worker(workerId))) === 1 || undefined, 30_000).catch(
    (err: Error) => {
      throw new Error(`${err.message}\n${output}`);
    },
  );
  return { child, workerId, output: () => output };
}

async function startLongJob(env: TestEnv, script = 'echo started\nsleep 120'): Promise<string> {
  const item = await publishItem(env, { 'main.sh': script }, { image: Image.shell, command: ['bash', 'main.sh'] });
  const jobId = await enqueueJob(env, item);
  await waitFor('the job to start printing', async () => logText(await readLog(env, jobId)).includes('started'), 30_000);
  return jobId;
}

describe.concurrent('worker lifecycle', { timeout: 90_000 }, () => {
  it('a worker killed with -9 mid-job: another worker ends the job FAILED (LOST) and removes its container', async ({ onTestFinished }) => {
    const env = await newEnv(onTestFinished);
    const { child, workerId } = await spawnWorker(onTestFinished, env);
    const jobId = await startLongJob(env);
    const [container] = await containersOfJob(jobId);
    expect(container?.Labels['shelf.worker']).toBe(workerId);

    child.kill('SIGKILL');
    await once(child, 'exit');
    const survivor: WorkerHandle = await startTestWorker(env);
    onTestFinished(() => survivor.close());

    const job = await waitForState(env, jobId, ['FAILED', 'SUCCEEDED', 'CANCELLED'], 30_000);
    expect(job.state).toBe('FAILED');
    expect(job.error?.code).toBe('LOST');
    expect(job.finishedAt).not.toBeNull();
    await waitFor('the dead worker’s container to be removed', async () => (await containersOfJob(jobId)).length === 0, 15_000);
  });

  it('at start-up a worker removes containers whose worker has no heartbeat or a stale one, and leaves live workers’ alone', async ({ onTestFinished }) => {
    const env = await newEnv(onTestFinished);
    const labelled = (worker: string) =>
      docker.createContainer({
        Image: Image.shell,
        Cmd: ['sleep', '60'],
        Labels: { 'shelf.job': `job-of-${worker}`, 'shelf.worker': worker, 'shelf.installation': env.prefix },
        HostConfig: { NetworkMode: 'none', AutoRemove: false },
      });
    const containers = await Promise.all(['ghost-worker', 'stale-worker', 'alive-worker'].map(labelled));
    await Promise.all(containers.map((c) => c.start()));
    await writeHeartbeat(env, 'alive-worker', new Date());
    // Its key is still there (kept an hour), but it missed three beats of 5 s.
    await writeHeartbeat(env, 'stale-worker', new Date(Date.now() - 16_000));

    const worker = await startTestWorker(env);
    onTestFinished(() => worker.close());
    expect(await containersOfJob('job-of-ghost-worker')).toEqual([]);
    expect(await containersOfJob('job-of-stale-worker')).toEqual([]);
    expect(await containersOfJob('job-of-alive-worker')).toHaveLength(1);
  });

  it('SIGTERM lets a running job finish within the grace period, then exits cleanly', async ({ onTestFinished }) => {
    const env = await newEnv(onTestFinished);
    const { child, workerId } = await spawnWorker(onTestFinished, env, { SHELF_SHUTDOWN_GRACE_MS: '20000' });
    const jobId = await startLongJob(env, 'echo started\nsleep 2\necho finished');
    child.kill('SIGTERM');
    const [code] = (await once(child, 'exit')) as [number | null];
    expect(code).toBe(0);
    const job = await jobDetail(env, jobId);
    expect(job.state).toBe('SUCCEEDED');
    expect(logText(await readLog(env, jobId))).toBe('started\nfinished');
    expect(await env.redis.exists(env.keys.worker(workerId))).toBe(0);
  });

  it('SIGTERM past the grace period stops the job: FAILED (LOST), container removed, clean exit', async ({ onTestFinished }) => {
    const env = await newEnv(onTestFinished);
    const { child } = await spawnWorker(onTestFinished, env, { SHELF_SHUTDOWN_GRACE_MS: '1000' });
    const jobId = await startLongJob(env);
    const stoppedAt = Date.now();
    child.kill('SIGTERM');
    const [code] = (await once(child, 'exit')) as [number | null];
    expect(code).toBe(0);
    expect(Date.now() - stoppedAt).toBeLessThan(10_000);
    const job = await jobDetail(env, jobId);
    expect(job.state).toBe('FAILED');
    expect(job.error).toEqual({ code: 'LOST', message: 'the worker shut down before the job finished' });
    expect(await containersOfJob(jobId)).toEqual([]);
  });
});
