import path from 'node:path';
import type { Redis } from 'ioredis';
import { WebSocket } from 'ws';
import type { ImportResult, ServerMessage } from '@shelf/contract';
import type { JobServices } from '../../src/jobs/index.js';
import type { MaxLimits } from '../../src/jobs/jobLimits.js';
import type { CatalogServices } from '../../src/services.js';
import { writeItem, type ItemSpec } from '../catalogHarness.js';
import { asAdmin, startShelfApi, type ShelfApi, type ShelfApiOptions } from './shelfApi.js';

export { adminToken, asAdmin, defaultMaxLimits, deletePrefix, redisUrl } from './shelfApi.js';

export interface JobsHarness {
  url: string;
  wsUrl: string;
  prefix: string;
  redis: Redis;
  catalog: CatalogServices;
  jobs: JobServices;
  api: ShelfApi;
  /** Imports an item folder written from `spec` through the real local import path, as the admin. */
  importItem: (spec: ItemSpec, folder?: string) => Promise<ImportResult>;
  close: () => Promise<void>;
}

export interface HarnessOptions {
  maxLimits?: MaxLimits;
  socket?: ShelfApiOptions['socket'];
  readiness?: ShelfApiOptions['readiness'];
}

/** A real Shelf API with the jobs feature and /ws/jobs, on an ephemeral loopback port, with its own Redis prefix. */
export async function startJobsApi(opts: HarnessOptions = {}): Promise<JobsHarness> {
  const api = await startShelfApi({ maxLimits: opts.maxLimits, socket: opts.socket, readiness: opts.readiness ?? (() => []) });
  let items = 0;
  return {
    url: api.url,
    wsUrl: api.wsUrl,
    prefix: api.prefix,
    redis: api.redis,
    catalog: api.catalog,
    jobs: api.jobs!,
    api,
    importItem: async (spec, folder) => {
      const dir = await writeItem(path.join(api.root, folder ?? `item-${items++}`), spec);
      const res = await request('POST', `${api.url}/api/catalog/local/import`, { path: dir });
      if (res.status >= 300) throw new Error(`import failed: ${res.status} ${JSON.stringify(res.body)}`);
      return res.body as ImportResult;
    },
    close: api.close,
  };
}

/** A JSON request as the admin (SHELF_ADMIN_TOKEN) unless `headers` say otherwise. */
export async function request(method: string, url: string, body?: unknown, headers: Record<string, string> = asAdmin): Promise<{ status: number; body: any }> {
  const res = await fetch(url, {
    method,
    headers: body === undefined ? headers : { 'content-type': 'application/json', ...headers },
    body: body === undefined ? undefined : typeof body === 'string' ? body : JSON.stringify(body),
  });
  const text = await res.text();
  return { status: res.status, body: text ? JSON.parse(text) : null };
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

  /** Opens as the admin unless other `credentials` (headers; `{}` for none) are given. */
  static async open(url: string, options: ConstructorParameters<typeof WebSocket>[2] = {}, credentials: Record<string, string> = asAdmin): Promise<TestSocket> {
    const ws = new WebSocket(url, { ...options, headers: { ...credentials, ...(options?.headers as Record<string, string> | undefined) } });
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
