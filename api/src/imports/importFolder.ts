import { rm } from 'node:fs/promises';
import type { ImportResult, Source, VersionRecord } from '@shelf/contract';
import type { BundleStore } from '../bundles/bundleStore.js';
import { invalidItemMessage, packBundle, readItemTexts, type ItemEntry } from '@shelf/contract/itemFolder';
import { canPublishItem, canUseRuntime, type ItemOwners, type Publisher, type RuntimeRules } from '../auth/policy.js';
import type { ItemGrants } from '../registry/itemGrants.js';
import type { Publications } from './publications.js';
import type { StoreQuota } from './storeQuota.js';
import { ConflictError, ForbiddenError, ValidationError } from '../errors.js';
import { versionConflict, type Registry } from '../registry/registry.js';
import type { VersionArchive } from '../registry/versionArchive.js';
import { sharedValidationPool } from '../validation/validationPool.js';

export interface ImportDeps {
  store: BundleStore;
  registry: Registry;
  archive: VersionArchive;
  /** The operator's rules on images and network, and the grants admins gave item ids. */
  runtime: { rules: RuntimeRules; grants: ItemGrants };
  quota: StoreQuota;
  /** Told of each version an import creates (notifications send `item.published`). */
  publications?: Publications;
}

function checkPublisher(publisher: Publisher, itemId: string, owners: ItemOwners | null): void {
  const decision = canPublishItem(publisher, itemId, owners);
  if (!decision.allowed) throw new ForbiddenError(decision.reason);
}

/**
 * The one import path of every source: validate an item folder, pack it deterministically,
 * store the bundle and publish the version. Nothing is stored unless all of it succeeds.
 */
export async function importFolder(
  deps: ImportDeps,
  dir: string,
  entries: ItemEntry[],
  source: Source,
  publisher: Publisher,
  opts: { tagVersion?: string } = {},
): Promise<ImportResult> {
  // The same steps as contract's checkItemFolder (what `shelf validate` runs), with validateItem
  // off the event loop: compiling a large input schema takes a while.
  const texts = await readItemTexts(dir, entries);
  if (!texts.ok) throw new ValidationError(texts.message, texts.problems);
  const validation = await sharedValidationPool().checkItem(texts.texts, opts);
  if (!validation.ok) throw new ValidationError(invalidItemMessage(validation.problems.length), validation.problems);
  const { manifest, schema, uiSchema, readme } = validation.item;
  const owners = await deps.registry.owners(manifest.id);
  checkPublisher(publisher, manifest.id, owners);
  const runtime = canUseRuntime(publisher, manifest, deps.runtime.rules, await deps.runtime.grants.has(manifest.id, 'egress'));
  if (!runtime.allowed) throw new ForbiddenError(runtime.reason);
  const existing = await deps.registry.findVersion(manifest.id, manifest.version);

  const temp = deps.store.tempPath('.tar.gz');
  try {
    const packed = await packBundle(dir, entries, temp);
    if (existing) {
      if (existing.contentHash !== packed.contentHash) throw versionConflict(existing);
      return { id: existing.id, version: existing.version, digest: existing.digest, status: 'unchanged' };
    }
    const record: VersionRecord = {
      id: manifest.id,
      version: manifest.version,
      manifest,
      schema,
      uiSchema,
      readme,
      digest: packed.digest,
      contentHash: packed.contentHash,
      size: packed.size,
      source,
      createdAt: new Date().toISOString(),
    };
    await deps.quota.checkVersions(record.id);
    if (!owners) {
      // The first publish of an id makes its owners; a rival first publish that got there first decides instead.
      const claimed: ItemOwners = {
        users: publisher.principal ? [{ id: publisher.principal.id, username: publisher.principal.username }] : [],
        group: manifest.owner ?? null,
        repository: source.kind === 'git' ? source.url : null,
      };
      checkPublisher(publisher, manifest.id, await deps.registry.claim(manifest.id, claimed));
    }
    await deps.quota.reserve(source.importedBy, packed.size);
    await deps.store.put(temp, packed.digest);
    let outcome;
    try {
      outcome = await deps.registry.publish(record);
    } catch (err) {
      // A rival import of the same version with other content won between our check and our
      // publish: this bundle belongs to no version and must not stay behind, servable by digest.
      // (Any other failure may have come after the version was written: keep the bundle then.)
      if (err instanceof ConflictError) {
        await deps.store.remove(packed.digest);
        await deps.quota.release(source.importedBy, packed.size);
      }
      throw err;
    }
    if (outcome.status !== 'created') await deps.quota.release(source.importedBy, packed.size);
    if (outcome.record.digest !== packed.digest) await deps.store.remove(packed.digest);
    if (outcome.status === 'created') {
      await deps.archive.write(record);
      deps.publications?.emit('published', record);
    }
    return { id: record.id, version: record.version, digest: outcome.record.digest, status: outcome.status };
  } finally {
    await rm(temp, { force: true });
  }
}
