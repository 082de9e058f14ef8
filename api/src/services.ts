import type { Redis } from 'ioredis';
import { redisKeys } from '@shelf/contract';
import { BundleStore } from './bundles/bundleStore.js';
import type { BundleLimits } from '@shelf/contract/itemFolder';
import { CatalogImports } from './imports/catalogImports.js';
import { ImportLog } from './imports/importLog.js';
import { Publications } from './imports/publications.js';
import type { RuntimeRules } from './auth/policy.js';
import { defaultAllowedImages } from '@shelf/contract';
import { ItemGrants } from './registry/itemGrants.js';
import { StoreQuota, type StoreQuotaLimits } from './imports/storeQuota.js';
import { Registry } from './registry/registry.js';
import { VersionArchive } from './registry/versionArchive.js';

export interface ServiceOptions {
  redisPrefix: string;
  bundlesDir: string;
  localRoots: string[];
  maxBundleBytes: number;
  bundleLimits?: BundleLimits;
  /** Which images and network items may ask for; the defaults when not given. */
  runtimeRules?: RuntimeRules;
  /** Bundle store quotas; the defaults when not given. */
  storeQuota?: StoreQuotaLimits;
}

/** The catalog's parts wired together; main.ts and the tests build them the same way. */
export async function createCatalogServices(redis: Redis, opts: ServiceOptions) {
  const keys = redisKeys(opts.redisPrefix);
  const store = new BundleStore(opts.bundlesDir);
  await store.init();
  const registry = new Registry(redis, keys);
  const archive = new VersionArchive(opts.bundlesDir);
  const importLog = new ImportLog(redis, keys);
  const grants = new ItemGrants(redis, keys);
  const quota = new StoreQuota(redis, keys, opts.storeQuota);
  const publications = new Publications();
  const runtime = { rules: opts.runtimeRules ?? { allowedImages: [...defaultAllowedImages], egressPublishers: [] }, grants };
  const imports = new CatalogImports(
    { store, registry, archive, runtime, quota, publications, log: importLog },
    { localRoots: opts.localRoots, maxBundleBytes: opts.maxBundleBytes, bundleLimits: opts.bundleLimits },
  );
  return { keys, store, registry, archive, runtime, grants, quota, importLog, imports, publications };
}
export type CatalogServices = Awaited<ReturnType<typeof createCatalogServices>>;
