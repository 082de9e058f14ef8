import { createHash } from 'node:crypto';
import { existsSync } from 'node:fs';
import { chmod, mkdir, mkdtemp, readdir, readFile, rm, stat, symlink, utimes, writeFile } from 'node:fs/promises';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { create as createTar } from 'tar';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BundleCache } from '../src/bundleCache.js';
import { PermanentInfraError } from '../src/errors.js';

let root: string;
let server: http.Server;
let apiUrl: string;
const served = new Map<string, Buffer>();
const hits = new Map<string, number>();

beforeAll(async () => {
  root = await mkdtemp(path.join(os.tmpdir(), 'shelf-bundle-cache-'));
  // A stand-in for GET /api/bundles/:digest.
  server = http.createServer((req, res) => {
    const digest = /^\/api\/bundles\/([a-f0-9]{64})$/.exec(req.url ?? '')?.[1];
    const body = digest ? served.get(digest) : undefined;
    if (!digest || !body) return void res.writeHead(404).end();
    hits.set(digest, (hits.get(digest) ?? 0) + 1);
    res.writeHead(200, { 'Content-Type': 'application/gzip' }).end(body);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  apiUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});

afterAll(async () => {
  server.closeAllConnections();
  await new Promise((resolve) => server.close(resolve));
  await rm(root, { recursive: true, force: true });
});

/** Packs a folder built by `build` and returns the archive bytes and digest. */
async function pack(build: (dir: string) => Promise<void>): Promise<{ bytes: Buffer; digest: string }> {
  const dir = await mkdtemp(path.join(root, 'src-'));
  await build(dir);
  const file = path.join(root, `${path.basename(dir)}.tar.gz`);
  await createTar({ gzip: true, portable: true, cwd: dir, file }, ['.']);
  const bytes = await readFile(file);
  return { bytes, digest: createHash('sha256').update(bytes).digest('hex') };
}

function newCache(storeDir = path.join(root, 'empty-store')) {
  return new BundleCache({ storeDir, apiUrl, cacheDir: path.join(root, `cache-${Math.random().toString(16).slice(2)}`), maxBytes: 1 << 30, staleLeaseMs: 60_000 });
}

/** The folder of an acquired bundle, released at once: the tests below only read it. */
async function dirOf(cache: BundleCache, digest: string): Promise<string> {
  const lease = await cache.acquire(digest);
  await lease.release();
  return lease.dir;
}

describe('bundle cache', () => {
  it('fetches a bundle the shared store lacks over HTTP, once, and unpacks it readable for the sandbox user', async () => {
    const bundle = await pack(async (dir) => {
      await mkdir(path.join(dir, 'lib'));
      await writeFile(path.join(dir, 'main.sh'), 'echo hi\n');
      await chmod(path.join(dir, 'main.sh'), 0o700);
      await writeFile(path.join(dir, 'lib', 'data.txt'), 'data\n');
      await chmod(path.join(dir, 'lib', 'data.txt'), 0o600);
    });
    served.set(bundle.digest, bundle.bytes);
    const cache = newCache();
    const [a, b] = await Promise.all([dirOf(cache, bundle.digest), dirOf(cache, bundle.digest)]);
    expect(a).toBe(b);
    expect(await dirOf(cache, bundle.digest)).toBe(a);
    expect(hits.get(bundle.digest)).toBe(1);
    expect(await readFile(path.join(a, 'lib', 'data.txt'), 'utf8')).toBe('data\n');
    expect((await stat(path.join(a, 'main.sh'))).mode & 0o777).toBe(0o755);
    expect((await stat(path.join(a, 'lib', 'data.txt'))).mode & 0o777).toBe(0o644);
    expect((await stat(path.join(a, 'lib'))).mode & 0o777).toBe(0o755);
  });

  it('prefers the shared store and checks its digest', async () => {
    const bundle = await pack(async (dir) => writeFile(path.join(dir, 'x.txt'), 'from store'));
    const store = path.join(root, 'store');
    await mkdir(store, { recursive: true });
    await writeFile(path.join(store, `${bundle.digest}.tar.gz`), bundle.bytes);
    const dir = await dirOf(newCache(store), bundle.digest);
    expect(await readFile(path.join(dir, 'x.txt'), 'utf8')).toBe('from store');
    expect(hits.get(bundle.digest)).toBeUndefined();

    const other = await pack(async (d) => writeFile(path.join(d, 'y.txt'), 'tampered'));
    const fakeDigest = 'a'.repeat(64);
    await writeFile(path.join(store, `${fakeDigest}.tar.gz`), other.bytes);
    await expect(newCache(store).acquire(fakeDigest)).rejects.toThrow(/has sha256/);
  });

  it('refuses a download whose bytes do not match the digest', async () => {
    const bundle = await pack(async (dir) => writeFile(path.join(dir, 'x.txt'), 'x'));
    const wanted = 'b'.repeat(64);
    served.set(wanted, bundle.bytes);
    const cache = newCache();
    const err = await cache.acquire(wanted).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(PermanentInfraError);
    expect((err as Error).message).toMatch(new RegExp(`has sha256 ${bundle.digest}`));
  });

  it('a bundle missing everywhere is a transient error (BullMQ retries it)', async () => {
    const err = await newCache().acquire('c'.repeat(64)).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(Error);
    expect(err).not.toBeInstanceOf(PermanentInfraError);
    expect((err as Error).message).toMatch(/HTTP 404/);
  });

  it('refuses archives with links (defence in depth; the API never stores them)', async () => {
    const bundle = await pack(async (dir) => {
      await writeFile(path.join(dir, 'ok.txt'), 'ok');
      await symlink('/etc/passwd', path.join(dir, 'passwd'));
    });
    served.set(bundle.digest, bundle.bytes);
    await expect(newCache().acquire(bundle.digest)).rejects.toThrow(/is a SymbolicLink/);
  });

  it('refuses something that is not a digest', async () => {
    await expect(newCache().acquire('../../etc')).rejects.toBeInstanceOf(PermanentInfraError);
  });
});

describe('bundle cache limit', () => {
  const store = () => path.join(root, 'sized-store');

  /** A bundle in the shared store holding one file of `bytes` bytes (`tag` makes its digest its own). */
  async function sized(tag: string, bytes = 1000): Promise<string> {
    const bundle = await pack(async (dir) => writeFile(path.join(dir, `${tag}.bin`), Buffer.alloc(bytes, tag)));
    await mkdir(store(), { recursive: true });
    await writeFile(path.join(store(), `${bundle.digest}.tar.gz`), bundle.bytes);
    return bundle.digest;
  }

  function limitedCache(maxBytes: number, cacheDir = path.join(root, `cache-${Math.random().toString(16).slice(2)}`)) {
    return { cacheDir, cache: new BundleCache({ storeDir: store(), apiUrl, cacheDir, maxBytes, staleLeaseMs: 60_000 }) };
  }

  async function use(cache: BundleCache, digest: string): Promise<void> {
    await (await cache.acquire(digest)).release();
  }

  const onDisk = (cacheDir: string, digest: string) => existsSync(path.join(cacheDir, 'bundles', digest));

  it('evicts the least recently used bundle when a new one takes it over its limit', async () => {
    const [a, b, c, d] = await Promise.all([sized('a'), sized('b'), sized('c'), sized('d')]);
    const { cache, cacheDir } = limitedCache(2500);
    await use(cache, a);
    await use(cache, b);
    await use(cache, a); // b is now the least recently used
    await use(cache, c);
    expect([a, b, c].map((x) => onDisk(cacheDir, x))).toEqual([true, false, true]);
    expect(cache.usage()).toEqual({ bytes: 2000, bundles: new Map([[a, 1000], [c, 1000]]) });
    await use(cache, d);
    expect([a, c, d].map((x) => onDisk(cacheDir, x))).toEqual([false, true, true]);
    // Renamed away, then deleted: nothing is left behind.
    expect((await readdir(path.join(cacheDir, 'tmp'))).filter((n) => n.startsWith('evicted-'))).toEqual([]);
    await use(cache, b); // unpacked again
    expect(onDisk(cacheDir, b)).toBe(true);
  });

  it('never evicts a bundle a job holds: the cache goes over its limit, and shrinks once it is released', async () => {
    const [a, b] = await Promise.all([sized('held-a'), sized('held-b')]);
    const { cache, cacheDir } = limitedCache(1500);
    const leaseA = await cache.acquire(a);
    const leaseB = await cache.acquire(b);
    await cache.evictIfOver();
    expect(cache.usage().bytes).toBe(2000);
    expect(await readFile(path.join(leaseA.dir, 'held-a.bin'), 'utf8')).toHaveLength(1000);
    await leaseA.release();
    expect(onDisk(cacheDir, a)).toBe(false);
    expect(cache.usage().bytes).toBe(1000);
    await leaseA.release(); // twice is harmless: it does not count as B's release
    expect(await readFile(path.join(leaseB.dir, 'held-b.bin'), 'utf8')).toHaveLength(1000);
    await leaseB.release();
    expect(onDisk(cacheDir, b)).toBe(true); // within the limit now
  });

  it('does not evict a bundle held by another worker sharing the folder', async () => {
    const a = await sized('shared-a');
    const holder = limitedCache(1 << 30);
    const lease = await holder.cache.acquire(a);
    const other = limitedCache(1, holder.cacheDir).cache;
    await other.open();
    expect(other.usage().bundles).toEqual(new Map([[a, 1000]]));
    await other.evictIfOver();
    expect(onDisk(holder.cacheDir, a)).toBe(true);
    await lease.release();
    await other.evictIfOver();
    expect(onDisk(holder.cacheDir, a)).toBe(false);
    // The holder learns of it, and unpacks the bundle again when it needs it.
    await holder.cache.evictIfOver();
    expect(holder.cache.usage().bytes).toBe(0);
    await use(holder.cache, a);
    expect(onDisk(holder.cacheDir, a)).toBe(true);
  });

  it('after a restart, knows the bundles already unpacked, their sizes and which was used last', async () => {
    const [a, b] = await Promise.all([sized('restart-a', 1200), sized('restart-b', 800)]);
    const before = limitedCache(1 << 30);
    await use(before.cache, a);
    await use(before.cache, b);
    const hourAgo = new Date(Date.now() - 3_600_000);
    await utimes(path.join(before.cacheDir, 'bundles', a), hourAgo, hourAgo);

    const after = limitedCache(1500, before.cacheDir).cache;
    await after.open();
    expect(after.usage()).toEqual({ bytes: 2000, bundles: new Map([[a, 1200], [b, 800]]) });
    await after.evictIfOver();
    expect([a, b].map((x) => onDisk(before.cacheDir, x))).toEqual([false, true]);
  });
});
