import { randomUUID } from 'node:crypto';
import type { Redis } from 'ioredis';
import { latestVersion, type CatalogItem, type RedisKeys, type VersionRecord } from '@shelf/contract';

/** The catalog as one process last read it, valid while the catalog generation is `generation`. */
interface CatalogSnapshot {
  /** '' when the store had none: such a snapshot is never reused. */
  generation: string;
  items: CatalogItem[];
  /** `{"items":[…]}`, the listing's answer, serialised once per generation. */
  json: string;
  /** item id → lower-cased name, what a jobs search matches against. */
  names: Map<string, string>;
}

/**
 * The registry's read side, for every process that reads it (API, worker, job search). The
 * catalog listing is cached per catalog generation: a read costs one GET while nothing was
 * published, and every publish (which sets a new generation in the same MULTI as it changes the
 * listing) is seen by the next read in every process. Generations are random rather than
 * counted, so a Redis that lost its data and was refilled never repeats one a process cached.
 */
/** A new catalog generation; write it in the same MULTI as the change of the listing. */
export const newCatalogGeneration = (): string => randomUUID();

export class RegistryReader {
  private snapshot: CatalogSnapshot | undefined;
  private loading: Promise<CatalogSnapshot> | undefined;

  constructor(
    protected readonly redis: Redis,
    protected readonly keys: RedisKeys,
  ) {}

  /** Every item's listing entry, by name then id. */
  async catalogItems(): Promise<CatalogItem[]> {
    return (await this.catalog()).items;
  }

  /** The body of `GET /api/catalog`, ready to send. */
  async catalogJson(): Promise<string> {
    return (await this.catalog()).json;
  }

  /** item id → lower-cased item name. */
  async itemNames(): Promise<ReadonlyMap<string, string>> {
    return (await this.catalog()).names;
  }

  async itemCount(): Promise<number> {
    return this.redis.hlen(this.keys.catalog);
  }

  /** A version by number, or `latest`; undefined when there is none. */
  async findVersion(id: string, version: string): Promise<VersionRecord | undefined> {
    if (version === 'latest') {
      const records = await this.versionRecords(id);
      const latest = latestVersion(records.map((r) => r.version));
      return records.find((r) => r.version === latest);
    }
    const raw = await this.redis.hget(this.keys.versions(id), version);
    return raw ? (JSON.parse(raw) as VersionRecord) : undefined;
  }

  /** Every stored version of an item, in no particular order. */
  async versionRecords(id: string): Promise<VersionRecord[]> {
    const rows = await this.redis.hvals(this.keys.versions(id));
    return rows.map((r) => JSON.parse(r) as VersionRecord);
  }

  private async catalog(): Promise<CatalogSnapshot> {
    // No generation (a store written before generations existed, or by hand): nothing to trust a cache by.
    const generation = await this.redis.get(this.keys.catalogGeneration);
    if (generation !== null && this.snapshot?.generation === generation) return this.snapshot;
    // Concurrent requests after a publish share one reload instead of each reading the whole catalog;
    // a reload begun before this generation existed may be older than it, so then read again.
    const shared = await this.reload();
    return shared.generation === (generation ?? '') ? shared : this.reload();
  }

  private reload(): Promise<CatalogSnapshot> {
    this.loading ??= this.load().finally(() => (this.loading = undefined));
    return this.loading;
  }

  private async load(): Promise<CatalogSnapshot> {
    // Generation and listing read in one MULTI: the snapshot is never labelled newer than its content.
    const replies = await this.redis.multi().get(this.keys.catalogGeneration).hvals(this.keys.catalog).exec();
    const failed = replies?.find(([err]) => err);
    if (!replies || failed) throw failed?.[0] ?? new Error('the catalog read was aborted');
    const generation = (replies[0]![1] as string | null) ?? '';
    const items = (replies[1]![1] as string[])
      .map((r) => JSON.parse(r) as CatalogItem)
      .sort((a, b) => a.name.localeCompare(b.name) || a.id.localeCompare(b.id));
    const snapshot = { generation, items, json: JSON.stringify({ items }), names: new Map(items.map((i) => [i.id, i.name.toLowerCase()])) };
    this.snapshot = snapshot;
    return snapshot;
  }
}
