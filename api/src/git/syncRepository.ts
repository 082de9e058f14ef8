import { z } from 'zod';
import { roles, type ImportItemResult, type ImportState } from '@shelf/contract';
import type { Metrics } from '../metrics.js';
import type { GitUrlPolicy } from './gitUrlPolicy.js';
import { checkTag } from './gitUrlPolicy.js';
import { importGitTag, type GitImportBy, type GitImportDeps } from './importGitTag.js';
import { importGitTags } from './importGitTags.js';
import { listItemTags } from './listItemTags.js';

/** What one Git sync job carries: a credential-free URL and, for a single tag, its name. */
export const GitSyncJobData = z.object({
  importId: z.string().uuid(),
  url: z.string().min(1).max(2048),
  ref: z.string().min(1).max(1024).optional(),
  provider: z.string().max(32).optional(),
  deliveryId: z.string().max(200).optional(),
  /** Who asked for a sync (a webhook has nobody: its signature is its identity), as they were when they asked. */
  requestedBy: z
    .object({ id: z.string().max(64), username: z.string().max(200), role: z.enum(roles), groups: z.array(z.string().max(200)).max(500) })
    .optional(),
});
export type GitSyncJobData = z.infer<typeof GitSyncJobData>;

export interface SyncDeps extends GitImportDeps {
  policy: GitUrlPolicy;
  metrics?: Metrics;
}

export type SyncOutcome = { state: Extract<ImportState, 'done' | 'ignored'>; results: ImportItemResult[]; error?: string };

/**
 * Imports one tag (one fetch of it), or every `<id>@<semver>` tag of a repository (one fetch
 * of them all). The URL is checked again here, not only when the job was queued: DNS may
 * answer differently now (rebinding), and the addresses checked now are the ones git is pinned to.
 */
export async function syncRepository(deps: SyncDeps, job: GitSyncJobData): Promise<SyncOutcome> {
  const repo = await deps.policy.check(job.url);
  const by: GitImportBy = {
    importedBy: job.provider ? `webhook:${job.provider}` : (job.requestedBy?.username ?? 'sync'),
    publisher: { principal: job.requestedBy ? { ...job.requestedBy, via: 'token' } : null, repository: repo.url },
  };
  let results: ImportItemResult[];
  if (job.ref !== undefined) {
    results = [await importGitTag(deps, repo, checkTag(job.ref), by)];
  } else {
    const tags = await listItemTags(repo, deps.fetch);
    if (!tags.length) return { state: 'ignored', results: [], error: 'the repository has no <item-id>@<semver> tags' };
    results = await importGitTags(deps, repo, tags, by);
  }
  for (const result of results) deps.metrics?.imports.inc({ source: 'git', outcome: result.status });
  return { state: 'done', results };
}
