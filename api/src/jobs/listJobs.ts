import { randomBytes } from 'node:crypto';
import type { CatalogItem, JobState, JobSummary } from '@shelf/contract';
import type { JobStore } from './jobStore.js';

/** `GET /api/jobs` query, already validated. */
export interface JobQuery {
  state?: JobState;
  itemId?: string;
  q?: string;
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

  try {
    const q = query.q?.trim().toLowerCase();
    if (q) {
      const scope = await searchScope(store, q, query.itemId, temp);
      if (scope === 'nothing') return { items: [], total: 0, page: query.page, pageSize: query.pageSize };
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
 * is needed. Within an item filter, only that item's match matters, so q either keeps all its
 * jobs or narrows them to matching ids; a q that every item matches narrows nothing.
 */
async function searchScope(store: JobStore, q: string, itemFilter: string | undefined, temp: () => string): Promise<string | 'everything' | 'nothing'> {
  const { redis, keys } = store;
  const catalog = Object.entries(await redis.hgetall(keys.catalog));
  const matched = catalog
    .filter(([itemId, raw]) => itemId.toLowerCase().includes(q) || (JSON.parse(raw) as CatalogItem).name.toLowerCase().includes(q))
    .map(([itemId]) => itemId);
  if (itemFilter ? matched.includes(itemFilter) : catalog.length > 0 && matched.length === catalog.length) return 'everything';

  const sources = itemFilter ? [] : matched.map((itemId) => keys.jobsByItem(itemId));
  // Ids are lowercase hex, so anything else cannot be the start of one.
  if (/^[0-9a-f]{1,32}$/.test(q)) {
    const byId = temp();
    const found = (await redis.eval(collectIdPrefixLua, 3, keys.jobIds, keys.jobsAll, byId, `[${q}`, `[${q}\xff`, maxIdMatches, tempTtlMs)) as number;
    if (found) sources.push(byId);
  }
  if (sources.length <= 1) return sources[0] ?? 'nothing';
  const union = temp();
  await redis.multi().zunionstore(union, sources.length, ...sources, 'AGGREGATE', 'MAX').pexpire(union, tempTtlMs).exec();
  return union;
}
