import { createHash } from 'node:crypto';
import { createReadStream, createWriteStream } from 'node:fs';
import { chmod, lstat, mkdir, mkdtemp, readdir, rename, rm, stat } from 'node:fs/promises';
import path from 'node:path';
import { Readable, Transform } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import type { ReadableStream as WebReadableStream } from 'node:stream/web';
import { x as extractTar, type ReadEntry } from 'tar';
import { PermanentInfraError } from './errors.js';

const ENTRY_TYPES = new Set(['File', 'OldFile', 'ContiguousFile', 'Directory']);
/** Defence in depth: the API already refused bundles past these (SPEC 3). */
const MAX_ENTRIES = 5_000;
const MAX_UNPACKED_BYTES = 200 * 1024 * 1024;
const MAX_DOWNLOAD_BYTES = 256 * 1024 * 1024;

/** Where a bundle archive comes from. */
export interface BundleSource {
  /** The API's shared bundle store: `<dir>/<digest>.tar.gz`. */
  storeDir: string;
  /** Where bundles are fetched from when they are not in the shared store. */
  apiUrl: string;
  /** Bearer token for `GET /api/bundles/:digest` (the API needs an identity for every route). */
  apiToken?: string;
}

/**
 * Verifies and unpacks bundle `digest` at `dir`, readable by the sandbox user; returns the
 * bytes of its files. It is unpacked in `scratchDir` and renamed into place, so a half-written
 * folder is never seen at `dir`.
 */
export async function unpackBundle(digest: string, source: BundleSource, dir: string, scratchDir: string): Promise<number> {
  await mkdir(path.dirname(dir), { recursive: true });
  await mkdir(scratchDir, { recursive: true });
  const archive = await verifiedArchive(digest, source, scratchDir);
  const work = await mkdtemp(path.join(scratchDir, 'unpack-'));
  try {
    await extractSafely(archive.path, work);
    const bytes = await normaliseModes(work);
    try {
      await rename(work, dir);
    } catch (err) {
      // Another worker sharing this cache finished first: its copy is as good as ours.
      const code = (err as NodeJS.ErrnoException).code;
      if (code !== 'EEXIST' && code !== 'ENOTEMPTY') throw err;
    }
    return bytes;
  } finally {
    await rm(work, { recursive: true, force: true });
    if (archive.temporary) await rm(archive.path, { force: true });
  }
}

/** The bytes of the files under `dir` (what `unpackBundle` returned when it unpacked them). */
export async function filesBytes(dir: string): Promise<number> {
  let bytes = 0;
  for (const entry of await readdir(dir, { withFileTypes: true })) {
    const full = path.join(dir, entry.name);
    if (entry.isDirectory()) bytes += await filesBytes(full);
    else bytes += (await lstat(full)).size;
  }
  return bytes;
}

/** The archive from the shared store, or downloaded from the API; its sha256 checked either way. */
async function verifiedArchive(digest: string, source: BundleSource, scratchDir: string): Promise<{ path: string; temporary: boolean }> {
  const stored = path.join(source.storeDir, `${digest}.tar.gz`);
  if (await isFile(stored)) {
    const actual = await sha256(createReadStream(stored));
    if (actual !== digest) throw new PermanentInfraError(`bundle ${digest} in the store has sha256 ${actual}`);
    return { path: stored, temporary: false };
  }
  const url = `${source.apiUrl}/api/bundles/${digest}`;
  const headers: Record<string, string> = source.apiToken ? { authorization: `Bearer ${source.apiToken}` } : {};
  const res = await fetch(url, { headers, signal: AbortSignal.timeout(120_000) });
  if (!res.ok || !res.body) throw new Error(`fetching bundle ${digest} from ${url}: HTTP ${res.status}`);
  const file = path.join(scratchDir, `download-${digest}-${process.pid}-${Date.now()}.tar.gz`);
  try {
    const actual = await sha256(Readable.fromWeb(res.body as WebReadableStream<Uint8Array>), file);
    if (actual !== digest) throw new PermanentInfraError(`bundle ${digest} from ${url} has sha256 ${actual}`);
    return { path: file, temporary: true };
  } catch (err) {
    await rm(file, { force: true });
    throw err;
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

/**
 * Readable by the sandbox user (uid 10001) whatever the worker's umask: 0755 folders, 0644 files
 * (0755 if executable). Returns the bytes of the files, since it stats each one anyway.
 */
async function normaliseModes(dir: string): Promise<number> {
  let bytes = 0;
  await chmod(dir, 0o755);
  for (const entry of await readdir(dir, { withFileTypes: true })) {
    const full = path.join(dir, entry.name);
    if (entry.isDirectory()) {
      bytes += await normaliseModes(full);
    } else if (entry.isFile()) {
      const info = await stat(full);
      await chmod(full, info.mode & 0o100 ? 0o755 : 0o644);
      bytes += info.size;
    } else {
      await rm(full, { force: true });
    }
  }
  return bytes;
}

async function isFile(p: string): Promise<boolean> {
  return stat(p).then((s) => s.isFile(), () => false);
}
