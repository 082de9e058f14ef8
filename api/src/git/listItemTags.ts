import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { parseItemTag } from '@shelf/contract';
import type { CheckedRepo } from './gitUrlPolicy.js';
import { checkTag } from './gitUrlPolicy.js';
import type { FetchOptions } from './fetchTags.js';
import { runGit } from './runGit.js';

/** More tags than this in one sync is a mistake or an attack; the rest wait for the next sync. */
const maxTags = 500;

/** Every `<item-id>@<semver>` tag of a repository, from `git ls-remote --tags` (nothing fetched). */
export async function listItemTags(repo: CheckedRepo, opts: Pick<FetchOptions, 'timeoutMs' | 'deadline'>): Promise<string[]> {
  const home = await mkdtemp(path.join(os.tmpdir(), 'shelf-git-home-'));
  try {
    const out = await runGit(['ls-remote', '--tags', '--refs', '--', repo.url], { cwd: home, home, repo, timeoutMs: opts.timeoutMs, deadline: opts.deadline });
    const tags: string[] = [];
    for (const line of out.split('\n')) {
      const name = /^[0-9a-f]{40,64}\trefs\/tags\/(.+)$/.exec(line.trim())?.[1];
      if (name === undefined || !parseItemTag(name)) continue;
      try {
        tags.push(checkTag(name));
      } catch {
        // A tag git accepts but our ref rules do not is not an item tag.
      }
    }
    return tags.sort().slice(0, maxTags);
  } finally {
    await rm(home, { recursive: true, force: true });
  }
}
