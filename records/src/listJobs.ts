import type { JobState, JobSummary } from '@shelf/contract';
import type { JobStorage, PagePlan } from './jobStorage.js';

/** `GET /api/jobs` query, already validated. */
export interface JobQuery {
  state?: JobState;
  itemId?: string;
  q?: string;
  /** Only this user's jobs (non-admins see their own alone). */
  submittedBy?: string;
  page: number;
  pageSize: number;
}

export interface JobPage {
  items: JobSummary[];
  total: number;
  page: number;
  pageSize: number;
}

/**
 * A page of jobs, newest first, read from the sorted-set indexes only, so the cost follows the
 * size of the matching sets, never a walk over all jobs. This decides which sets; one script
 * (pageJobsLua) combines them and reads the page inside Redis.
 *
 * `q` matches, case-insensitively, a substring of an item's id or name — matched here against
 * the registry's item names, cached per catalog generation — or the beginning of a job id: ids
 * are matched by prefix, which is how people paste or abbreviate them, and which an index
 * answers without a scan.
 */
export async function listJobs(storage: JobStorage, itemNames: () => Promise<ReadonlyMap<string, string>>, query: JobQuery): Promise<JobPage> {
  const q = query.q?.trim().toLowerCase();
  const scope = q ? searchScope(q, query.itemId, await itemNames()) : 'all';
  if (scope === 'nothing') return { items: [], total: 0, page: query.page, pageSize: query.pageSize };
  const plan: PagePlan = {
    state: query.state,
    itemId: query.itemId,
    submittedBy: query.submittedBy,
    scope,
    offset: (query.page - 1) * query.pageSize,
    size: query.pageSize,
  };
  const { total, items } = await storage.page(plan);
  return { items, total, page: query.page, pageSize: query.pageSize };
}

/**
 * Which jobs `q` selects. Within an item filter only that item's match matters, so q either keeps
 * all its jobs or narrows them to matching ids; a q that every item matches narrows nothing.
 */
function searchScope(q: string, itemFilter: string | undefined, names: ReadonlyMap<string, string>): PagePlan['scope'] | 'nothing' {
  const matched: string[] = [];
  for (const [itemId, name] of names) if (itemId.toLowerCase().includes(q) || name.includes(q)) matched.push(itemId);
  if (itemFilter ? matched.includes(itemFilter) : names.size > 0 && matched.length === names.size) return 'all';
  const itemIds = itemFilter ? [] : matched;
  // Ids are lowercase hex, so anything else cannot be the start of one.
  const idPrefix = /^[0-9a-f]{1,32}$/.test(q) ? q : undefined;
  return itemIds.length || idPrefix ? { itemIds, idPrefix } : 'nothing';
}
