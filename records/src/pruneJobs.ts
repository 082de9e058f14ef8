import { finishedStates } from '@shelf/contract';
import type { JobStorage } from './jobStorage.js';

const batchSize = 500;

/**
 * Deletes finished jobs (and their logs) created more than `olderThanMs` ago, from every index.
 * Queued and running jobs are kept however old they are. Returns how many jobs were deleted.
 */
export async function pruneJobs(storage: JobStorage, olderThanMs: number, now = Date.now()): Promise<number> {
  const cutoff = now - olderThanMs;
  let deleted = 0;
  for (const state of finishedStates) {
    // Removed ids leave the index, so the next batch starts after the ones that were kept.
    let kept = 0;
    for (;;) {
      const ids = await storage.finishedBefore(state, cutoff, kept, batchSize);
      if (!ids.length) break;
      const results = await storage.deleteFinished(state, ids);
      deleted += results.filter((n) => n === 1).length;
      kept += results.filter((n) => n === 0).length;
      if (ids.length < batchSize) break;
    }
  }
  return deleted;
}

/** The part of a pino logger retention uses. */
export interface RetentionLogger {
  info(details: object, message: string): void;
  warn(details: object, message: string): void;
}

export interface RetentionOptions {
  retentionDays: number;
  logger: RetentionLogger;
  /** How often to prune; hourly by default. */
  intervalMs?: number;
}

/** Prunes shortly after start-up and then periodically; returns the function that stops it. */
export function startJobRetention(records: { prune(olderThanMs: number): Promise<number> }, opts: RetentionOptions): () => void {
  const olderThanMs = opts.retentionDays * 24 * 60 * 60 * 1000;
  const run = async () => {
    try {
      const deleted = await records.prune(olderThanMs);
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
