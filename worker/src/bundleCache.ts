import { randomBytes } from 'node:crypto';
import { mkdir, readdir, rename, rm, stat, utimes } from 'node:fs/promises';
import path from 'node:path';
import { CacheLeases } from './cacheLeases.js';
import { PermanentInfraError } from './errors.js';
import { filesBytes, unpackBundle, type BundleSource } from './unpackBundle.js';

const DIGEST = /^[a-f0-9]{64}$/;

export interface BundleCacheOptions extends BundleSource {
  /** This worker's cache: unpacked bundles, their leases and scratch space. */
  cacheDir: string;
  /** Past this many bytes of unpacked files, the least recently used bundles no job holds are removed. */
  maxBytes: number;
  /** Longer than any job may hold a bundle: a lease this old was left by a worker that died. */
  staleLeaseMs: number;
  /** Told of a failed eviction or release; the cache stays over its limit until the next pass. */
  onError?: (err: unknown) => void;
}

/** A bundle's folder, kept for its holder until `release()`. */
export interface BundleLease {
  /** The host folder holding the bundle's files. */
  readonly dir: string;
  /** Lets the cache evict the bundle again. Resolves after the eviction pass this triggers; never rejects. */
  release(): Promise<void>;
}

interface Entry {
  /** The bytes of its files. */
  bytes: number;
  /** Epoch ms; the folder's mtime carries it to other workers and to the next start. */
  lastUsed: number;
  /** Leases of this cache; other workers' are files (see CacheLeases). */
  holders: number;
}

/**
 * Unpacked, verified bundles by digest, mounted read-only into the containers. A digest is
 * unpacked once and reused by later jobs while it stays cached; past `maxBytes`, the least
 * recently used bundles that no job holds, here or in another worker sharing the folder, are
 * removed.
 */
export class BundleCache {
  private readonly entries = new Map<string, Entry>();
  /** Per digest, the last of its queued acquires, releases and evictions, which run one at a time. */
  private readonly turns = new Map<string, Promise<unknown>>();
  private readonly bundlesDir: string;
  private readonly scratchDir: string;
  private readonly leases: CacheLeases;
  private opened: Promise<void> | undefined;
  private lastPass: Promise<void> = Promise.resolve();
  private nextPass: Promise<void> | undefined;
  private clock = 0;

  constructor(private readonly opts: BundleCacheOptions) {
    this.bundlesDir = path.join(opts.cacheDir, 'bundles');
    this.scratchDir = path.join(opts.cacheDir, 'tmp');
    this.leases = new CacheLeases(path.join(opts.cacheDir, 'leases'), opts.staleLeaseMs);
  }

  /**
   * Learns what is already unpacked (sizes from disk, last use from the folders' mtime), so a
   * restart does not forget the cache. The first acquire does it too.
   */
  open(): Promise<void> {
    this.opened ??= (async () => {
      await Promise.all([mkdir(this.bundlesDir, { recursive: true }), mkdir(this.scratchDir, { recursive: true }), this.leases.open()]);
      // Renamed away by an eviction that did not get to delete them: nobody can be using these.
      for (const name of await readdir(this.scratchDir)) {
        if (name.startsWith('evicted-')) await rm(path.join(this.scratchDir, name), { recursive: true, force: true });
      }
      await this.rescan();
    })().catch((err: unknown) => {
      this.opened = undefined;
      throw err;
    });
    return this.opened;
  }

  /** The bundle's folder, unpacked if it is not cached; it stays until the lease is released. */
  async acquire(digest: string): Promise<BundleLease> {
    if (!DIGEST.test(digest)) throw new PermanentInfraError(`not a bundle digest: ${JSON.stringify(digest)}`);
    await this.open();
    const unpacked = await this.inTurn(digest, () => this.take(digest));
    if (unpacked) void this.evictIfOver();
    let releasing: Promise<void> | undefined;
    return { dir: this.dirOf(digest), release: () => (releasing ??= this.release(digest)) };
  }

  /** What this worker knows to be unpacked: bytes in all and per digest. */
  usage(): { bytes: number; bundles: Map<string, number> } {
    const bundles = new Map([...this.entries].map(([digest, e]) => [digest, e.bytes]));
    return { bytes: [...bundles.values()].reduce((a, b) => a + b, 0), bundles };
  }

  /** Removes least recently used bundles that nobody holds until the cache is within its limit. Never rejects. */
  evictIfOver(): Promise<void> {
    if (!this.nextPass) {
      // Callers arriving while a pass waits to start share it; one running may predate their change.
      const pass = this.lastPass.then(async () => {
        this.nextPass = undefined;
        await this.evictionPass().catch((err: unknown) => this.opts.onError?.(err));
      });
      this.nextPass = pass;
      this.lastPass = pass;
    }
    return this.nextPass;
  }

