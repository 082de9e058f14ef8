import { latestVersion, sortVersionsDesc, type CatalogItem, type VersionInfo, type VersionRecord } from '@shelf/contract';
import { newCatalogGeneration, RegistryReader } from '@shelf/records';
import type { ItemOwners } from '../auth/policy.js';
import { ConflictError, NotFoundError } from '../errors.js';

export type PublishOutcome = { status: 'created' | 'unchanged'; record: VersionRecord };

/**
 * The catalog in Redis: one hash of versions per item (immutable once written) and a
 * catalog hash kept current on every publish so listing never walks every version. The
 * read side is the records package's RegistryReader, which the worker and job search share.
 */
export class Registry extends RegistryReader {
  async listVersions(id: string): Promise<VersionInfo[]> {
    const records = await this.versionRecords(id);
    if (!records.length) throw new NotFoundError('catalog item', id);
    const byVersion = new Map(records.map((r) => [r.version, r]));
    return sortVersionsDesc([...byVersion.keys()]).map((v) => {
      const r = byVersion.get(v)!;
      return { version: r.version, digest: r.digest, source: r.source, createdAt: r.createdAt };
    });
  }

  /** A version by number, or `latest`. */
  async getVersion(id: string, version: string): Promise<VersionRecord> {
    const record = await this.findVersion(id, version);
    if (!record) throw new NotFoundError('catalog version', `${id}@${version}`);
    return record;
  }

  /**
   * Stores a version unless it exists: the same content is `unchanged`, other content a conflict.
   * HSETNX makes the first writer win even when two imports race.
   */
  async publish(record: VersionRecord): Promise<PublishOutcome> {
    const written = await this.redis.hsetnx(this.keys.versions(record.id), record.version, JSON.stringify(record));
    if (!written) {
      const existing = await this.getVersion(record.id, record.version);
      if (existing.contentHash !== record.contentHash) throw versionConflict(existing);
      await this.refreshCatalogEntry(record.id);
      return { status: 'unchanged', record: existing };
    }
    await this.refreshCatalogEntry(record.id);
    return { status: 'created', record };
  }

  /** The bundle digest of every version Redis knows. */
  async digests(): Promise<Set<string>> {
    const digests = new Set<string>();
    for (const item of await this.catalogItems()) {
      for (const record of await this.versionRecords(item.id)) digests.add(record.digest);
    }
    return digests;
  }

  /** Who owns an item id; null while nobody has published it. */
  async owners(id: string): Promise<ItemOwners | null> {
    const raw = await this.redis.get(this.keys.itemOwners(id));
    return raw ? (JSON.parse(raw) as ItemOwners) : null;
  }

  /** Makes `owners` the owners of a free id; returns the owners in force (the first claim wins a race). */
  async claim(id: string, owners: ItemOwners): Promise<ItemOwners> {
    const set = await this.redis.set(this.keys.itemOwners(id), JSON.stringify(owners), 'NX');
    return set ? owners : ((await this.owners(id)) ?? owners);
  }

  /** Recomputed from all versions after each write, so the last writer always leaves a complete view. */
  private async refreshCatalogEntry(id: string): Promise<void> {
    const records = await this.versionRecords(id);
    const latest = latestVersion(records.map((r) => r.version));
    const top = records.find((r) => r.version === latest);
    if (!top) return;
    const entry: CatalogItem = {
      id,
      name: top.manifest.name,
      description: top.manifest.description ?? '',
      tags: top.manifest.tags ?? [],
      owner: top.manifest.owner ?? '',
      latestVersion: top.version,
      versionCount: records.length,
    };
    await this.redis.multi().hset(this.keys.catalog, id, JSON.stringify(entry)).set(this.keys.catalogGeneration, newCatalogGeneration()).exec();
  }
}

export function versionConflict(existing: VersionRecord): ConflictError {
  return new ConflictError(
    `${existing.id}@${existing.version} already exists with different content; versions are immutable, publish a new version`,
    { id: existing.id, version: existing.version, digest: existing.digest },
  );
}
