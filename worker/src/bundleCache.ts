import { createHash } from 'node:crypto';
import { createReadStream, createWriteStream } from 'node:fs';
import { chmod, mkdir, mkdtemp, readdir, rename, rm, stat } from 'node:fs/promises';
import path from 'node:path';
import { Readable, Transform } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import type { ReadableStream as WebReadableStream } from 'node:stream/web';
import { x as extractTar, type ReadEntry } from 'tar';
import { PermanentInfraError } from './errors.js';

const DIGEST = /^[a-f0-9]{64}$/;
const ENTRY_TYPES = new Set(['File', 'OldFile', 'ContiguousFile', 'Directory']);
/** Defence in depth: the API already refused bundles past these (SPEC 3). */
const MAX_ENTRIES = 5_000;
const MAX_UNPACKED_BYTES = 200 * 1024 * 1024;
const MAX_DOWNLOAD_BYTES = 256 * 1024 * 1024;

export interface BundleCacheOptions {
  /** The API's shared bundle store: `<dir>/<digest>.tar.gz`. */
  storeDir: string;
  /** Where bundles are fetched from when they are not in the shared store. */
  apiUrl: string;
  /** Bearer token for `GET /api/bundles/:digest` (the API needs an identity for every route). */
  apiToken?: string;
  /** This worker's cache: unpacked bundles and scratch space. */
  cacheDir: string;
}

/**
 * Unpacked, verified bundles by digest. Each digest is unpacked once (into a scratch folder
 * renamed into place, so a half-written folder is never used) and reused by every later job;
 * the container mounts it read-only.
 */
export class BundleCache {
  private readonly unpacking = new Map<string, Promise<string>>();
  private readonly bundlesDir: string;
  private readonly scratchDir: string;

  constructor(private readonly opts: BundleCacheOptions) {
    this.bundlesDir = path.join(opts.cacheDir, 'bundles');
    this.scratchDir = path.join(opts.cacheDir, 'tmp');
  }

  /** The host folder holding the bundle's files. */
  async get(digest: string): Promise<string> {
    if (!DIGEST.test(digest)) throw new PermanentInfraError(`not a bundle digest: ${JSON.stringify(digest)}`);
    const dir = path.join(this.bundlesDir, digest);
    if (await isDirectory(dir)) return dir;
    let pending = this.unpacking.get(digest);
    if (!pending) {
      pending = this.unpack(digest, dir).finally(() => this.unpacking.delete(digest));
      this.unpacking.set(digest, pending);
    }
    return pending;
  }

  private async unpack(digest: string, dir: string): Promise<string> {
    await mkdir(this.bundlesDir, { recursive: true });
    await mkdir(this.scratchDir, { recursive: true });
    const archive = await this.verifiedArchive(digest);
    const work = await mkdtemp(path.join(this.scratchDir, 'unpack-'));
    try {
      await extractSafely(archive.path, work);
      await normaliseModes(work);
      try {
        await rename(work, dir);
      } catch (err) {
        // Another worker sharing this cache finished first: its copy is as good as ours.
        const code = (err as NodeJS.ErrnoException).code;
        if (code !== 'EEXIST' && code !== 'ENOTEMPTY') throw err;
      }
      return dir;
    } finally {
      await rm(work, { recursive: true, force: true });
      if (archive.temporary) await rm(archive.path, { force: true });
    }
  }

  /** The archive from the shared store, or downloaded from the API; its sha256 checked either way. */
  private async verifiedArchive(digest: string): Promise<{ path: string; temporary: boolean }> {
    const stored = path.join(this.opts.storeDir, `${digest}.tar.gz`);
    if (await isFile(stored)) {
      const actual = await sha256(createReadStream(stored));
      if (actual !== digest) throw new PermanentInfraError(`bundle ${digest} in the store has sha256 ${actual}`);
      return { path: stored, temporary: false };
    }
    const url = `${this.opts.apiUrl}/api/bundles/${digest}`;
    const headers: Record<string, string> = this.opts.apiToken ? { authorization: `Bearer ${this.opts.apiToken}` } : {};
    const res = await fetch(url, { headers, signal: AbortSignal.timeout(120_000) });
    if (!res.ok || !res.body) throw new Error(`fetching bundle ${digest} from ${url}: HTTP ${res.status}`);
    const file = path.join(this.scratchDir, `download-${digest}-${process.pid}-${Date.now()}.tar.gz`);
    try {
      const actual = await sha256(Readable.fromWeb(res.body as WebReadableStream<Uint8Array>), file);
      if (actual !== digest) throw new PermanentInfraError(`bundle ${digest} from ${url} has sha256 ${actual}`);
      return { path: file, temporary: true };
    } catch (err) {
      await rm(file, { force: true });
      throw err;
    }
  }
}

/** sha256 of a stream, optionally copying it to `copyTo` on the way. */
async function sha256(source: Readable, copyTo?: string): Promise<string> {
  const hash = createHash('sha256');
  let bytes = 0;
  const tap = new Transform({
    transform(chunk: Buffer, _encoding, done) {
      bytes += chunk.length;
      if (bytes > MAX_DOWNLOAD_BYTES) return done(new PermanentInfraError('bundle is larger than any bundle Shelf stores'));
      hash.update(chunk);
      done(null, copyTo ? chunk : undefined);
    },
  });
  if (copyTo) await pipeline(source, tap, createWriteStream(copyTo, { flags: 'wx', mode: 0o600 }));
  else await pipeline(source, tap);
  return hash.digest('hex');
}

/** Only plain files and folders, inside `cwd`, within the bundle limits. */
async function extractSafely(archive: string, cwd: string): Promise<void> {
  let entries = 0;
  let bytes = 0;
  let refusal: string | undefined;
  const refuse = (why: string) => {
    refusal ??= why;
    return false;
  };
  await extractTar({
    file: archive,
    cwd,
    strict: true,
    preserveOwner: false,
    filter: (entryPath: string, entry) => {
      const { type, size } = entry as ReadEntry;
      if (!ENTRY_TYPES.has(type)) return refuse(`bundle entry ${JSON.stringify(entryPath)} is a ${type}`);
      const parts = entryPath.split('/');
      if (path.isAbsolute(entryPath) || entryPath.includes('\\') || parts.includes('..')) {
        return refuse(`bundle entry ${JSON.stringify(entryPath)} points outside the bundle`);
      }
      if (++entries > MAX_ENTRIES) return refuse(`bundle has more than ${MAX_ENTRIES} entries`);
      bytes += size ?? 0;
      if (bytes > MAX_UNPACKED_BYTES) return refuse('bundle unpacks to more than 200 MB');
      return true;
    },
  });
  if (refusal) throw new PermanentInfraError(refusal);
}

/** Readable by the sandbox user (uid 10001) whatever the worker's umask: 0755 folders, 0644 files (0755 if executable). */
async function normaliseModes(dir: string): Promise<void> {
  await chmod(dir, 0o755);
  for (const entry of await readdir(dir, { withFileTypes: true })) {
    const full = path.join(dir, entry.name);
    if (entry.isDirectory()) await normaliseModes(full);
    else if (entry.isFile()) await chmod(full, (await stat(full)).mode & 0o100 ? 0o755 : 0o644);
    else await rm(full, { force: true });
  }
}

async function isDirectory(p: string): Promise<boolean> {
  return stat(p).then((s) => s.isDirectory(), () => false);
}

async function isFile(p: string): Promise<boolean> {
  return stat(p).then((s) => s.isFile(), () => false);
}
