import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { randomBytes } from 'node:crypto';
import { mkdir, mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { Redis } from 'ioredis';
import { WebSocket } from 'ws';
import type { ImportResult, ServerMessage } from '@shelf/contract';
import { createApp } from '../../src/app.js';
import { createJobServices, registerJobMetrics, type JobServices } from '../../src/jobs/index.js';
import type { MaxLimits } from '../../src/jobs/jobLimits.js';
import { attachJobsWebSocket, type JobsSocketOptions } from '../../src/live/wsGateway.js';
import { createLogger } from '../../src/logger.js';
import { createMetrics } from '../../src/metrics.js';
import type { ReadinessCheck } from '../../src/routes/operations.js';
import { jobRoutes } from '../../src/routes/jobs.js';
import { createCatalogServices, type CatalogServices } from '../../src/services.js';
import { writeItem, type ItemSpec } from '../catalogHarness.js';

export const redisUrl = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';

export const defaultMaxLimits: MaxLimits = { memory: '512Mi', cpus: 1, pids: 256, timeoutSeconds: 3600 };

export interface JobsHarness {
  url: string;
  wsUrl: string;
  prefix: string;
  redis: Redis;
  catalog: CatalogServices;
  jobs: JobServices;
  /** Imports an item folder written from `spec` through the real local import path. */
  importItem: (spec: ItemSpec, folder?: string) => Promise<ImportResult>;
  close: () => Promise<void>;
}

export interface HarnessOptions {
  maxLimits?: MaxLimits;
  socket?: Partial<Omit<JobsSocketOptions, 'events' | 'logs' | 'logger'>>;
  readiness?: (redis: Redis, catalog: CatalogServices) => ReadinessCheck[];
}

/** A real Shelf API with the jobs feature and /ws/jobs, on an ephemeral loopback port, with its own Redis prefix. */
export async function startJobsApi(opts: HarnessOptions = {}): Promise<JobsHarness> {
  const tmp = await mkdtemp(path.join(os.tmpdir(), 'shelf-jobs-test-'));
  const root = path.join(tmp, 'items');
  await mkdir(root, { recursive: true });
  const redis = new Redis(redisUrl);
  const prefix = `test-${randomBytes(6).toString('hex')}`;
  const logger = createLogger('silent');
  const catalog = await createCatalogServices(redis, {
    redisPrefix: prefix,
    bundlesDir: path.join(tmp, 'bundles'),
    localRoots: [root],
    maxBundleBytes: 50 * 1024 * 1024,
  });
  const jobs = await createJobServices(redis, {
    keys: catalog.keys,
    registry: catalog.registry,
    logger,
    maxLimits: opts.maxLimits ?? defaultMaxLimits,
  });
  const metrics = createMetrics();
  registerJobMetrics(metrics.registry, { ...jobs, logger });
  const app = createApp({
    ...catalog,
    logger,
    metrics,
    maxJsonBytes: 1024 * 1024,
    readiness: opts.readiness?.(redis, catalog) ?? [],
    extraRoutes: [jobRoutes({ jobs })],
  });
  const server = http.createServer(app);
  const closeSocket = attachJobsWebSocket(server, { events: jobs.events, logs: jobs.store, logger, ...opts.socket });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  let items = 0;
  return {
    url: `http://127.0.0.1:${port}`,
    wsUrl: `ws://127.0.0.1:${port}/ws/jobs`,
    prefix,
    redis,
    catalog,
    jobs,
    importItem: async (spec, folder) => {
      const dir = await writeItem(path.join(root, folder ?? `item-${items++}`), spec);
      return catalog.imports.importLocal(dir, 'test');
    },
    close: async () => {
      await closeSocket();
      await jobs.close();
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
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

export async function request(method: string, url: string, body?: unknown): Promise<{ status: number; body: any }> {
  const res = await fetch(url, {
    method,
    headers: body === undefined ? {} : { 'content-type': 'application/json' },
    body: body === undefined ? undefined : typeof body === 'string' ? body : JSON.stringify(body),
  });
  return { status: res.status, body: await res.json() };
}

/** A WebSocket client that records every message and can wait for one that matches. */
export class TestSocket {
  readonly messages: ServerMessage[] = [];
  private waiters: { match: (m: ServerMessage) => boolean; resolve: (m: ServerMessage) => void }[] = [];
  closed: Promise<{ code: number; reason: string }>;

  private constructor(readonly ws: WebSocket) {
    ws.on('message', (data) => {
      const message = JSON.parse(String(data)) as ServerMessage;
      this.messages.push(message);
      this.waiters = this.waiters.filter((w) => (w.match(message) ? (w.resolve(message), false) : true));
    });
    this.closed = new Promise((resolve) => ws.on('close', (code, reason) => resolve({ code, reason: String(reason) })));
  }

  static async open(url: string, options: ConstructorParameters<typeof WebSocket>[2] = {}): Promise<TestSocket> {
    const ws = new WebSocket(url, options);
    const socket = new TestSocket(ws);
    await new Promise<void>((resolve, reject) => {
      ws.once('open', () => resolve());
      ws.once('error', reject);
    });
    return socket;
  }

  send(value: unknown): void {
    this.ws.send(typeof value === 'string' ? value : JSON.stringify(value));
  }

  /** The first message (already received or coming) that matches. */
  next<T extends ServerMessage>(match: (m: ServerMessage) => boolean, timeoutMs = 5000): Promise<T> {
    const seen = this.messages.find(match);
    if (seen) return Promise.resolve(seen as T);
    return new Promise<T>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`no matching message within ${timeoutMs} ms`)), timeoutMs);
      this.waiters.push({
        match,
        resolve: (m) => {
          clearTimeout(timer);
          resolve(m as T);
        },
      });
    });
  }

  logs(jobId: string): Extract<ServerMessage, { type: 'log' }>[] {
    return this.messages.filter((m): m is Extract<ServerMessage, { type: 'log' }> => m.type === 'log' && m.jobId === jobId);
  }

  async close(): Promise<void> {
    if (this.ws.readyState !== WebSocket.CLOSED) this.ws.close();
    await this.closed;
  }
}
