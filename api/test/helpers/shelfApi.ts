import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { randomBytes } from 'node:crypto';
import { mkdir, mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { Redis } from 'ioredis';
import { createApp } from '../../src/app.js';
import { createAuthServices, type AuthOptions, type AuthServices } from '../../src/auth/index.js';
import type { AuthSettings } from '../../src/auth/authSettings.js';
import type { BundleLimits } from '@shelf/contract/itemFolder';
import { createGitServices, type GitServiceOptions, type GitServices } from '../../src/git/index.js';
import { createJobServices, registerJobMetrics, type JobServices } from '../../src/jobs/index.js';
import type { MaxLimits } from '../../src/jobs/jobLimits.js';
import { attachJobsWebSocket, type JobsSocketOptions } from '../../src/live/wsGateway.js';
import { createLogger } from '../../src/logger.js';
import { createMetrics, type Metrics } from '../../src/metrics.js';
import { createNotifyServices, type NotifyOptions, type NotifyServices } from '../../src/notify/index.js';
import { createSecretServices, type SecretServices } from '../../src/secrets/index.js';
import { createScheduleServices, type ScheduleServices } from '../../src/schedules/index.js';
import { createPresetServices } from '../../src/presets/index.js';
import { InputValidator } from '../../src/jobs/inputValidator.js';
import type { ReadinessCheck } from '../../src/routes/operations.js';
import { createCatalogServices, type CatalogServices } from '../../src/services.js';
import type { RuntimeRules } from '../../src/auth/policy.js';
import type { StoreQuotaLimits } from '../../src/imports/storeQuota.js';
import { requestRateLimit, type RequestRateLimits } from '../../src/auth/requestRateLimit.js';
import { createWorkerServices, registerWorkerMetrics, type WorkerServices } from '../../src/workers/index.js';

export const redisUrl = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';

/** SHELF_ADMIN_TOKEN of every test API: tests authenticate, nothing is switched off for them. */
export const adminToken = 'test-admin-token-0123456789abcdef0123456789abcdef';
export const asAdmin = { authorization: `Bearer ${adminToken}` } as const;

export const defaultMaxLimits: MaxLimits = { memory: '512Mi', cpus: 1, pids: 256, timeoutSeconds: 3600 };

export interface ShelfApiOptions {
  maxBundleBytes?: number;
  bundleLimits?: BundleLimits;
  maxLimits?: MaxLimits;
  /** false: the catalog alone, no jobs feature and no /ws/jobs. */
  jobs?: boolean;
  socket?: Partial<Omit<JobsSocketOptions, 'events' | 'logs' | 'logger' | 'jobs' | 'auth'>>;
  readiness?: (redis: Redis, catalog: CatalogServices) => ReadinessCheck[];
  /** The Git feature, with these options; its consumer runs in-process like in main.ts. */
  git?: Partial<Omit<GitServiceOptions, 'keys' | 'importLog' | 'logger' | 'store' | 'registry' | 'archive' | 'bundlesDir'>> & { webhookSecret?: string };
  /** AuthSettings fields to override (public URL, OIDC, limits). */
  auth?: Partial<AuthSettings>;
  createOidc?: AuthOptions['createOidc'];
  /** A fixed port (OIDC tests register the redirect URI first); 0 picks a free one. */
  port?: number;
  /** The allowed local-import root; a fresh temp folder by default. */
  localRoot?: string;
  /** SHELF_ALLOWED_IMAGES / SHELF_EGRESS_PUBLISHERS; the defaults otherwise. */
  runtimeRules?: RuntimeRules;
  /** Job inputs quotas; the defaults otherwise. */
  inputQuota?: { maxJobBytes: number; maxUserBytes: number };
  /** Bundle store quotas; the defaults otherwise. */
  storeQuota?: StoreQuotaLimits;
  /** Webhooks, callbacks and mail, with these options; its event feed and consumer run in-process like in main.ts. */
  notify?: Partial<Omit<NotifyOptions, 'keys' | 'logger' | 'audit' | 'users'>>;
  /** Another API on the data of a stopped one (see `stop`): its Redis prefix. A fresh one otherwise. */
  redisPrefix?: string;
  /** SHELF_SECRETS_KEY; a key file in the temp data folder otherwise. */
  secretsKey?: string;
  /** SHELF_MIN_SCHEDULE_SECONDS (60 otherwise). */
  minScheduleSeconds?: number;
  /** false: this API does not consume schedule ticks (another one does). */
  scheduleConsumer?: boolean;
  /** SHELF_MAX_ACTIVE_JOBS_PER_USER (20 otherwise). */
  maxActiveJobsPerUser?: number;
  /**
   * SHELF_RATE_LIMIT_PER_MINUTE / SHELF_UPLOAD_RATE_LIMIT_PER_MINUTE. Tests make far more requests
   * a minute than people do, so the limiter runs with roomy limits unless a test sets its own.
   */
  rateLimits?: RequestRateLimits;
}

export interface ShelfApi {
  url: string;
  wsUrl: string;
  tmp: string;
  /** The allowed local-import root. */
  root: string;
  bundlesDir: string;
  prefix: string;
  redis: Redis;
  catalog: CatalogServices;
  auth: AuthServices;
  jobs?: JobServices;
  git?: GitServices;
  notify?: NotifyServices;
  secrets: SecretServices;
  schedules?: ScheduleServices;
  workers: WorkerServices;
  metrics: Metrics;
  server: http.Server;
  /** Stops serving and consuming like a process that exits, keeping its Redis data (not its files) for another API (`redisPrefix`). */
  stop: () => Promise<void>;
  /** Stops and deletes everything it stored. */
  close: () => Promise<void>;
}

/**
 * A real Shelf API on loopback, wired as main.ts wires it (createApp with its areas, the
 * WebSocket gateway, the Git consumer), with its own Redis prefix and temp folders.
 */
export async function startShelfApi(opts: ShelfApiOptions = {}): Promise<ShelfApi> {
  const tmp = await mkdtemp(path.join(os.tmpdir(), 'shelf-api-test-'));
  const root = opts.localRoot ?? path.join(tmp, 'items');
  const bundlesDir = path.join(tmp, 'bundles');
  await mkdir(root, { recursive: true });
  const redis = new Redis(redisUrl);
  const prefix = opts.redisPrefix ?? `test-${randomBytes(6).toString('hex')}`;
  const logger = createLogger('silent');
  const metrics = createMetrics();
  const catalog = await createCatalogServices(redis, {
    redisPrefix: prefix,
    bundlesDir,
    localRoots: [root],
    maxBundleBytes: opts.maxBundleBytes ?? 50 * 1024 * 1024,
    bundleLimits: opts.bundleLimits,
    runtimeRules: opts.runtimeRules,
    storeQuota: opts.storeQuota,
  });
  const port = opts.port ?? 0;
  const settings: AuthSettings = {
    publicUrl: `http://127.0.0.1:${port}`,
    allowedHosts: [],
    adminToken,
    dataDir: path.join(tmp, 'data'),
    sessionIdleMs: 60 * 60_000,
    sessionMaxMs: 24 * 3_600_000,
    loginMaxFailures: 5,
    auditMaxEntries: 10_000,
    ...opts.auth,
  };
  const auth = await createAuthServices(redis, { keys: catalog.keys, settings, logger, createOidc: opts.createOidc });
  const notify = opts.notify ? await createNotifyServices(redis, { keys: catalog.keys, logger, audit: auth.audit, users: auth.users, publicUrl: settings.publicUrl, authKey: undefined, dataDir: settings.dataDir, allow: [], publications: catalog.publications, ...opts.notify }) : undefined;
  const secrets = await createSecretServices(redis, { keys: catalog.keys, secretsKey: opts.secretsKey, dataDir: settings.dataDir });
  const jobs = opts.jobs === false ? undefined : await createJobServices(redis, { keys: catalog.keys, registry: catalog.registry, logger, maxLimits: opts.maxLimits ?? defaultMaxLimits, allowedImages: opts.runtimeRules?.allowedImages, inputQuota: opts.inputQuota, maxActiveJobsPerUser: opts.maxActiveJobsPerUser, audit: auth.audit, callbacks: notify, secrets });
  if (jobs) registerJobMetrics(metrics.registry, { ...jobs, logger });
  const workers = createWorkerServices(redis, { keys: catalog.keys });
  registerWorkerMetrics(metrics.registry, { workers, logger });
  const schedules = jobs
    ? await createScheduleServices(redis, { keys: catalog.keys, logger, box: secrets.box, minIntervalSeconds: opts.minScheduleSeconds ?? 60, jobs, users: auth.users, adminTokenEnabled: true, audit: auth.audit })
    : undefined;
  const stopSchedules = opts.scheduleConsumer === false ? undefined : await schedules?.start();
  const presets = createPresetServices(redis, { keys: catalog.keys, registry: catalog.registry, inputs: new InputValidator() });
  const git = opts.git ? createGitServices(redis, { ...catalog, logger, metrics, gitAllow: [], ...opts.git, bundlesDir }) : undefined;
  const stopConsumer = await git?.startConsumer();
  const stopNotify = await notify?.start();

  const app = createApp({
    logger,
    metrics,
    maxJsonBytes: 1024 * 1024,
    readiness: opts.readiness?.(redis, catalog) ?? [{ name: 'redis', check: async () => void (await redis.ping()) }],
    auth,
    catalog,
    jobs,
    git: git ? { services: git, webhookSecret: opts.git?.webhookSecret } : undefined,
    notify,
    secrets,
    schedules: schedules ? { schedules, presets } : undefined,
    workers,
    rateLimit: requestRateLimit(redis, catalog.keys, opts.rateLimits ?? { perMinute: 100_000, uploadsPerMinute: 10_000 }),
  });
  const server = http.createServer(app);
  const closeSocket = jobs ? attachJobsWebSocket(server, { events: jobs.events, logs: jobs.records, jobs: jobs.records, auth, logger, ...opts.socket }) : undefined;
  await new Promise<void>((resolve) => server.listen(port, '127.0.0.1', resolve));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  let stopped = false;
  const stop = async () => {
    if (stopped) return;
    stopped = true;
    await closeSocket?.();
    await stopSchedules?.();
    await schedules?.close();
    await jobs?.close();
    await stopConsumer?.();
    await git?.close();
    await stopNotify?.();
    await notify?.close();
    server.closeAllConnections();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  };
  return {
    url,
    wsUrl: `${url.replace('http', 'ws')}/ws/jobs`,
    tmp,
    root,
    bundlesDir,
    prefix,
    redis,
    catalog,
    auth,
    jobs,
    git,
    notify,
    secrets,
    schedules,
    workers,
    metrics,
    server,
    stop: async () => {
      await stop();
      await redis.quit();
      await rm(tmp, { recursive: true, force: true });
    },
    close: async () => {
      await stop();
      await deletePrefix(redis, prefix);
      await redis.quit();
      await rm(tmp, { recursive: true, force: true });
    },
  };
}

/** Deletes every key under `prefix`, in batches (some tests store 100,000 jobs). */
export async function deletePrefix(redis: Redis, prefix: string): Promise<void> {
  let cursor = '0';
  do {
    const [next, batch] = await redis.scan(cursor, 'MATCH', `${prefix}:*`, 'COUNT', 10_000);
    cursor = next;
    if (batch.length) await redis.unlink(...batch);
  } while (cursor !== '0');
}
