import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { Redis } from 'ioredis';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');

/** SHELF_ADMIN_TOKEN of every Shelf these tests start: they authenticate like automation does. */
export const adminToken = 'e2e-admin-token-0123456789abcdef0123456789abcdef';
export const asAdmin = { authorization: `Bearer ${adminToken}` } as const;

export interface RunningShelf {
  url: string;
  prefix: string;
  tmp: string;
  output: () => string;
  /** Stops both processes (SIGTERM) and deletes what they stored, unless `keep` (for {@link startShelf}'s `again`). */
  stop: (opts?: { keep?: boolean }) => Promise<void>;
}

async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = net.createServer();
    srv.listen(0, '127.0.0.1', () => {
      const { port } = srv.address() as net.AddressInfo;
      srv.close(() => resolve(port));
    });
    srv.on('error', reject);
  });
}

/**
 * A whole Shelf — the API and a worker as separate processes, exactly as `npm start` runs
 * them — on an ephemeral loopback port with its own Redis prefix and bundle store.
 */
export async function startShelf(
  env: Record<string, string> = {},
  again?: Pick<RunningShelf, 'prefix' | 'tmp'>,
  /** What the worker alone is given on top of `env` (e.g. its own Redis user). */
  workerEnv: Record<string, string> = {},
): Promise<RunningShelf> {
  const port = await freePort();
  // `again`: a Shelf restarted on the data (Redis prefix, folders) of one stopped with `keep`.
  const prefix = again?.prefix ?? `e2e-${randomBytes(5).toString('hex')}`;
  const tmp = again?.tmp ?? (await mkdtemp(path.join(os.tmpdir(), 'shelf-e2e-')));
  const common = {
    ...process.env,
    SHELF_REDIS_PREFIX: prefix,
    SHELF_BUNDLES_DIR: path.join(tmp, 'bundles'),
    SHELF_WORKER_CACHE: path.join(tmp, 'worker-cache'),
    SHELF_API_URL: `http://127.0.0.1:${port}`,
    SHELF_LOG_LEVEL: 'warn',
    SHELF_ADMIN_TOKEN: adminToken,
    SHELF_DATA_DIR: path.join(tmp, 'data'),
    // These tests poll as one admin token faster than people click; the rate limit has tests of its own.
    SHELF_RATE_LIMIT_PER_MINUTE: '100000',
    SHELF_UPLOAD_RATE_LIMIT_PER_MINUTE: '10000',
    PORT: String(port),
    ...env,
  };
  let log = '';
  const children: ChildProcess[] = [];
  for (const [entry, own] of [['api/src/main.ts', {}], ['worker/src/main.ts', workerEnv]] as const) {
    const child = spawn(process.execPath, ['--import', 'tsx', entry], { cwd: root, env: { ...common, ...own }, stdio: ['ignore', 'pipe', 'pipe'] });
    child.stdout!.on('data', (d: Buffer) => (log += d.toString()));
    child.stderr!.on('data', (d: Buffer) => (log += d.toString()));
    children.push(child);
  }
  const url = `http://127.0.0.1:${port}`;
  const deadline = Date.now() + 60_000;
  for (;;) {
    try {
      const res = await fetch(`${url}/readyz`);
      const catalog = res.ok ? ((await (await fetch(`${url}/api/catalog`, { headers: asAdmin })).json()) as { items: unknown[] }) : undefined;
      if (catalog && catalog.items.length > 0) break;
    } catch {
      // not listening yet
    }
    // A start that fails takes the other process down with it: a worker left behind would go on
    // beating and taking jobs of later runs on the same Redis.
    const failed = Date.now() > deadline ? `Shelf did not become ready within 60 s` : children.some((c) => c.exitCode !== null) ? 'a Shelf process exited during start-up' : undefined;
    if (failed) {
      for (const c of children) if (c.exitCode === null) c.kill('SIGKILL');
      throw new Error(`${failed}:\n${log}`);
    }
    await new Promise((r) => setTimeout(r, 300));
  }
  return {
    url,
    prefix,
    tmp,
    output: () => log,
    stop: async ({ keep = false } = {}) => {
      await Promise.all(
        children.map(
          (c) =>
            new Promise<void>((resolve) => {
              if (c.exitCode !== null) return resolve();
              c.once('exit', () => resolve());
              c.kill('SIGTERM');
              setTimeout(() => c.kill('SIGKILL'), 15_000).unref();
            }),
        ),
      );
      if (keep) return;
      const redis = new Redis((common as Record<string, string | undefined>).REDIS_URL ?? 'redis://127.0.0.1:6379');
      const keys = await redis.keys(`${prefix}:*`);
      for (let i = 0; i < keys.length; i += 1000) await redis.del(...keys.slice(i, i + 1000));
      await redis.quit();
      await rm(tmp, { recursive: true, force: true });
    },
  };
}
