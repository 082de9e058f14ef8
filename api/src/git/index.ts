import path from 'node:path';
import type { Redis } from 'ioredis';
import type { RedisKeys } from '@shelf/contract';
import type { BundleLimits } from '@shelf/contract/itemFolder';
import type { ImportDeps } from '../imports/importFolder.js';
import type { ImportLog } from '../imports/importLog.js';
import type { Logger } from '../logger.js';
import type { Metrics } from '../metrics.js';
import { defaultFetchOptions, type FetchOptions } from './fetchTags.js';
import { GitImports } from './gitImports.js';
import { startGitSyncConsumer } from './gitSyncConsumer.js';
import { GitSyncQueue, type GitSyncQueueOptions } from './gitSyncQueue.js';
import type { HostGateOptions } from './hostGate.js';
import { GitUrlPolicy, type LookupAll } from './gitUrlPolicy.js';

export interface GitServiceOptions extends ImportDeps {
  keys: RedisKeys;
  importLog: ImportLog;
  logger: Logger;
  metrics?: Metrics;
  /** config.gitAllow (SHELF_GIT_ALLOW) */
  gitAllow: string[];
  /** config.bundlesDir: the mirrors live in its `.git-cache/`. */
  bundlesDir: string;
  bundleLimits?: BundleLimits;
  fetch?: Partial<FetchOptions>;
  queue?: GitSyncQueueOptions;
  /** Syncs at once, all hosts together (4). */
  concurrency?: number;
  /** config.gitSyncTimeoutMs (SHELF_GIT_SYNC_TIMEOUT_SECONDS): all git commands of one sync together; 300 s. */
  syncTimeoutMs?: number;
  /** Each host's share of the slots (half) and the backoff of a host that timed out (30 s, doubling to 10 min). */
  hostLimits?: Partial<HostGateOptions>;
  /** Tests replace DNS. */
  lookup?: LookupAll;
}

/**
 * The Git import feature wired together: the URL policy, the sync queue (sharing the API's
 * Redis connection), the intake the routes call, and the consumer, which runs in the API
 * process because the import pipeline lives here. main.ts and the tests build it the same way.
 */
export function createGitServices(redis: Redis, opts: GitServiceOptions) {
  const policy = new GitUrlPolicy({ allow: opts.gitAllow, lookup: opts.lookup });
  const queue = new GitSyncQueue(redis, opts.keys, { ...opts.queue, logger: opts.logger });
  const imports = new GitImports({ redis, keys: opts.keys, importLog: opts.importLog, policy, queue });
  const fetch: FetchOptions = { cacheDir: path.join(opts.bundlesDir, '.git-cache'), ...defaultFetchOptions, ...opts.fetch };
  return {
    policy,
    imports,
    /** Starts consuming Git sync jobs; resolves to the function that stops it. */
    startConsumer: () =>
      startGitSyncConsumer({
        redis,
        keys: opts.keys,
        importLog: opts.importLog,
        store: opts.store,
        registry: opts.registry,
        archive: opts.archive,
        runtime: opts.runtime,
        quota: opts.quota,
        publications: opts.publications,
        logger: opts.logger,
        metrics: opts.metrics,
        policy,
        fetch,
        bundleLimits: opts.bundleLimits,
        concurrency: opts.concurrency,
        syncTimeoutMs: opts.syncTimeoutMs,
        hostLimits: opts.hostLimits,
      }),
    /** Closes the queue; the shared Redis connection stays open for its owner to close. */
    close: () => queue.close(),
  };
}
export type GitServices = ReturnType<typeof createGitServices>;
