import { mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import type { Redis } from 'ioredis';
import type { CatalogServices } from '../src/services.js';
import type { BundleLimits } from '@shelf/contract/itemFolder';
import { asAdmin, startShelfApi, type ShelfApi } from './helpers/shelfApi.js';

export interface CatalogHarness {
  url: string;
  tmp: string;
  /** the allowed local root */
  root: string;
  bundlesDir: string;
  redis: Redis;
  services: CatalogServices;
  api: ShelfApi;
  close: () => Promise<void>;
}

/** A real Shelf API (catalog part) on an ephemeral loopback port, with its own Redis prefix and folders. */
export async function startCatalogApi(opts: { maxBundleBytes?: number; bundleLimits?: BundleLimits } = {}): Promise<CatalogHarness> {
  const api = await startShelfApi({ ...opts, jobs: false });
  return { url: api.url, tmp: api.tmp, root: api.root, bundlesDir: api.bundlesDir, redis: api.redis, services: api.catalog, api, close: api.close };
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

/** As the admin unless `headers` say otherwise. */
export async function postJson(url: string, body: unknown, headers: Record<string, string> = asAdmin): Promise<{ status: number; body: any }> {
  const res = await fetch(url, { method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body: JSON.stringify(body) });
  return { status: res.status, body: await res.json() };
}

export async function getJson(url: string, headers: Record<string, string> = asAdmin): Promise<{ status: number; body: any }> {
  const res = await fetch(url, { headers });
  return { status: res.status, body: await res.json() };
}

/** Uploads bytes as the multipart field `bundle`, the way `curl -F bundle=@x.tgz` does. */
export async function uploadBundle(url: string, bytes: Buffer | Uint8Array, fileName = 'item.tar.gz', headers: Record<string, string> = asAdmin): Promise<{ status: number; body: any }> {
  const form = new FormData();
  form.append('bundle', new Blob([bytes]), fileName);
  const res = await fetch(`${url}/api/catalog/bundle/upload`, { method: 'POST', body: form, headers });
  return { status: res.status, body: await res.json() };
}
