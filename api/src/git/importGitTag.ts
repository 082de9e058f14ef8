import { mkdir, rm } from 'node:fs/promises';
import { parseItemTag, type ImportItemResult } from '@shelf/contract';
import type { Publisher } from '../auth/policy.js';
import { type BundleLimits, walkItemFolder } from '@shelf/contract/itemFolder';
import { toAppError } from '../errors.js';
import { importFolder, type ImportDeps } from '../imports/importFolder.js';
import { describeImportError } from '../imports/recordImport.js';
import { fetchTags, type FetchOptions } from './fetchTags.js';
import { findItemFolder } from './findItemFolder.js';
import type { CheckedRepo } from './gitUrlPolicy.js';
import { materialiseTree } from './materialiseTree.js';
import { GitCommandError } from './runGit.js';
import { scrubGitText } from './scrubGitText.js';

export interface GitImportDeps extends ImportDeps {
  fetch: FetchOptions;
  bundleLimits?: BundleLimits;
}

/** Who a Git import is recorded as, and whose rights it publishes with. */
export interface GitImportBy {
  importedBy: string;
  publisher: Publisher;
}

/**
 * Publishes the item one tag names: fetch that tag alone (a webhook's push), then import it.
 * A refusal (invalid item, immutable version, missing tag) is a result; a network failure is
 * thrown so the job can be retried.
 */
export async function importGitTag(deps: GitImportDeps, repo: CheckedRepo, tag: string, by: GitImportBy): Promise<ImportItemResult> {
  itemOf(tag);
  try {
    return await fetchTags(repo, [tag], deps.fetch, async ({ gitdir, commits }) => {
      const commit = commits.get(tag);
      if (commit === undefined) return refusedResult(tag, `tag ${tag} is not in the repository`);
      return importFetchedTag(deps, repo, { gitdir, tag, commit }, by);
    });
  } catch (err) {
    const refusal = fetchRefusal(err, tag);
    if (refusal === undefined) throw err;
    return refusedResult(tag, refusal);
  }
}

/**
 * Imports a tag already in the mirror: find the item's folder in the tagged tree, write only
 * that folder out as plain files and hand it to the one import path, with the tag's version
 * as the version. No network. Call it from fetchTags' `read`, which keeps the mirror in place.
 */
export async function importFetchedTag(
  deps: GitImportDeps,
  repo: CheckedRepo,
  fetched: { gitdir: string; tag: string; commit: string },
  by: GitImportBy,
): Promise<ImportItemResult> {
  const { gitdir, tag, commit } = fetched;
  const item = itemOf(tag);
  const work = deps.store.tempPath('-git');
  try {
    await mkdir(work, { mode: 0o700 });
    const folder = await findItemFolder(gitdir, commit, item.id);
    await materialiseTree(gitdir, folder.treeOid, work, deps.bundleLimits);
    const entries = await walkItemFolder(work, deps.bundleLimits);
    const source = { kind: 'git' as const, url: repo.url, commit, tag, path: folder.path, importedAt: new Date().toISOString(), importedBy: by.importedBy };
    return { ...(await importFolder(deps, work, entries, source, by.publisher, { tagVersion: item.version })) };
  } catch (err) {
    if (toAppError(err)) return refusedResult(tag, describeImportError(err));
    // isomorphic-git and fs name the files they failed on: mirror and item-folder paths of this host.
    return { id: item.id, version: item.version, status: 'failed', error: scrubGitText((err as Error).message ?? String(err), { mirror: gitdir, work }) };
  } finally {
    await rm(work, { recursive: true, force: true });
  }
}

/** Why a failed fetch of `tag` is a refusal rather than something a retry may fix; undefined: rethrow it. */
function fetchRefusal(err: unknown, tag: string): string | undefined {
  if (!(err instanceof GitCommandError)) return undefined;
  if (err.failure === 'ref-not-found') return `tag ${tag} is not in the repository`;
  if (err.failure === 'aborted') return err.message;
  if (err.failure === 'bad-objects') return `git's object checks refused the repository: ${err.message}`;
  return undefined;
}

export function refusedResult(tag: string, error: string): ImportItemResult {
  const item = itemOf(tag);
  return { id: item.id, version: item.version, status: 'refused', error };
}

/** Callers pass only `<item-id>@<semver>` tags; anything else is a bug, not a refusal. */
function itemOf(tag: string) {
  const item = parseItemTag(tag);
  if (!item) throw new Error(`not an item tag: ${tag}`);
  return item;
}
