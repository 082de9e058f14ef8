import { createHash, randomBytes, randomUUID } from 'node:crypto';
import { execFile } from 'node:child_process';
import { chmod, mkdir, mkdtemp, readdir, readFile, rename, rm, rmdir, writeFile } from 'node:fs/promises';
import { promisify } from 'node:util';
import os from 'node:os';
import path from 'node:path';
import {
  finishedStates,
  QueueName,
  redisKeys,
  type JobDetail,
  type JobLimits,
  type LogLine,
  type Manifest,
  type RedisKeys,
  type RunJobData,
  type VersionRecord,
} from '@shelf/contract';
import { JobRecords, NamedSecrets, RegistryReader, SecretBox, WorkerRegistry, type SecretInputs } from '@shelf/records';
import { Queue } from 'bullmq';
import Docker from 'dockerode';
import { Redis } from 'ioredis';
import { create as createTar } from 'tar';
import { loadConfig, type Config } from '../src/config.js';
import { createLogger } from '../src/logger.js';
import { Label } from '../src/runners/sandboxPolicy.js';
import { startWorker, type WorkerHandle } from '../src/startWorker.js';

export const REDIS_URL = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';
export const Image = {
  shell: 'shelf/runtime-shell:1',
  python: 'shelf/runtime-python:1',
  node: 'shelf/runtime-node:1',
} as const;

export const docker = new Docker();

/** One test file's world: its own Redis prefix, bundle store, worker cache and queue. */
export interface TestEnv {
  prefix: string;
  keys: RedisKeys;
  redis: Redis;
  /** The job records as the API uses them: jobs are submitted, read and cancelled through them. */
  records: JobRecords;
  queue: Queue<RunJobData>;
  root: string;
  storeDir: string;
  cacheDir: string;
  /** Environment for a worker of this world (in-process via {@link startTestWorker}, or a child process). */
  workerEnv: Record<string, string>;
  /** The world's secrets key (its workers get it as SHELF_SECRETS_KEY) and its named secrets, as the API keeps them. */
  secretBox: SecretBox;
  namedSecrets: NamedSecrets;
  cleanup(): Promise<void>;
}

export async function createTestEnv(env: Record<string, string> = {}): Promise<TestEnv> {
  const prefix = `test-${randomBytes(5).toString('hex')}`;
  const keys = redisKeys(prefix);
  const root = await mkdtemp(path.join(os.tmpdir(), 'shelf-worker-test-'));
  const storeDir = path.join(root, 'bundles');
  const cacheDir = path.join(root, 'cache');
  await mkdir(storeDir, { recursive: true });
  const redisUrl = env.REDIS_URL ?? REDIS_URL;
  const redis = new Redis(redisUrl, { maxRetriesPerRequest: null, retryStrategy: () => 200 });
  const queue = new Queue<RunJobData>(QueueName.run, { connection: redis, prefix: keys.bullPrefix });
  const secretsKey = randomBytes(32);
  const secretBox = SecretBox.fromKey(secretsKey);
  const workerEnv: Record<string, string> = {
    REDIS_URL: redisUrl,
    SHELF_REDIS_PREFIX: prefix,
    SHELF_BUNDLES_DIR: storeDir,
    SHELF_WORKER_CACHE: cacheDir,
    // Nothing listens there: every bundle must come from the store unless a test says otherwise.
    SHELF_API_URL: 'http://127.0.0.1:9',
    SHELF_LOG_LEVEL: 'silent',
    SHELF_WORKER_CONCURRENCY: '4',
    SHELF_DATA_DIR: path.join(root, 'data'),
    SHELF_SECRETS_KEY: secretsKey.toString('base64'),
    ...env,
  };
  return {
    prefix,
    keys,
    redis,
    records: new JobRecords(redis, keys, new RegistryReader(redis, keys), secretBox),
    secretBox,
    namedSecrets: new NamedSecrets(redis, keys, secretBox),
    queue,
    root,
    storeDir,
    cacheDir,
    workerEnv,
    async cleanup() {
      await queue.close();
      const stale = await docker.listContainers({ all: true, filters: { label: [`${Label.installation}=${prefix}`] } });
      await Promise.all(stale.map((c) => docker.getContainer(c.Id).remove({ force: true }).catch(() => undefined)));
      await removeRuncInstallation(prefix);
      const found = await redis.keys(`${prefix}:*`);
      for (let i = 0; i < found.length; i += 500) await redis.del(...found.slice(i, i + 500));
      await redis.quit();
      await rm(root, { recursive: true, force: true });
    },
  };
}

