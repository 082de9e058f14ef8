import { randomBytes } from 'node:crypto';
import type { CatalogItem, JobState, JobSummary } from '@shelf/contract';
import type { JobStore } from './jobStore.js';

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

/** Intermediate sets live this long at most, even if the API dies mid-query. */
const tempTtlMs = 30_000;

/** How many ids one id-prefix search may collect (a one-character prefix matches 1/16 of all jobs). */
const maxIdMatches = 50_000;

/** Up to this many matched items are paged set by set (one pipeline); more are merged into one set first. */
const maxItemsPaged = 500;

/**
 * Copies the jobs whose id starts with ARGV[1] into a temporary set, scored by creation time,
 * without sending the ids to the API and back.
 * KEYS[1] the id index · KEYS[2] all jobs · KEYS[3] destination · ARGV[1] min · ARGV[2] max ·
 * ARGV[3] limit · ARGV[4] TTL in ms
 */
const collectIdPrefixLua = `
local ids = redis.call('ZRANGEBYLEX', KEYS[1], ARGV[1], ARGV[2], 'LIMIT', 0, tonumber(ARGV[3]))
for _, id in ipairs(ids) do
  local score = redis.call('ZSCORE', KEYS[2], id)
  if score then redis.call('ZADD', KEYS[3], score, id) end
end
redis.call('PEXPIRE', KEYS[3], ARGV[4])
return #ids
`;

/**
 * A page of jobs, newest first, read from the sorted-set indexes only: one index is paged
 * directly; filters and search combine into a short-lived temporary set (ZINTERSTORE /
 * ZUNIONSTORE), so the cost follows the size of the matching sets, never a walk over all jobs.
 *
 * `q` matches, case-insensitively, a substring of an item's id or name (looked up in the small
 * catalog hash, then the jobs of those items) or the beginning of a job id: ids are matched by
 * prefix, which is how people paste or abbreviate them, and which an index answers without a scan.
 */
export async function listJobs(store: JobStore, query: JobQuery): Promise<JobPage> {
  const { redis, keys } = store;
  const temps: string[] = [];
  const temp = () => {
    const key = keys.jobsTemp(randomBytes(8).toString('hex'));
    temps.push(key);
    return key;
  };
  const filters: string[] = [];
  if (query.state) filters.push(keys.jobsByState(query.state));
  if (query.itemId) filters.push(keys.jobsByItem(query.itemId));
  if (query.submittedBy) filters.push(keys.jobsByUser(query.submittedBy));

  try {
    const q = query.q?.trim().toLowerCase();
    if (q) {
      const scope = await searchScope(store, q, query.itemId, temp);
      if (scope === 'nothing') return { items: [], total: 0, page: query.page, pageSize: query.pageSize };
      if (typeof scope === 'object') return await pageOfItems(store, scope.itemIds, query, temp());
      if (scope !== 'everything') filters.unshift(scope);
    }
    let source = filters[0] ?? keys.jobsAll;
    if (filters.length > 1) {
      source = temp();
      // Every index scores a job by its creation time, so MAX keeps that score.
      await redis.multi().zinterstore(source, filters.length, ...filters, 'AGGREGATE', 'MAX').pexpire(source, tempTtlMs).exec();
    }
    const start = (query.page - 1) * query.pageSize;
    const [[, total], [, ids]] = (await redis
      .multi()
      .zcard(source)
      .zrevrange(source, start, start + query.pageSize - 1)
      .exec()) as [[null, number], [null, string[]]];
    return { items: await store.summaries(ids), total, page: query.page, pageSize: query.pageSize };
  } finally {
    if (temps.length) await redis.del(...temps);
  }
}

/**
 * Which jobs `q` selects: a key of a set holding them, or 'everything' / 'nothing' when no set
 * is needed, or — when q matched only item names, several of them — those items, whose job
 * sets {@link pageOfItems} reads without merging them into one first. Within an item filter,
 * only that item's match matters, so q either keeps all its jobs or narrows them to matching
 * ids; a q that every item matches narrows nothing.
 */
