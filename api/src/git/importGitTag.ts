import { mkdir, rm } from 'node:fs/promises';
import { parseItemTag, type ImportItemResult } from '@shelf/contract';
import type { Publisher } from '../auth/policy.js';
import type { BundleLimits } from '../bundles/bundleLimits.js';
import { walkItemFolder } from '../bundles/walkItemFolder.js';
import { AppError } from '../errors.js';
import { importFolder, type ImportDeps } from '../imports/importFolder.js';
import { describeImportError } from '../imports/recordImport.js';
import { fetchTag, type FetchOptions } from './fetchTag.js';
import { findItemFolder } from './findItemFolder.js';
import type { CheckedRepo } from './gitUrlPolicy.js';
import { materialiseTree } from './materialiseTree.js';
import { GitCommandError } from './runGit.js';

export interface GitImportDeps extends ImportDeps {
  fetch: FetchOptions;
  bundleLimits?: BundleLimits;
}

/**
 * Publishes the item a tag names: fetch the tag, find the item's folder in the tagged tree,
 * write only that folder out as plain files and hand it to the one import path, with the
 * tag's version as the version. A refusal (invalid item, immutable version, missing tag) is
 * a result; a network failure is thrown so the job can be retried.
 */
export async function importGitTag(deps: GitImportDeps, repo: CheckedRepo, tag: string, importedBy: string, publisher: Publisher): Promise<ImportItemResult> {
  const item = parseItemTag(tag);
  if (!item) throw new Error(`not an item tag: ${tag}`);
  const refused = (error: string): ImportItemResult => ({ id: item.id, version: item.version, status: 'refused', error });

  let fetched;
  try {
    fetched = await fetchTag(repo, tag, deps.fetch);
  } catch (err) {
    if (err instanceof GitCommandError && err.failure === 'ref-not-found') return refused(`tag ${tag} is not in the repository`);
    if (err instanceof GitCommandError && err.failure === 'aborted') return refused(err.message);
    if (err instanceof GitCommandError && err.failure === 'bad-objects') return refused(`git's object checks refused the repository: ${err.message}`);
    throw err;
  }

  const work = deps.store.tempPath('-git');
  try {
    await mkdir(work, { mode: 0o700 });
    const folder = await findItemFolder(fetched.gitdir, fetched.commit, item.id);
    await materialiseTree(fetched.gitdir, folder.treeOid, work, deps.bundleLimits);
    const entries = await walkItemFolder(work, deps.bundleLimits);
    const source = { kind: 'git' as const, url: repo.url, commit: fetched.commit, tag, path: folder.path, importedAt: new Date().toISOString(), importedBy };
    return { ...(await importFolder(deps, work, entries, source, publisher, { tagVersion: item.version })) };
  } catch (err) {
    if (err instanceof AppError) return refused(describeImportError(err));
    return { id: item.id, version: item.version, status: 'failed', error: (err as Error).message ?? String(err) };
  } finally {
    await rm(work, { recursive: true, force: true });
  }
}
