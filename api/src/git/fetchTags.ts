import { createHash } from 'node:crypto';
import fs from 'node:fs';
import { lstat, mkdir, mkdtemp, readdir, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import git from 'isomorphic-git';
import { formatBytes } from '@shelf/contract';
import type { CheckedRepo } from './gitUrlPolicy.js';
import { checkTag } from './gitUrlPolicy.js';
import { GitCommandError, runGit, type SyncDeadline } from './runGit.js';

export interface FetchOptions {
  /** Bare mirrors live here, one per repository URL. */
  cacheDir: string;
  /** Per git command. */
  timeoutMs: number;
  /** A mirror larger than this is deleted and the fetch refused. */
  maxRepoBytes: number;
  /** The running sync's limit for all its git commands together; set per job by the consumer. */
  deadline?: SyncDeadline;
}

export const defaultFetchOptions = { timeoutMs: 60_000, maxRepoBytes: 500 * 1024 * 1024 };

export interface FetchedTags {
  gitdir: string;
  /** Tag name → the commit it points at (annotated tags peeled). */
  commits: Map<string, string>;
}

/**
 * One user of a mirror at a time, from its fetch to the end of reading from it: git takes locks,
 * so a second fetch would just fail on them, and a fetch that fails (timeout, size limit)
 * deletes the mirror, which must not happen under a sync still reading tag contents from it.
 */
const locks = new Map<string, Promise<unknown>>();
async function withLock<T>(key: string, run: () => Promise<T>): Promise<T> {
  const previous = locks.get(key) ?? Promise.resolve();
  const current = previous.catch(() => undefined).then(run);
  locks.set(key, current);
  try {
    return await current;
  } finally {
    if (locks.get(key) === current) locks.delete(key);
  }
}

/** Where a repository's bare mirror lives: named by the sha256 of its (credential-free) URL. */
export function mirrorDir(cacheDir: string, repo: CheckedRepo): string {
  return path.join(cacheDir, `${createHash('sha256').update(repo.url).digest('hex')}.git`);
}

/**
 * Fetches tags into the repository's bare mirror in one `git fetch`, then runs `read` on it:
 * a shallow fetch of just those refs, so repeated syncs of a repository only bring what
 * changed, and a sync of many tags pays for one connection and one negotiation, not one per
 * tag. Nothing is checked out; `read` takes trees from the object store. `+` lets a force-moved
 * tag replace the cached one, so the registry (not the cache) decides whether the new content
 * is acceptable. Every name is checked again here because it becomes part of a refspec on
 * git's command line (listItemTags caps a sync at 500 tags, so the refspecs fit on one). A tag
 * the remote lacks fails the whole fetch (`ref-not-found`).
 *
 * `read` runs under the mirror's lock. A read lease (readers share, a failing fetch waits for
 * them before deleting) would let two syncs of one repository read at once, but those are rare,
 * reading is local and short next to the fetch, and one lock is plainly correct; copying the
 * mirror for each reader would cost more than the wait. Errors of `read` pass through as they are.
 */
export async function fetchTags<T>(repo: CheckedRepo, tags: readonly string[], opts: FetchOptions, read: (fetched: FetchedTags) => Promise<T>): Promise<T> {
  const names = [...new Set(tags.map((tag) => checkTag(tag)))];
  const gitdir = mirrorDir(opts.cacheDir, repo);
  if (!names.length) return read({ gitdir, commits: new Map() });
  return withLock(gitdir, async () => read({ gitdir, commits: await fetchIntoMirror(repo, names, gitdir, opts) }));
}

/** The fetch itself, under the lock; answers tag name → commit, read before anyone can move them. */
async function fetchIntoMirror(repo: CheckedRepo, names: string[], gitdir: string, opts: FetchOptions): Promise<Map<string, string>> {
  const refspecs = names.map((name) => `+refs/tags/${name}:refs/tags/${name}`);
  const home = await mkdtemp(path.join(os.tmpdir(), 'shelf-git-home-'));
  try {
    await ensureMirror(gitdir, home, opts);
    await withSizeWatch(gitdir, opts.maxRepoBytes, (signal) =>
      runGit(['fetch', '--quiet', '--depth', '1', '--no-tags', '--no-write-fetch-head', '--', repo.url, ...refspecs], {
        cwd: gitdir,
        gitDir: gitdir,
        home,
        repo,
        timeoutMs: opts.timeoutMs,
        deadline: opts.deadline,
        signal,
      }),
    ).catch(async (err: unknown) => {
      // A killed fetch can leave locks or a half-written shallow file behind; the cache is
      // only a speed-up, so it is dropped and the retry starts from an empty mirror.
      if (err instanceof GitCommandError && (err.failure === 'timeout' || /\.lock|shallow|corrupt/i.test(err.message))) {
        await rm(gitdir, { recursive: true, force: true });
      }
      throw err;
    });
    const size = await dirSize(gitdir);
    if (size > opts.maxRepoBytes) {
      await rm(gitdir, { recursive: true, force: true });
      throw tooLarge(opts.maxRepoBytes);
    }
    const commits = new Map<string, string>();
    for (const name of names) {
      const oid = await git.resolveRef({ fs, gitdir, ref: `refs/tags/${name}` });
      commits.set(name, (await git.readCommit({ fs, gitdir, oid })).oid);
    }
    return commits;
  } finally {
    await rm(home, { recursive: true, force: true });
  }
}

async function ensureMirror(gitdir: string, home: string, opts: FetchOptions): Promise<void> {
  if (await exists(path.join(gitdir, 'HEAD'))) return;
  // A half-made mirror (a crash during init) is simply made again.
  await rm(gitdir, { recursive: true, force: true });
  await mkdir(gitdir, { recursive: true });
  await runGit(['init', '--quiet', '--bare'], { cwd: gitdir, gitDir: gitdir, home, timeoutMs: opts.timeoutMs, deadline: opts.deadline });
}

const tooLarge = (max: number) =>
  new GitCommandError(`the repository is larger than ${formatBytes(max)}; Shelf does not fetch it`, 'aborted');

/**
 * git has no size limit for a fetch, so the mirror is measured while it runs and the fetch
 * stopped once it passes the limit; the half-fetched mirror is then deleted.
 */
async function withSizeWatch<T>(gitdir: string, maxBytes: number, run: (signal: AbortSignal) => Promise<T>): Promise<T> {
  const controller = new AbortController();
  let measuring = false;
  const timer = setInterval(() => {
    if (measuring) return;
    measuring = true;
    void dirSize(gitdir)
      .then((size) => {
        if (size > maxBytes) controller.abort(`the repository is larger than ${formatBytes(maxBytes)}`);
      })
      .finally(() => (measuring = false));
  }, 500);
  try {
    return await run(controller.signal);
  } catch (err) {
    if (controller.signal.aborted) {
      await rm(gitdir, { recursive: true, force: true });
      throw tooLarge(maxBytes);
    }
    throw err;
  } finally {
    clearInterval(timer);
  }
}

/** Bytes under `dir`; files that vanish while it counts (git's temp files) count as 0. */
async function dirSize(dir: string): Promise<number> {
  let total = 0;
  const entries = await readdir(dir, { withFileTypes: true }).catch(() => []);
  for (const entry of entries) {
    const full = path.join(dir, entry.name);
    if (entry.isDirectory()) total += await dirSize(full);
    else total += (await lstat(full).catch(() => ({ size: 0 }))).size;
  }
  return total;
}

async function exists(file: string): Promise<boolean> {
  try {
    await lstat(file);
    return true;
  } catch {
    return false;
  }
}