async function searchScope(
  store: JobStore,
  q: string,
  itemFilter: string | undefined,
  temp: () => string,
): Promise<string | 'everything' | 'nothing' | { itemIds: string[] }> {
  const { redis, keys } = store;
  const catalog = Object.entries(await redis.hgetall(keys.catalog));
  const matched = catalog.filter(([itemId, raw]) => itemId.toLowerCase().includes(q) || searchableName(raw, catalog.length).includes(q)).map(([itemId]) => itemId);
  if (itemFilter ? matched.includes(itemFilter) : catalog.length > 0 && matched.length === catalog.length) return 'everything';

  const sources = itemFilter ? [] : matched.map((itemId) => keys.jobsByItem(itemId));
  // Ids are lowercase hex, so anything else cannot be the start of one.
  const maybeId = /^[0-9a-f]{1,32}$/.test(q);
  if (!maybeId && sources.length > 1 && sources.length <= maxItemsPaged) return { itemIds: matched };
  if (maybeId) {
    const byId = temp();
    const found = (await redis.eval(collectIdPrefixLua, 3, keys.jobIds, keys.jobsAll, byId, `[${q}`, `[${q}\xff`, maxIdMatches, tempTtlMs)) as number;
    if (found) sources.push(byId);
  }
  if (sources.length <= 1) return sources[0] ?? 'nothing';
  const union = temp();
  await redis.multi().zunionstore(union, sources.length, ...sources, 'AGGREGATE', 'MAX').pexpire(union, tempTtlMs).exec();
  return union;
}

/** Lower-cased item names by the catalog entry's JSON: a search reads the whole catalog, parsing it every time cost more than the search. */
const names = new Map<string, string>();

function searchableName(raw: string, catalogSize: number): string {
  let name = names.get(raw);
  if (name === undefined) {
    // Entries of items since changed stay behind; start over before they add up.
    if (names.size > 2 * catalogSize + 100) names.clear();
    name = (JSON.parse(raw) as CatalogItem).name.toLowerCase();
    names.set(raw, name);
  }
  return name;
}

/**
 * A page of the jobs of several items (q matched their names), read from each item's own
 * index: every job belongs to exactly one item, so those sets never overlap, the total is
 * the sum of their sizes, and the newest `page × pageSize` of each are enough to find the
 * page. One round trip, and no union of all their jobs built first — which, with 100,000
 * jobs, was most of the cost of a search.
 */
async function pageOfItems(store: JobStore, itemIds: string[], query: JobQuery, tempKey: string): Promise<JobPage> {
  const { redis, keys } = store;
  const want = query.page * query.pageSize;
  const pipeline = redis.pipeline();
  const narrowing = [query.state && keys.jobsByState(query.state), query.submittedBy && keys.jobsByUser(query.submittedBy)].filter((k): k is string => Boolean(k));
  for (const itemId of itemIds) {
    let source = keys.jobsByItem(itemId);
    if (narrowing.length) {
      pipeline.zinterstore(tempKey, narrowing.length + 1, source, ...narrowing, 'AGGREGATE', 'MAX');
      source = tempKey;
    }
    pipeline.zcard(source).zrevrange(source, 0, want - 1, 'WITHSCORES');
  }
  pipeline.del(tempKey);
  const replies = (await pipeline.exec()) ?? [];
  const failed = replies.find(([err]) => err);
  if (failed) throw failed[0];
  const perItem = narrowing.length ? 3 : 2;
  let total = 0;
  const found: Array<{ id: string; score: number }> = [];
  for (let i = 0; i < itemIds.length; i++) {
    const at = i * perItem + perItem - 2;
    total += replies[at]![1] as number;
    const range = replies[at + 1]![1] as string[];
    for (let j = 0; j < range.length; j += 2) found.push({ id: range[j]!, score: Number(range[j + 1]) });
  }
  // The order ZREVRANGE gives one set: score descending, then member descending.
  found.sort((a, b) => b.score - a.score || (a.id < b.id ? 1 : a.id > b.id ? -1 : 0));
  const start = (query.page - 1) * query.pageSize;
  const ids = found.slice(start, start + query.pageSize).map((f) => f.id);
  return { items: await store.summaries(ids), total, page: query.page, pageSize: query.pageSize };
}
