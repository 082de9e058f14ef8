// Routing by labels (SPEC §11) with several real worker processes — started as `npm start` starts
// one, each with its own SHELF_WORKER_LABELS — on one Redis, a real API, and real containers.
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { JobDetailAnswer, WorkerSummary } from '@shelf/contract';
import { writeItem } from './catalogHarness.js';
import { apiClient } from './helpers/apiClient.js';
import { adminToken, redisUrl, startShelfApi, type ShelfApi } from './helpers/shelfApi.js';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');

let api: ShelfApi;
let call: ReturnType<typeof apiClient>['call'];
let cacheRoot: string;
const processes: WorkerProcess[] = [];

interface WorkerProcess {
  id: string;
  child: ChildProcess;
  output: () => string;
  stop: () => Promise<void>;
}

/** A worker process on the test API's Redis prefix and bundle store, beating every 500 ms. */
async function startWorkerProcess(id: string, env: Record<string, string> = {}): Promise<WorkerProcess> {
  const child = spawn(process.execPath, ['--import', 'tsx', 'worker/src/main.ts'], {
    cwd: root,
    env: {
      ...process.env,
      REDIS_URL: redisUrl,
      SHELF_REDIS_PREFIX: api.prefix,
      SHELF_WORKER_ID: id,
      SHELF_BUNDLES_DIR: api.bundlesDir,
      SHELF_API_URL: api.url,
      SHELF_ADMIN_TOKEN: adminToken,
      SHELF_WORKER_CACHE: path.join(cacheRoot, id),
      SHELF_DATA_DIR: path.join(api.tmp, 'data'),
      SHELF_HEARTBEAT_MS: '500',
      SHELF_SHUTDOWN_GRACE_MS: '5000',
      SHELF_LOG_LEVEL: 'info',
      ...env,
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let log = '';
  child.stdout!.on('data', (d: Buffer) => (log += d.toString()));
  child.stderr!.on('data', (d: Buffer) => (log += d.toString()));
  const worker: WorkerProcess = {
    id,
    child,
    output: () => log,
    stop: () =>
      new Promise<void>((resolve) => {
        if (child.exitCode !== null || child.signalCode !== null) return resolve();
        child.once('exit', () => resolve());
        child.kill('SIGTERM');
        setTimeout(() => child.kill('SIGKILL'), 15_000).unref();
      }),
  };
  processes.push(worker);
  await until(`worker ${id} to beat`, async () => (await workerState(id)) === 'active', 60_000, worker);
  return worker;
}

async function until<T>(what: string, check: () => Promise<T | undefined | false>, timeoutMs = 60_000, worker?: WorkerProcess): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await check();
    if (value) return value;
    if (worker && worker.child.exitCode !== null) throw new Error(`worker ${worker.id} exited while waiting for ${what}:\n${worker.output()}`);
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 150));
  }
}

async function workerState(id: string): Promise<WorkerSummary['state'] | undefined> {
  const { body } = await call('GET', '/api/workers');
  return (body.items as WorkerSummary[]).find((w) => w.id === id)?.state;
}

async function importItem(id: string, runsOn: string[] | undefined, script: string): Promise<void> {
  const manifest = [`id: ${id}`, `name: ${id}`, 'version: 1.0.0', 'runtime:', '  image: shelf/runtime-shell:1', '  command: ["bash", "main.sh"]', ...(runsOn ? [`runsOn: [${runsOn.join(', ')}]`] : []), ''].join('\n');
  const dir = await writeItem(path.join(api.root, id), { id, manifest, extra: { 'main.sh': script } });
  const res = await call('POST', '/api/catalog/local/import', { path: dir });
  expect(res.status, JSON.stringify(res.body)).toBe(201);
}

async function submit(itemId: string): Promise<string> {
  const res = await call('POST', '/api/jobs', { itemId });
  expect(res.status, JSON.stringify(res.body)).toBe(202);
  return res.body.id as string;
}

async function detail(id: string): Promise<JobDetailAnswer> {
  return (await call('GET', `/api/jobs/${id}`)).body as JobDetailAnswer;
}

function finished(id: string, timeoutMs = 60_000): Promise<JobDetailAnswer> {
  return until(`job ${id} to finish`, async () => {
    const job = await detail(id);
    return ['SUCCEEDED', 'FAILED', 'CANCELLED'].includes(job.state) ? job : undefined;
  }, timeoutMs);
}

beforeAll(async () => {
  api = await startShelfApi();
  call = apiClient(api.url).call;
  cacheRoot = await mkdtemp(path.join(os.tmpdir(), 'shelf-routing-'));
  await importItem('plain', undefined, 'echo plain\nsleep 0.3\n');
  await importItem('on-gpu', ['gpu'], 'echo gpu\nsleep 0.3\n');
  await importItem('on-gpu-eu', ['gpu', 'eu-west'], 'echo gpu-eu\n');
  await importItem('slow-plain', undefined, 'echo slow\nsleep 3\n');
}, 60_000);

afterAll(async () => {
  await Promise.all(processes.map((p) => p.stop()));
  await api?.close();
  await rm(cacheRoot, { recursive: true, force: true });
});

