import type { ImportItemResult } from '@shelf/contract';
import { fetchTags } from './fetchTags.js';
import type { CheckedRepo } from './gitUrlPolicy.js';
import { importFetchedTag, importGitTag, refusedResult, type GitImportBy, type GitImportDeps } from './importGitTag.js';
import { GitCommandError } from './runGit.js';

/**
 * Publishes the items many tags of one repository name (a whole-repository sync): one fetch
 * brings every tag, then each is imported from the mirror in turn, so 300 tags cost one
 * round of network, not 300. A network failure is thrown so the job can be retried.
 */
export async function importGitTags(deps: GitImportDeps, repo: CheckedRepo, tags: readonly string[], by: GitImportBy): Promise<ImportItemResult[]> {
  try {
    return await fetchTags(repo, tags, deps.fetch, async ({ gitdir, commits }) => {
      const results: ImportItemResult[] = [];
      for (const tag of tags) {
        const commit = commits.get(tag);
        results.push(commit === undefined ? refusedResult(tag, `tag ${tag} is not in the repository`) : await importFetchedTag(deps, repo, { gitdir, tag, commit }, by));
      }
      return results;
    });
  } catch (err) {
    if (!(err instanceof GitCommandError)) throw err;
    // One fetch answers for every tag, but these refusals belong to one tag (deleted since it
    // was listed, or objects git's checks refuse): fetching each alone gives each its own verdict.
    if (err.failure === 'ref-not-found' || err.failure === 'bad-objects') {
      const results: ImportItemResult[] = [];
      for (const tag of tags) results.push(await importGitTag(deps, repo, tag, by));
      return results;
    }
    // Too large: the mirror is over the limit whichever tag asks.
    if (err.failure === 'aborted') return tags.map((tag) => refusedResult(tag, err.message));
    throw err;
  }
}
