import { randomBytes } from 'node:crypto';
import { readlinkSync } from 'node:fs';
import { mkdir, readdir, stat, unlink, writeFile } from 'node:fs/promises';
import { hostname } from 'node:os';
import path from 'node:path';

/** A marker lives for one rename; one this old was left by a worker that died mid-eviction. */
const MARKER_STALE_MS = 30_000;
const MARKER_POLL_MS = 25;

/**
 * Which processes can see each other's pids: a pid says whether a lease is alive only to a
 * process in the same pid namespace on the same machine (containers get their own namespace,
 * and with host networking even the host's name).
 */
const PLACE = (() => {
  let namespace = 'nons';
  try {
    namespace = /\[(\d+)\]/.exec(readlinkSync('/proc/self/ns/pid'))?.[1] ?? namespace;
  } catch {
    // Not Linux: the host name alone tells.
  }
  return `${namespace}-${hostname()}`;
})();

/**
 * Cross-process protection of the unpacked bundles in a cache folder that several workers share.
 *
 * A worker holding a bundle keeps one lease file `<digest>.lease.<owner>`; a worker about to
 * evict one writes a marker `<digest>.evict.<owner>`. Both sides write their file first and
 * look for the other's second:
 *   acquire: write the lease, wait until there is no marker, only then look for the folder;
 *   evict:   write the marker, look for leases, rename the folder away only if there are none.
 * Whatever the interleaving, at least one side sees the other's file, so an evictor never takes
 * a folder from under an acquirer who found it: either it sees the lease and gives up, or the
 * acquirer sees the marker, waits, then finds the folder gone and unpacks it again.
 *
 * No lock is held across processes, so a worker killed at any point blocks the others only
 * briefly: its markers are ignored after 30 s, its leases once its pid is gone (when that can be
 * told) or after `staleMs`, which is longer than any job may run. This relies on the file
 * system ordering the operations of every process, as a local one does: a cache folder on a
 * network file system shared by several hosts is not supported.
 */
export class CacheLeases {
  private readonly tag = randomBytes(4).toString('hex');
  private markers = 0;

  constructor(
    private readonly dir: string,
    private readonly staleMs: number,
  ) {}

  async open(): Promise<void> {
    await mkdir(this.dir, { recursive: true });
  }

  /** Takes this cache's lease on `digest`; resolves once no other worker is evicting it. */
  async hold(digest: string): Promise<void> {
    await writeFile(this.leaseFile(digest), '').catch(async (err: unknown) => {
      // The folder is made at start; made again if someone removed it since.
      if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err;
      await this.open();
      await writeFile(this.leaseFile(digest), '');
    });
    while (await this.othersHave(digest, 'evict', MARKER_STALE_MS)) await sleep(MARKER_POLL_MS);
  }

  async drop(digest: string): Promise<void> {
    await unlink(this.leaseFile(digest)).catch(ignoreMissing);
  }

  /** Marks `digest` as being evicted unless another worker holds it; the function returned unmarks it. */
  async claim(digest: string): Promise<(() => Promise<void>) | undefined> {
    const marker = path.join(this.dir, `${digest}.evict.${this.owner(`${this.tag}-${++this.markers}`)}`);
    await writeFile(marker, '', { flag: 'wx' });
    const unmark = () => unlink(marker).catch(ignoreMissing);
    if (await this.othersHave(digest, 'lease', this.staleMs)) {
      await unmark();
      return undefined;
    }
    return unmark;
  }

  private leaseFile(digest: string): string {
    return path.join(this.dir, `${digest}.lease.${this.owner(this.tag)}`);
  }

  /** `<pid>.<tag>.<place>`: the place last, since host names hold dots. */
  private owner(tag: string): string {
    return `${process.pid}.${tag}.${PLACE}`;
  }

  /**
   * Whether another cache (this process's included: tests run several) has a live file of `kind`
   * on `digest`. This cache's own files are not counted: within a process the cache orders its
   * acquires and evictions of a digest itself. Stale files are removed on the way.
   */
  private async othersHave(digest: string, kind: 'lease' | 'evict', staleMs: number): Promise<boolean> {
    const prefix = `${digest}.${kind}.`;
    for (const name of await readdir(this.dir)) {
      if (!name.startsWith(prefix)) continue;
      const [pid, tag, ...place] = name.slice(prefix.length).split('.');
      if (Number(pid) === process.pid && tag?.split('-')[0] === this.tag) continue;
      const file = path.join(this.dir, name);
      const info = await stat(file).catch(() => undefined);
      if (!info) continue; // just removed by its owner
      const dead = place.join('.') === PLACE && !isAlive(Number(pid));
      if (!dead && Date.now() - info.mtimeMs < staleMs) return true;
      await unlink(file).catch(ignoreMissing);
    }
    return false;
  }
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM'; // alive, someone else's
  }
}

function ignoreMissing(err: unknown): void {
  if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err;
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