describe('routing jobs by worker labels', { timeout: 180_000 }, () => {
  it('an item refuses a label that is not one, naming it', async () => {
    const manifest = ['id: bad-label', 'name: bad', 'version: 1.0.0', 'runtime:', '  image: shelf/runtime-shell:1', '  command: ["bash", "main.sh"]', 'runsOn: [GPU]', ''].join('\n');
    const dir = await writeItem(path.join(api.root, 'bad-label'), { id: 'bad-label', manifest });
    const res = await call('POST', '/api/catalog/local/import', { path: dir });
    expect(res.status).toBe(422);
    expect(JSON.stringify(res.body)).toContain('/runsOn/0');
  });

  it('a gpu job never runs on the plain worker; a plain job runs on either', async () => {
    const plain = await startWorkerProcess('w-plain');
    const gpu = await startWorkerProcess('w-gpu', { SHELF_WORKER_LABELS: 'gpu' });
    const gpuJobs = await Promise.all(Array.from({ length: 6 }, () => submit('on-gpu')));
    const plainJobs = await Promise.all(Array.from({ length: 6 }, () => submit('plain')));
    for (const id of gpuJobs) {
      const job = await finished(id);
      expect(job.state).toBe('SUCCEEDED');
      expect(job.runsOn).toEqual(['gpu']);
      expect(job.workerId).toBe(gpu.id);
    }
    const ranOn = new Set<string | null>();
    for (const id of plainJobs) {
      const job = await finished(id);
      expect(job.state).toBe('SUCCEEDED');
      ranOn.add(job.workerId);
    }
    expect([...ranOn].every((w) => w === plain.id || w === gpu.id)).toBe(true);
    // Each worker lists its labels, and /metrics counts each label set's queue apart.
    const { body } = await call('GET', '/api/workers');
    expect((body.items as WorkerSummary[]).find((w) => w.id === gpu.id)?.labels).toEqual(['gpu']);
    const metrics = await (await fetch(`${api.url}/metrics`, { headers: { authorization: `Bearer ${adminToken}` } })).text();
    expect(metrics).toMatch(/shelf_queue_depth\{state="completed",runs_on="gpu"\} 6/);
    expect(metrics).toMatch(/shelf_job_queue_wait_seconds_count\{runs_on="gpu"\} 6/);
  });

  it('a job no live worker can take says why on its page, and runs once such a worker starts', async () => {
    const id = await submit('on-gpu-eu');
    const waiting = await detail(id);
    expect(waiting.state).toBe('QUEUED');
    expect(waiting.waitingFor?.labels).toEqual(['eu-west', 'gpu']);
    expect(waiting.waitingFor?.reason).toMatch(/^waiting for a worker with labels eu-west, gpu: no live worker has them all \(.*w-gpu: gpu.*\)$/);
    // The gpu worker covers only part of it: several beats later the job still waits.
    await new Promise((r) => setTimeout(r, 2000));
    expect((await detail(id)).state).toBe('QUEUED');

    const both = await startWorkerProcess('w-gpu-eu', { SHELF_WORKER_LABELS: 'eu-west,gpu' });
    const job = await finished(id);
    expect(job.state).toBe('SUCCEEDED');
    expect(job.workerId).toBe(both.id);
    expect(job.waitingFor).toBeUndefined();
    await both.stop();
  });

  it('a job whose only able worker is drained says so, and runs once it resumes', async () => {
    expect((await call('POST', '/api/workers/w-gpu/drain')).status).toBe(202);
    await until('w-gpu to be drained', async () => (await workerState('w-gpu')) === 'drained');
    const id = await submit('on-gpu');
    // The API looks at the fleet at most every 2 s, so the reason may take a moment to follow the drain.
    const reason = 'waiting for a worker with label gpu: worker w-gpu, the one that has it, is draining or drained';
    await until('the job to say its worker is drained', async () => (await detail(id)).waitingFor?.reason === reason, 10_000);
    expect((await call('POST', '/api/workers/w-gpu/resume')).status).toBe(202);
    const job = await finished(id);
    expect(job.workerId).toBe('w-gpu');
  });

  it("one worker's concurrency covers all its queues: a job of another queue waits for the slot", async () => {
    // The plain worker is drained, so both jobs go to w-one, which runs one job at a time.
    expect((await call('POST', '/api/workers/w-plain/drain')).status).toBe(202);
    expect((await call('POST', '/api/workers/w-gpu/drain')).status).toBe(202);
    await until('w-plain and w-gpu to be drained', async () => (await workerState('w-plain')) === 'drained' && (await workerState('w-gpu')) === 'drained');
    const one = await startWorkerProcess('w-one', { SHELF_WORKER_LABELS: 'gpu', SHELF_WORKER_CONCURRENCY: '1' });
    const slow = await submit('slow-plain');
    await until('the slow job to run', async () => (await detail(slow)).state === 'RUNNING');
    const gpuJob = await submit('on-gpu');
    const [a, b] = [await finished(slow), await finished(gpuJob)];
    expect([a.workerId, b.workerId]).toEqual([one.id, one.id]);
    // The gpu job was taken while the slot was busy, handed back, and started only after the slow one ended.
    expect(Date.parse(b.startedAt!)).toBeGreaterThanOrEqual(Date.parse(a.finishedAt!));
    for (const w of ['w-plain', 'w-gpu']) expect((await call('POST', `/api/workers/${w}/resume`)).status).toBe(202);
  });

  it('a worker killed with SIGKILL is listed stale', async () => {
    const doomed = await startWorkerProcess('w-doomed', { SHELF_WORKER_LABELS: 'gpu' });
    doomed.child.kill('SIGKILL');
    await until('w-doomed to be stale', async () => (await workerState('w-doomed')) === 'stale', 10_000);
  });
});
