import { mkdir, rename, rm, stat, writeFile } from 'node:fs/promises';
import path from 'node:path';
import type { VersionRecord } from '@shelf/contract';
import type { BundleStore } from '../bundles/bundleStore.js';
import { generateValidatorModule, moduleRevision } from './generateValidatorModule.js';

/**
 * The browser validator module of each item version, built on first request and kept on disk
 * beside the bundles (`<bundles>/validators/<digest>.r<revision>.js`). A version's digest fixes
 * its schema, so a module, once written, is right forever: it is never rebuilt or changed.
 */
export class ValidatorModules {
  private readonly dir: string;
  /** Builds under way, by file: concurrent first requests wait for the same one. */
  private readonly building = new Map<string, Promise<string>>();

  constructor(
    private readonly store: BundleStore,
    private readonly generate: (schema: Record<string, unknown>) => Promise<string> = generateValidatorModule,
  ) {
    this.dir = path.join(store.root, 'validators');
  }

  /** The module's strong ETag, known without building it. */
  etagOf(version: Pick<VersionRecord, 'digest'>): string {
    return `"${version.digest}.r${moduleRevision}"`;
  }

  /** The module's file, generated if this is the first request for it. */
  async fileFor(version: Pick<VersionRecord, 'digest' | 'schema'>): Promise<string> {
    const file = path.join(this.dir, `${version.digest}.r${moduleRevision}.js`);
    if (await isFile(file)) return file;
    let pending = this.building.get(file);
    if (!pending) {
      pending = this.build(version.schema, file).finally(() => this.building.delete(file));
      this.building.set(file, pending);
    }
    return pending;
  }

  private async build(schema: Record<string, unknown>, file: string): Promise<string> {
    const code = await this.generate(schema);
    await mkdir(this.dir, { recursive: true });
    // Written beside the bundles' work files (same file system), then renamed: a reader sees the
    // whole module or none, and another process building the same version writes the same bytes.
    const temp = this.store.tempPath('.js');
    try {
      await writeFile(temp, code, { flag: 'wx' });
      await rename(temp, file);
    } finally {
      await rm(temp, { force: true });
    }
    return file;
  }
}

async function isFile(p: string): Promise<boolean> {
  try {
    return (await stat(p)).isFile();
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return false;
    throw err;
  }
}
