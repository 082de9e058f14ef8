import { finishedStates } from '@shelf/contract';
import type { Logger } from '../logger.js';
import type { JobStore } from './jobStore.js';

/**
 * Deletes one job and its log, but only if it has finished: the check and the deletion are
 * one step, so a queued or running job is never removed whatever happens meanwhile.
 * KEYS[1] job hash · KEYS[2] log · KEYS[3] log byte count · KEYS[4] all jobs · KEYS[5] id index
 * ARGV[1] per-state index prefix · ARGV[2] per-item index prefix · ARGV[3] the job id
 * ARGV[4] the index the id was found in (cleans an index entry whose hash is gone) ·
 * ARGV[5] per-user index prefix
 * Returns 1 when deleted, 2 when only a stale index entry was removed, 0 when kept.
 */
const deleteFinishedJobLua = `
local fields = redis.call('HMGET', KEYS[1], 'state', 'itemId', 'submittedById')
local state, itemId, userId = fields[1], fields[2], fields[3]
if not state then
  redis.call('ZREM', ARGV[4], ARGV[3])
  redis.call('ZREM', KEYS[4], ARGV[3])
  redis.call('ZREM', KEYS[5], ARGV[3])
  return 2
end
if state ~= 'SUCCEEDED' and state ~= 'FAILED' and state ~= 'CANCELLED' then return 0 end
redis.call('DEL', KEYS[1], KEYS[2], KEYS[3])
redis.call('ZREM', KEYS[4], ARGV[3])
redis.call('ZREM', KEYS[5], ARGV[3])
redis.call('ZREM', ARGV[1] .. state, ARGV[3])
if itemId then redis.call('ZREM', ARGV[2] .. itemId, ARGV[3]) end
if userId and userId ~= '' then redis.call('ZREM', ARGV[5] .. userId, ARGV[3]) end
return 1
`;

const batchSize = 500;

/** A pipeline that knows the command defined below. */
interface DeleteBatch {
  shelfDeleteFinishedJob(...args: string[]): DeleteBatch;
  exec(): Promise<[Error | null, unknown][] | null>;
}

/**
 * Deletes finished jobs (and their logs) created more than `olderThanMs` ago, from every index.
 * Queued and running jobs are kept however old they are. Returns how many jobs were deleted.
 */
export async function pruneJobs(store: JobStore, olderThanMs: number, now = Date.now()): Promise<number> {
  const { redis, keys } = store;
  const cutoff = now - olderThanMs;
  // A defined command runs by EVALSHA, so a batch does not send the script 500 times.
  redis.defineCommand('shelfDeleteFinishedJob', { numberOfKeys: 5, lua: deleteFinishedJobLua });
  let deleted = 0;
  for (const state of finishedStates) {
    const index = keys.jobsByState(state);
    // Removed ids leave the index, so the next batch starts after the ones that were kept.
    let kept = 0;
    for (;;) {
      const ids = await redis.zrangebyscore(index, '-inf', `(${cutoff}`, 'LIMIT', kept, batchSize);
      if (!ids.length) break;
      const pipeline = redis.pipeline() as unknown as DeleteBatch;
      for (const id of ids) {
        pipeline.shelfDeleteFinishedJob(
          keys.job(id),
          keys.jobLog(id),
          keys.jobLogBytes(id),
          keys.jobsAll,
          keys.jobIds,
          keys.jobsByStatePrefix,
          keys.jobsByItem(''),
          id,
          index,
          keys.jobsByUser(''),
        );
      }
      const results = (await pipeline.exec()) ?? [];
      deleted += results.filter(([err, n]) => !err && n === 1).length;
      kept += results.filter(([err, n]) => err || n === 0).length;
      if (ids.length < batchSize) break;
    }
  }
  return deleted;
}

export interface RetentionOptions {
  retentionDays: number;
  logger: Logger;
  /** How often to prune; hourly by default. */
  intervalMs?: number;
}

/** Prunes now (shortly after start-up) and then periodically; returns the function that stops it. */
export function startJobRetention(store: JobStore, opts: RetentionOptions): () => void {
  const olderThanMs = opts.retentionDays * 24 * 60 * 60 * 1000;
  const run = async () => {
    try {
      const deleted = await pruneJobs(store, olderThanMs);
      if (deleted) opts.logger.info({ deleted, retentionDays: opts.retentionDays }, 'pruned finished jobs past retention');
    } catch (err) {
      opts.logger.warn({ err }, 'job retention pass failed; will try again');
    }
  };
  const first = setTimeout(() => void run(), 10_000);
  const every = setInterval(() => void run(), opts.intervalMs ?? 60 * 60 * 1000);
  first.unref();
  every.unref();
  return () => {
    clearTimeout(first);
    clearInterval(every);
  };
}
