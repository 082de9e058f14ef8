import { readdir } from 'node:fs/promises';
import path from 'node:path';
import { systemActor } from '../auth/principal.js';
import type { Logger } from '../logger.js';
import type { CatalogImports } from './catalogImports.js';

/** Imports every folder of the examples directory, so a fresh Shelf has a catalog to try. */
export async function importExamples(imports: CatalogImports, dir: string, logger: Logger): Promise<void> {
  let names: string[];
  try {
    names = (await readdir(dir, { withFileTypes: true })).filter((d) => d.isDirectory()).map((d) => d.name);
  } catch {
    logger.warn({ dir }, 'no examples folder; the catalog starts empty');
    return;
  }
  for (const name of names.sort()) {
    try {
      const r = await imports.importLocal(path.join(dir, name), { principal: { ...systemActor, role: 'admin', groups: [], via: 'token' } });
      logger.info({ item: `${r.id}@${r.version}`, status: r.status }, 'example imported');
    } catch (err) {
      logger.error({ err, folder: name }, 'example refused');
    }
  }
}