export function testConfig(env: TestEnv, overrides: Record<string, string> = {}): Config {
  return loadConfig({ ...env.workerEnv, ...overrides });
}

/** An in-process worker for this world; close it before `cleanup()`. */
export async function startTestWorker(env: TestEnv, overrides: Record<string, string> = {}): Promise<WorkerHandle> {
  const config = testConfig(env, overrides);
  return startWorker(config, createLogger(config.logLevel, config.workerId));
}

export interface ItemFiles {
  [name: string]: string | { content: string; mode: number };
}

export interface PublishedItem {
  itemId: string;
  itemName: string;
  version: string;
  digest: string;
}

/**
 * What an import leaves behind, minus validation: a bundle `<digest>.tar.gz` in the store
 * and a VersionRecord in Redis.
 */
export async function publishItem(
  env: TestEnv,
  files: ItemFiles,
  manifest: { image: string; command: string[]; network?: 'none' | 'egress'; secrets?: string[] },
  itemId = `item-${randomBytes(4).toString('hex')}`,
): Promise<PublishedItem> {
  const version = '1.0.0';
  const dir = await mkdtemp(path.join(env.root, 'item-'));
  for (const [name, file] of Object.entries(files)) {
    const target = path.join(dir, name);
    await mkdir(path.dirname(target), { recursive: true });
    await writeFile(target, typeof file === 'string' ? file : file.content);
    await chmod(target, typeof file === 'string' ? 0o644 : file.mode);
  }
  const tmpFile = path.join(env.root, `${randomUUID()}.tar.gz`);
  await createTar({ gzip: true, portable: true, cwd: dir, file: tmpFile }, Object.keys(files));
  const digest = createHash('sha256').update(await readFile(tmpFile)).digest('hex');
  await rename(tmpFile, path.join(env.storeDir, `${digest}.tar.gz`));
  const fullManifest: Manifest = {
    id: itemId,
    name: `Test ${itemId}`,
    version,
    runtime: { image: manifest.image, command: manifest.command },
    network: manifest.network ?? 'none',
    ...(manifest.secrets ? { secrets: manifest.secrets } : {}),
  };
  const record: VersionRecord = {
    id: itemId,
    version,
    manifest: fullManifest,
    schema: { type: 'object' },
    uiSchema: {},
    readme: '',
    digest,
    source: { kind: 'local', path: dir, importedAt: new Date().toISOString(), importedBy: 'test' },
    contentHash: digest,
    size: 0,
    createdAt: new Date().toISOString(),
  };
  await env.redis.hset(env.keys.versions(itemId), version, JSON.stringify(record));
  return { itemId, itemName: fullManifest.name, version, digest };
}

export const defaultLimits: JobLimits = { memoryBytes: 256 * 1024 * 1024, cpus: 0.5, pids: 64, timeoutSeconds: 60 };

export interface EnqueueOptions {
  inputs?: Record<string, unknown>;
  limits?: Partial<JobLimits>;
  attempts?: number;
  backoffMs?: number;
  /** Secret inputs by JSON pointer, sealed beside the job as the API does (the stored inputs should show '********' there). */
  secretInputs?: SecretInputs;
  /** Runs between writing the job record and queueing it (say, to cancel it the way the API would). */
  beforeQueue?: (jobId: string) => Promise<void>;
}

/** What the API's enqueue does: the QUEUED job record (through JobRecords, as the API), then the queue entry. */
export async function enqueueJob(env: TestEnv, item: PublishedItem, opts: EnqueueOptions = {}): Promise<string> {
  const { id } = await env.records.create({
    itemId: item.itemId,
    itemName: item.itemName,
    version: item.version,
    digest: item.digest,
    inputs: opts.inputs ?? {},
    limits: { ...defaultLimits, ...opts.limits },
    submittedBy: { id: 'admin-token', username: 'admin-token' },
  }, new Date(), 0, opts.secretInputs);
  await opts.beforeQueue?.(id);
  await env.queue.add(
    'run',
    { jobId: id, itemId: item.itemId, version: item.version, digest: item.digest },
    { jobId: id, attempts: opts.attempts ?? 3, backoff: { type: 'exponential', delay: opts.backoffMs ?? 1000 } },
  );
  return id;
}

