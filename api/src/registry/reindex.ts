import type { BundleStore } from '../bundles/bundleStore.js';
import type { StoreQuota } from '../imports/storeQuota.js';
import type { Logger } from '../logger.js';
import type { Registry } from './registry.js';
import type { VersionArchive } from './versionArchive.js';

/** A bundle no archived version names, older than this, was left by an import that crashed before publishing. */
const orphanMinAgeMs = 60 * 60 * 1000;

/**
 * Puts back into Redis every archived version whose bundle is on disk, and deletes the bundles
 * no version names. Versions Redis still has are left as they are, so it is safe to run at every start.
 */
export async function reindex(deps: { registry: Registry; archive: VersionArchive; store: BundleStore; quota: StoreQuota; logger: Logger }) {
  let restored = 0;
  let missingBundles = 0;
  const missing = new Set<string>();
  const archived = await deps.archive.readAll();
  // Redis's versions count too: a crash between publishing and archiving leaves one only there.
  const named = new Set([...archived.map((r) => r.digest), ...(await deps.registry.digests())]);
  const orphans = await deps.store.sweep(named, orphanMinAgeMs);
  if (orphans.length) deps.logger.info({ removed: orphans.length }, 'removed bundles that no version names');
  for (const record of archived) {
    if (!(await deps.store.has(record.digest))) {
      missingBundles++;
      missing.add(record.digest);
      deps.logger.warn({ id: record.id, version: record.version, digest: record.digest }, 'archived version has no bundle; skipped');
      continue;
    }
    try {
      const { status } = await deps.registry.publish(record);
      if (status === 'created') restored++;
    } catch (err) {
      deps.logger.error({ err, id: record.id, version: record.version }, 'archived version conflicts with the registry; kept the registry');
    }
  }
  // The quota counters follow what is stored, whatever Redis kept.
  await deps.quota.recount(archived.filter((r) => !missing.has(r.digest)));
  return { restored, missingBundles };
}
