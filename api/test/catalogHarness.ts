import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { randomBytes } from 'node:crypto';
import { Redis } from 'ioredis';
import { createApp } from '../src/app.js';
import { createLogger } from '../src/logger.js';
import { createMetrics } from '../src/metrics.js';
import { createCatalogServices, type CatalogServices } from '../src/services.js';
import type { BundleLimits } from '../src/bundles/bundleLimits.js';

export interface CatalogHarness {
  url: string;
  tmp: string;
  /** the allowed local root */
  root: string;
  bundlesDir: string;
  redis: Redis;
  services: CatalogServices;
  close: () => Promise<void>;
}

/** A real Shelf API (catalog part) on an ephemeral loopback port, with its own Redis prefix and folders. */
export async function startCatalogApi(opts: { maxBundleBytes?: number; bundleLimits?: BundleLimits } = {}): Promise<CatalogHarness> {
  const tmp = await mkdtemp(path.join(os.tmpdir(), 'shelf-api-test-'));
  const root = path.join(tmp, 'items');
  const bundlesDir = path.join(tmp, 'bundles');
  await mkdir(root, { recursive: true });
  const redis = new Redis(process.env.REDIS_URL ?? 'redis://127.0.0.1:6379');
  const prefix = `test-${randomBytes(6).toString('hex')}`;
  const services = await createCatalogServices(redis, {
    redisPrefix: prefix,
    bundlesDir,
    localRoots: [root],
    maxBundleBytes: opts.maxBundleBytes ?? 50 * 1024 * 1024,
    bundleLimits: opts.bundleLimits,
  });
  const app = createApp({
    ...services,
    logger: createLogger('silent'),
    metrics: createMetrics(),
    maxJsonBytes: 1024 * 1024,
    readiness: [{ name: 'redis', check: async () => void (await redis.ping()) }],
  });
  const server = http.createServer(app);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    tmp,
    root,
    bundlesDir,
    redis,
    services,
    close: async () => {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
      const keys = await redis.keys(`${prefix}:*`);
      if (keys.length) await redis.del(...keys);
      await redis.quit();
      await rm(tmp, { recursive: true, force: true });
    },
  };
}

export interface ItemSpec {
  id?: string;
  version?: string;
  name?: string;
  extra?: Record<string, string>;
  manifest?: string;
  schema?: string;
}

/** Writes a small valid item folder (overridable piece by piece) and returns its path. */
export async function writeItem(dir: string, spec: ItemSpec = {}): Promise<string> {
  const id = spec.id ?? 'hello';
  await mkdir(dir, { recursive: true });
  const manifest =
    spec.manifest ??
    [
      `id: ${id}`,
      `name: ${spec.name ?? 'Hello'}`,
      `version: ${spec.version ?? '1.0.0'}`,
      'description: Says hello.',
      'owner: platform-team',
      'tags: [demo]',
      'runtime:',
      '  image: shelf/runtime-shell:1',
      '  command: ["bash", "main.sh"]',
      '',
    ].join('\n');
  await writeFile(path.join(dir, 'manifest.yaml'), manifest);
  await writeFile(
    path.join(dir, 'schema.json'),
    spec.schema ?? JSON.stringify({ type: 'object', properties: { name: { type: 'string', default: 'world' } } }),
  );
  await writeFile(path.join(dir, 'main.sh'), 'echo "hello $(jq -r .name "$SHELF_INPUT")"\n', { mode: 0o755 });
  for (const [file, content] of Object.entries(spec.extra ?? {})) {
    await mkdir(path.dirname(path.join(dir, file)), { recursive: true });
    await writeFile(path.join(dir, file), content);
  }
  return dir;
}

export async function postJson(url: string, body: unknown): Promise<{ status: number; body: any }> {
  const res = await fetch(url, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
  return { status: res.status, body: await res.json() };
}

export async function getJson(url: string): Promise<{ status: number; body: any }> {
  const res = await fetch(url);
  return { status: res.status, body: await res.json() };
}

/** Uploads bytes as the multipart field `bundle`, the way `curl -F bundle=@x.tgz` does. */
export async function uploadBundle(url: string, bytes: Buffer | Uint8Array, fileName = 'item.tar.gz'): Promise<{ status: number; body: any }> {
  const form = new FormData();
  form.append('bundle', new Blob([bytes]), fileName);
  const res = await fetch(`${url}/api/catalog/bundle/upload`, { method: 'POST', body: form });
  return { status: res.status, body: await res.json() };
}