/** A heartbeat as a worker `workerId` (5 s beats) would have written it at `seenAt`, for a worker that is not there. */
export async function writeHeartbeat(env: TestEnv, workerId: string, seenAt: Date): Promise<void> {
  await new WorkerRegistry(env.redis, env.keys).beat({
    workerId,
    host: 'elsewhere',
    version: '0.1.0',
    runner: 'docker',
    labels: [],
    docker: true,
    concurrency: 1,
    running: [],
    state: 'active',
    startedAt: seenAt.toISOString(),
    seenAt: seenAt.toISOString(),
    intervalMs: 5000,
  });
}

/** The job as `GET /api/jobs/:id` shows it. */
export async function jobDetail(env: TestEnv, jobId: string): Promise<JobDetail> {
  const job = await env.records.detail(jobId);
  if (!job) throw new Error(`job ${jobId} is not stored`);
  return job;
}

/** Polls until the job is in one of `states` (by default: finished). */
export async function waitForState(
  env: TestEnv,
  jobId: string,
  states: readonly string[] = finishedStates,
  timeoutMs = 60_000,
): Promise<JobDetail> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const job = await jobDetail(env, jobId);
    if (states.includes(job.state)) return job;
    if (Date.now() > deadline) throw new Error(`job ${jobId} still ${job.state} after ${timeoutMs} ms; wanted ${states.join('|')}`);
    await sleep(100);
  }
}

export async function waitFor<T>(what: string, probe: () => Promise<T | undefined | false>, timeoutMs = 30_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value !== undefined && value !== false) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await sleep(100);
  }
}

export async function readLog(env: TestEnv, jobId: string): Promise<LogLine[]> {
  return env.records.readLog(jobId, 0, Number.MAX_SAFE_INTEGER);
}

export function logText(lines: LogLine[]): string {
  return lines.map((l) => l.line).join('\n');
}

/** The runners a sandbox test runs against: Docker everywhere, runc where the host has it. */
export const runners = ['docker', 'runc'] as const;

/** One sandbox of a job, whichever runner made it. */
export interface SandboxInfo {
  Id: string;
  Labels: Record<string, string>;
  runner: 'docker' | 'runc';
}

/** The job's Docker containers and runc containers (of any installation) that still exist. */
export async function containersOfJob(jobId: string): Promise<SandboxInfo[]> {
  const containers = await docker.listContainers({ all: true, filters: { label: [`${Label.job}=${jobId}`] } });
  const found: SandboxInfo[] = containers.map((c) => ({ Id: c.Id, Labels: c.Labels, runner: 'docker' }));
  for (const installation of await readdir(RUNC_STATE_BASE).catch(() => [] as string[])) {
    for (const id of await readdir(path.join(RUNC_STATE_BASE, installation, 'state')).catch(() => [] as string[])) {
      // Ids are <job id>+<worker id>+<random>: see RuncRunner.
      const [job, worker] = id.split('+');
      if (job === jobId) found.push({ Id: id, Labels: { [Label.job]: job, [Label.worker]: worker ?? '' }, runner: 'runc' });
    }
  }
  return found;
}

const RUNC_STATE_BASE = '/run/shelf-runc';
const exec = promisify(execFile);

/** Deletes a test installation's runc containers, state and cgroups. */
async function removeRuncInstallation(prefix: string): Promise<void> {
  const dir = path.join(RUNC_STATE_BASE, prefix);
  const root = path.join(dir, 'state');
  for (const id of await readdir(root).catch(() => [] as string[])) {
    await exec('runc', ['--root', root, 'delete', '--force', id]).catch(() => undefined);
  }
  await rm(dir, { recursive: true, force: true });
  for (const controller of await readdir('/sys/fs/cgroup').catch(() => [] as string[])) {
    await rmdir(path.join('/sys/fs/cgroup', controller, 'shelf-runc', prefix)).catch(() => undefined);
  }
}

export function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
