import type { BundleStore } from '../bundles/bundleStore.js';
import type { Logger } from '../logger.js';
import type { Registry } from './registry.js';
import type { VersionArchive } from './versionArchive.js';

/**
 * Puts back into Redis every archived version whose bundle is on disk. Versions Redis still
 * has are left as they are, so it is safe to run at every start.
 */
export async function reindex(deps: { registry: Registry; archive: VersionArchive; store: BundleStore; logger: Logger }) {
  let restored = 0;
  let missingBundles = 0;
  for (const record of await deps.archive.readAll()) {
    if (!(await deps.store.has(record.digest))) {
      missingBundles++;
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
  return { restored, missingBundles };
}
