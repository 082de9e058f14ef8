import { z } from 'zod';
import { roles, type ImportItemResult, type ImportState } from '@shelf/contract';
import type { Publisher } from '../auth/policy.js';
import type { Metrics } from '../metrics.js';
import type { GitUrlPolicy } from './gitUrlPolicy.js';
import { checkTag } from './gitUrlPolicy.js';
import { importGitTag, type GitImportDeps } from './importGitTag.js';
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
 * Imports one tag, or every `<id>@<semver>` tag, of a repository. The URL is checked again
 * here, not only when the job was queued: DNS may answer differently now (rebinding), and
 * the addresses checked now are the ones git is pinned to.
 */
export async function syncRepository(deps: SyncDeps, job: GitSyncJobData): Promise<SyncOutcome> {
  const repo = await deps.policy.check(job.url);
  const importedBy = job.provider ? `webhook:${job.provider}` : (job.requestedBy?.username ?? 'sync');
  const publisher: Publisher = {
    principal: job.requestedBy ? { ...job.requestedBy, via: 'token' } : null,
    repository: repo.url,
  };
  const tags = job.ref !== undefined ? [checkTag(job.ref)] : await listItemTags(repo, deps.fetch);
  if (!tags.length) return { state: 'ignored', results: [], error: 'the repository has no <item-id>@<semver> tags' };
  const results: ImportItemResult[] = [];
  for (const tag of tags) {
    const result = await importGitTag(deps, repo, tag, importedBy, publisher);
    deps.metrics?.imports.inc({ source: 'git', outcome: result.status });
    results.push(result);
  }
  return { state: 'done', results };
}
