import fs from 'node:fs';
import { mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import git from 'isomorphic-git';
import { BundleError, defaultBundleLimits, type BundleLimits, checkEntryPath, isGitPath } from '@shelf/contract/itemFolder';
import { formatBytes } from '@shelf/contract';

/**
 * Writes one folder of a Git tree into `target` (an empty folder we created) as regular files
 * and folders, read straight from the object store: no checkout, so no attributes, filters,
 * hooks or submodules are involved. Symlinks and submodules (gitlinks) are refused, as a
 * bundle's would be; the bundle caps apply while writing, before anything large lands on disk.
 */
export async function materialiseTree(gitdir: string, treeOid: string, target: string, limits: BundleLimits = defaultBundleLimits): Promise<void> {
  const cache = {};
  let entries = 0;
  let bytes = 0;

  async function write(oid: string, rel: string): Promise<void> {
    const { tree } = await git.readTree({ fs, gitdir, oid, cache });
    for (const entry of tree) {
      if (entry.path.includes('/')) throw new BundleError(`tree entry ${JSON.stringify(entry.path)} has a slash in its name`, entry.path);
      const entryPath = checkEntryPath(rel ? `${rel}/${entry.path}` : entry.path, limits.maxDepth);
      if (isGitPath(entryPath)) continue;
      if (entry.mode === '120000') throw refused(entryPath, 'a symbolic link');
      if (entry.type === 'commit') throw refused(entryPath, 'a Git submodule');
      if (++entries > limits.maxEntries) throw new BundleError(`item folder has more than ${limits.maxEntries} entries (files and folders)`);
      const dest = path.join(target, ...entryPath.split('/'));
      if (entry.type === 'tree') {
        await mkdir(dest, { mode: 0o755 });
        await write(entry.oid, entryPath);
        continue;
      }
      const { blob } = await git.readBlob({ fs, gitdir, oid: entry.oid, cache });
      bytes += blob.byteLength;
      if (bytes > limits.maxUnpackedBytes) throw new BundleError(`item folder holds more than ${formatBytes(limits.maxUnpackedBytes)}`);
      await writeFile(dest, blob, { flag: 'wx', mode: entry.mode === '100755' ? 0o755 : 0o644 });
    }
  }

  await write(treeOid, '');
}

function refused(entry: string, what: string): BundleError {
  return new BundleError(`item folder entry ${JSON.stringify(entry)} is ${what} in the repository; only regular files and folders are allowed`, entry);
}
