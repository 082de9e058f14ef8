import { createHash } from 'node:crypto';
import { chmod, mkdir, mkdtemp, readFile, rm, stat, symlink, writeFile } from 'node:fs/promises';
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
  return new BundleCache({ storeDir, apiUrl, cacheDir: path.join(root, `cache-${Math.random().toString(16).slice(2)}`) });
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
    const [a, b] = await Promise.all([cache.get(bundle.digest), cache.get(bundle.digest)]);
    expect(a).toBe(b);
    expect(await cache.get(bundle.digest)).toBe(a);
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
    const dir = await newCache(store).get(bundle.digest);
    expect(await readFile(path.join(dir, 'x.txt'), 'utf8')).toBe('from store');
    expect(hits.get(bundle.digest)).toBeUndefined();

    const other = await pack(async (d) => writeFile(path.join(d, 'y.txt'), 'tampered'));
    const fakeDigest = 'a'.repeat(64);
    await writeFile(path.join(store, `${fakeDigest}.tar.gz`), other.bytes);
    await expect(newCache(store).get(fakeDigest)).rejects.toThrow(/has sha256/);
  });

  it('refuses a download whose bytes do not match the digest', async () => {
    const bundle = await pack(async (dir) => writeFile(path.join(dir, 'x.txt'), 'x'));
    const wanted = 'b'.repeat(64);
    served.set(wanted, bundle.bytes);
    const cache = newCache();
    const err = await cache.get(wanted).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(PermanentInfraError);
    expect((err as Error).message).toMatch(new RegExp(`has sha256 ${bundle.digest}`));
  });

  it('a bundle missing everywhere is a transient error (BullMQ retries it)', async () => {
    const err = await newCache().get('c'.repeat(64)).catch((e: unknown) => e);
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
    await expect(newCache().get(bundle.digest)).rejects.toThrow(/is a SymbolicLink/);
  });

  it('refuses something that is not a digest', async () => {
    await expect(newCache().get('../../etc')).rejects.toBeInstanceOf(PermanentInfraError);
  });
});
