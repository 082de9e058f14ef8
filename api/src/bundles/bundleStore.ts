import { randomUUID } from 'node:crypto';
import { createReadStream, type ReadStream } from 'node:fs';
import { chmod, link, mkdir, readdir, rm, stat } from 'node:fs/promises';
import path from 'node:path';
import { BadRequestError } from '../errors.js';

const DIGEST = /^[a-f0-9]{64}$/;

/**
 * Content-addressed bundle files: `<root>/<sha256>.tar.gz`, written once, never
 * changed. Work in progress lives in `<root>/.tmp`, on the same file system, so
 * moving a finished file into place is atomic.
 */
export class BundleStore {
  private readonly tmpDir: string;

  constructor(readonly root: string) {
    this.tmpDir = path.join(root, '.tmp');
  }

  /** Creates the folders and clears work a crashed process left in `.tmp` (older than an hour, so running imports keep theirs). */
  async init(): Promise<void> {
    await mkdir(this.tmpDir, { recursive: true });
    const cutoff = Date.now() - 60 * 60 * 1000;
    for (const name of await readdir(this.tmpDir)) {
      const p = path.join(this.tmpDir, name);
      const s = await stat(p).catch(() => undefined);
      if (s && s.mtimeMs < cutoff) await rm(p, { recursive: true, force: true });
    }
  }

  /** A fresh path (not created) for building a bundle before {@link put}. */
  tempPath(suffix = ''): string {
    return path.join(this.tmpDir, `${randomUUID()}${suffix}`);
  }

  pathOf(digest: string): string {
    if (!DIGEST.test(digest)) throw new BadRequestError(`not a bundle digest (64 lowercase hex characters): ${digest}`);
    return path.join(this.root, `${digest}.tar.gz`);
  }

  async has(digest: string): Promise<boolean> {
    try {
      return (await stat(this.pathOf(digest))).isFile();
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') return false;
      throw err;
    }
  }

  /**
   * Moves `tempFile` into place as `digest`; the caller vouches that the digest
   * is the file's sha256. If that bundle is already stored, the temp file is dropped.
   */
  async put(tempFile: string, digest: string): Promise<void> {
    const target = this.pathOf(digest);
    try {
      await chmod(tempFile, 0o444);
      // link() fails if the target exists, where rename() would replace it: that
      // is the "never overwrite" guarantee, even with two imports racing.
      await link(tempFile, target);
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
    } finally {
      await rm(tempFile, { force: true });
    }
  }

  /**
   * Deletes stored bundles that `keep` does not name and that are older than `minAgeMs` (a
   * younger one may belong to an import still on its way to publishing). Returns the digests removed.
   */
  async sweep(keep: ReadonlySet<string>, minAgeMs: number, now = Date.now()): Promise<string[]> {
    const removed: string[] = [];
    for (const name of await readdir(this.root)) {
      const digest = name.endsWith('.tar.gz') ? name.slice(0, -'.tar.gz'.length) : '';
      if (!DIGEST.test(digest) || keep.has(digest)) continue;
      const s = await stat(path.join(this.root, name)).catch(() => undefined);
      if (!s || now - s.mtimeMs < minAgeMs) continue;
      await this.remove(digest);
      removed.push(digest);
    }
    return removed;
  }

  async remove(digest: string): Promise<void> {
    await rm(this.pathOf(digest), { force: true });
  }

  /** Errors with ENOENT (on the stream) if the bundle is not stored; check {@link has} first. */
  createReadStream(digest: string): ReadStream {
    return createReadStream(this.pathOf(digest));
  }
}
