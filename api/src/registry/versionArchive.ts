import { mkdir, readFile, readdir, rename, writeFile } from 'node:fs/promises';
import path from 'node:path';
import type { VersionRecord } from '@shelf/contract';

/**
 * Each version's record kept beside the bundles (`<bundles>/meta/<id>@<version>.json`), so the
 * registry can be rebuilt from disk if Redis loses it. Written once, atomically.
 */
export class VersionArchive {
  private readonly dir: string;

  constructor(bundlesDir: string) {
    this.dir = path.join(bundlesDir, 'meta');
  }

  async write(record: VersionRecord): Promise<void> {
    await mkdir(this.dir, { recursive: true });
    const target = path.join(this.dir, `${record.id}@${record.version}.json`);
    const temp = `${target}.${process.pid}.${Date.now()}.tmp`;
    await writeFile(temp, JSON.stringify(record), { flag: 'wx' });
    await rename(temp, target);
  }

  async readAll(): Promise<VersionRecord[]> {
    let names: string[];
    try {
      names = await readdir(this.dir);
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') return [];
      throw err;
    }
    const records: VersionRecord[] = [];
    for (const name of names.filter((n) => n.endsWith('.json'))) {
      records.push(JSON.parse(await readFile(path.join(this.dir, name), 'utf8')) as VersionRecord);
    }
    return records;
  }
}
