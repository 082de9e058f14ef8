import type { Stats } from 'node:fs';
import { lstat, readdir } from 'node:fs/promises';
import path from 'node:path';
import { BundleError } from './bundleError.js';
import { defaultBundleLimits, type BundleLimits } from './bundleLimits.js';
import { byPath, checkEntryPath, DuplicateGuard, isGitPath, normaliseMode, type ItemEntry } from './entryRules.js';
import { formatBytes } from '../format.js';

/**
 * Lists a local item folder under the same rules as an uploaded bundle, so a
 * folder import can never store what an upload could not. Never follows links.
 */
export async function walkItemFolder(dir: string, limits: BundleLimits = defaultBundleLimits): Promise<ItemEntry[]> {
  const root = path.resolve(dir);
  const entries: ItemEntry[] = [];
  const guard = new DuplicateGuard();
  let totalBytes = 0;

  async function visit(relDir: string): Promise<void> {
    const names = await readdir(path.join(root, relDir));
    for (const name of names.sort()) {
      const rel = checkEntryPath(relDir === '' ? name : `${relDir}/${name}`, limits.maxDepth);
      if (isGitPath(rel)) continue;
      const stats = await lstat(path.join(root, rel));
      const type = stats.isFile() ? 'file' : stats.isDirectory() ? 'dir' : undefined;
      if (type === undefined) {
        throw new BundleError(
          `item folder entry ${JSON.stringify(rel)} is ${describe(stats)}; only regular files and folders are allowed`,
          rel,
        );
      }
      if (entries.length >= limits.maxEntries) {
        throw new BundleError(`item folder has more than ${limits.maxEntries} entries (files and folders)`);
      }
      guard.add(rel);
      const size = type === 'file' ? stats.size : 0;
      totalBytes += size;
      if (totalBytes > limits.maxUnpackedBytes) {
        throw new BundleError(`item folder holds more than ${formatBytes(limits.maxUnpackedBytes)}`);
      }
      entries.push({ path: rel, type, mode: normaliseMode(type, stats.mode), size });
      if (type === 'dir') await visit(rel);
    }
  }

  await visit('');
  return entries.sort(byPath);
}

function describe(stats: Stats): string {
  if (stats.isSymbolicLink()) return 'a symbolic link';
  if (stats.isCharacterDevice()) return 'a character device';
  if (stats.isBlockDevice()) return 'a block device';
  if (stats.isFIFO()) return 'a FIFO';
  if (stats.isSocket()) return 'a socket';
  return 'not a regular file';
}
