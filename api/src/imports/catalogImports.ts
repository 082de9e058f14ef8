import { mkdtemp, rm } from 'node:fs/promises';
import path from 'node:path';
import type { ImportResult } from '@shelf/contract';
import type { Publisher } from '../auth/policy.js';
import { type BundleLimits, walkItemFolder } from '@shelf/contract/itemFolder';
import { extractBundle } from '../bundles/extractBundle.js';
import { findItemRoot } from './findItemRoot.js';
import { importFolder, type ImportDeps } from './importFolder.js';
import type { ImportLog } from './importLog.js';
import { receiveUpload, type UploadStream } from './receiveUpload.js';
import { recordImport } from './recordImport.js';
import { resolveLocalPath } from './resolveLocalPath.js';

export interface CatalogImportsOptions {
  localRoots: string[];
  maxBundleBytes: number;
  bundleLimits?: BundleLimits;
}

/** Local-folder and upload imports, each recorded in the import log. */
export class CatalogImports {
  constructor(
    private readonly deps: ImportDeps & { log: ImportLog },
    private readonly opts: CatalogImportsOptions,
  ) {}

  async importLocal(requested: string, publisher: Publisher): Promise<ImportResult & { importId: string }> {
    const { importId, result } = await recordImport(this.deps.log, { kind: 'local', path: requested }, async () => {
      const { dir, shown } = await resolveLocalPath(requested, this.opts.localRoots);
      const entries = await walkItemFolder(dir, this.opts.bundleLimits);
      const source = { kind: 'local' as const, path: shown, importedAt: new Date().toISOString(), importedBy: importerName(publisher) };
      return importFolder(this.deps, dir, entries, source, publisher);
    });
    return { ...result, importId };
  }

  async importUpload(upload: UploadStream, publisher: Publisher): Promise<ImportResult & { importId: string }> {
    const archive = this.deps.store.tempPath('.upload.tar.gz');
    const work = await mkdtemp(path.join(path.dirname(archive), 'upload-'));
    let fileName = 'bundle.tar.gz';
    try {
      // A refused upload (too large, not multipart) is not an import attempt of an item yet.
      fileName = (await receiveUpload(upload, archive, this.opts.maxBundleBytes)).fileName;
      const { importId, result } = await recordImport(this.deps.log, { kind: 'upload', fileName }, async () => {
        const unpacked = path.join(work, 'bundle');
        await extractBundle(archive, unpacked, this.opts.bundleLimits);
        const root = await findItemRoot(unpacked);
        const entries = await walkItemFolder(root, this.opts.bundleLimits);
        const source = { kind: 'upload' as const, fileName, importedAt: new Date().toISOString(), importedBy: importerName(publisher) };
        return importFolder(this.deps, root, entries, source, publisher);
      });
      return { ...result, importId };
    } finally {
      await rm(work, { recursive: true, force: true });
      await rm(archive, { force: true });
    }
  }
}

function importerName(publisher: Publisher): string {
  return publisher.principal?.username ?? 'anonymous';
}