  /** Holds `digest` for one more job, unpacking it unless it is there; true if it was unpacked now. */
  private async take(digest: string): Promise<boolean> {
    const known = this.entries.get(digest);
    if (known && known.holders > 0) {
      known.holders += 1;
      known.lastUsed = this.now();
      return false;
    }
    await this.leases.hold(digest);
    try {
      const dir = this.dirOf(digest);
      const present = await stat(dir).then((s) => s.isDirectory(), () => false);
      const bytes = present ? (known?.bytes ?? (await filesBytes(dir))) : await unpackBundle(digest, this.opts, dir, this.scratchDir);
      const now = this.now();
      // Best effort: without it only this process knows of this use.
      await utimes(dir, new Date(now), new Date(now)).catch(() => undefined);
      this.entries.set(digest, { bytes, lastUsed: now, holders: 1 });
      return !present;
    } catch (err) {
      await this.leases.drop(digest).catch(() => undefined);
      throw err;
    }
  }

  private async release(digest: string): Promise<void> {
    try {
      await this.inTurn(digest, async () => {
        const entry = this.entries.get(digest);
        if (!entry || entry.holders === 0) return;
        entry.holders -= 1;
        entry.lastUsed = this.now();
        if (entry.holders === 0) await this.leases.drop(digest);
      });
    } catch (err) {
      this.opts.onError?.(err);
    }
    await this.evictIfOver();
  }

  private async evictionPass(): Promise<void> {
    await this.open();
    await this.rescan();
    let total = this.usage().bytes;
    if (total <= this.opts.maxBytes) return;
    const idle = [...this.entries].filter(([, e]) => e.holders === 0);
    // Other workers sharing the folder record their uses in its mtime.
    await Promise.all(
      idle.map(async ([digest, entry]) => {
        const mtime = await stat(this.dirOf(digest)).then((s) => s.mtimeMs, () => 0);
        entry.lastUsed = Math.max(entry.lastUsed, mtime);
      }),
    );
    idle.sort(([, a], [, b]) => a.lastUsed - b.lastUsed);
    for (const [digest, entry] of idle) {
      if (total <= this.opts.maxBytes) break;
      const trash = await this.inTurn(digest, () => this.evict(digest));
      if (trash === undefined) continue;
      total -= entry.bytes;
      await rm(trash, { recursive: true, force: true });
    }
  }

  /**
   * Renames the bundle's folder away, so that nobody ever sees it half deleted, and returns
   * where it went; undefined if a job holds it, here or in another worker.
   */
  private async evict(digest: string): Promise<string | undefined> {
    const entry = this.entries.get(digest);
    if (!entry || entry.holders > 0) return undefined;
    const unmark = await this.leases.claim(digest);
    if (!unmark) return undefined;
    const trash = path.join(this.scratchDir, `evicted-${digest}-${randomBytes(4).toString('hex')}`);
    try {
      await rename(this.dirOf(digest), trash);
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err; // else another worker evicted it first
    } finally {
      await unmark();
    }
    this.entries.delete(digest);
    return trash;
  }

  /** Brings the entries in line with the folder, where other workers sharing it unpack and evict too. */
  private async rescan(): Promise<void> {
    const present = new Set((await readdir(this.bundlesDir)).filter((name) => DIGEST.test(name)));
    for (const [digest, entry] of this.entries) {
      if (!present.has(digest) && entry.holders === 0 && !this.turns.has(digest)) this.entries.delete(digest);
    }
    for (const digest of present) {
      if (this.entries.has(digest) || this.turns.has(digest)) continue;
      const dir = this.dirOf(digest);
      try {
        const [bytes, info] = await Promise.all([filesBytes(dir), stat(dir)]);
        if (!this.entries.has(digest)) this.entries.set(digest, { bytes, lastUsed: info.mtimeMs, holders: 0 });
      } catch {
        // Evicted by another worker while we measured it.
      }
    }
  }

  private inTurn<T>(digest: string, step: () => Promise<T>): Promise<T> {
    const result = (this.turns.get(digest) ?? Promise.resolve()).then(step);
    const settled = result.then(
      () => undefined,
      () => undefined,
    );
    this.turns.set(digest, settled);
    void settled.then(() => {
      if (this.turns.get(digest) === settled) this.turns.delete(digest);
    });
    return result;
  }

  private dirOf(digest: string): string {
    return path.join(this.bundlesDir, digest);
  }

  /** Strictly increasing, so uses within one millisecond keep their order. */
  private now(): number {
    this.clock = Math.max(Date.now(), this.clock + 1);
    return this.clock;
  }
}
