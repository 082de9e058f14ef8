import type { Redis } from 'ioredis';
import { formatBytes, type RedisKeys, type VersionRecord } from '@shelf/contract';
import { QuotaExceededError } from '../errors.js';

export interface StoreQuotaLimits {
  /** SHELF_MAX_STORE_BYTES: every bundle together. */
  maxStoreBytes: number;
  /** SHELF_MAX_PUBLISHER_STORE_BYTES: the bundles one publisher stored. */
  maxPublisherStoreBytes: number;
  /** SHELF_MAX_VERSIONS_PER_ITEM. */
  maxVersionsPerItem: number;
}

export const defaultStoreQuota: StoreQuotaLimits = { maxStoreBytes: 20 * 1024 ** 3, maxPublisherStoreBytes: 2 * 1024 ** 3, maxVersionsPerItem: 500 };

/** Checks both ceilings and counts the bytes in one step, so racing imports cannot both squeeze under a limit. */
const reserveLua = `
local total = tonumber(redis.call('GET', KEYS[1]) or '0')
local mine = tonumber(redis.call('HGET', KEYS[2], ARGV[1]) or '0')
local bytes = tonumber(ARGV[2])
if total + bytes > tonumber(ARGV[3]) then return {1, total} end
if mine + bytes > tonumber(ARGV[4]) then return {2, mine} end
redis.call('INCRBY', KEYS[1], bytes)
redis.call('HINCRBY', KEYS[2], ARGV[1], bytes)
return {0, 0}
`;

/**
 * How much of the bundle store each publisher fills (SPEC: one client must not fill the disk).
 * Bytes are reserved before a bundle is stored and released if it ends up not published.
 */
export class StoreQuota {
  constructor(
    private readonly redis: Redis,
    private readonly keys: RedisKeys,
    readonly limits: StoreQuotaLimits = defaultStoreQuota,
  ) {}

  /** Refuses a further version of an item that has as many as the quota allows. */
  async checkVersions(itemId: string): Promise<void> {
    const count = await this.redis.hlen(this.keys.versions(itemId));
    if (count >= this.limits.maxVersionsPerItem) {
      throw new QuotaExceededError(`${itemId} has ${count} versions, the most SHELF_MAX_VERSIONS_PER_ITEM allows; ask an admin to raise it`, { quota: 'versionsPerItem', limit: this.limits.maxVersionsPerItem });
    }
  }

  async reserve(publisher: string, bytes: number): Promise<void> {
    const { maxStoreBytes, maxPublisherStoreBytes } = this.limits;
    const [over, used] = (await this.redis.eval(reserveLua, 2, this.keys.storeBytes, this.keys.storeBytesByPublisher, publisher, bytes, maxStoreBytes, maxPublisherStoreBytes)) as [number, number];
    if (over === 1) {
      throw new QuotaExceededError(`the bundle store is full: ${formatBytes(used)} of ${formatBytes(maxStoreBytes)} (SHELF_MAX_STORE_BYTES) used, this bundle needs ${formatBytes(bytes)}`, { quota: 'store', limit: maxStoreBytes });
    }
    if (over === 2) {
      throw new QuotaExceededError(`${publisher} has stored ${formatBytes(used)} of bundles, this one (${formatBytes(bytes)}) would pass their ${formatBytes(maxPublisherStoreBytes)} (SHELF_MAX_PUBLISHER_STORE_BYTES)`, { quota: 'publisher', limit: maxPublisherStoreBytes });
    }
  }

  async release(publisher: string, bytes: number): Promise<void> {
    await this.redis.multi().decrby(this.keys.storeBytes, bytes).hincrby(this.keys.storeBytesByPublisher, publisher, -bytes).exec();
  }

  /** Sets the counters from the versions on record (at start, after Redis may have lost them). */
  async recount(records: VersionRecord[]): Promise<void> {
    const byPublisher = new Map<string, number>();
    const seen = new Set<string>();
    let total = 0;
    for (const r of records) {
      if (seen.has(r.digest)) continue;
      seen.add(r.digest);
      total += r.size;
      byPublisher.set(r.source.importedBy, (byPublisher.get(r.source.importedBy) ?? 0) + r.size);
    }
    const write = this.redis.multi().set(this.keys.storeBytes, total).del(this.keys.storeBytesByPublisher);
    if (byPublisher.size) write.hset(this.keys.storeBytesByPublisher, Object.fromEntries(byPublisher));
    await write.exec();
  }
}
