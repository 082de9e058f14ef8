import { readdir } from 'node:fs/promises';
import path from 'node:path';
import { ItemFiles } from '@shelf/contract';
import { ValidationError } from '../errors.js';

/** An uploaded bundle holds one item at its root or inside one top folder; returns that folder. */
export async function findItemRoot(dir: string): Promise<string> {
  const names = await readdir(dir, { withFileTypes: true });
  if (names.some((n) => n.isFile() && (ItemFiles.manifest as readonly string[]).includes(n.name))) return dir;
  if (names.length === 1 && names[0]!.isDirectory()) {
    const inner = path.join(dir, names[0]!.name);
    const innerNames = await readdir(inner);
    if (innerNames.some((n) => (ItemFiles.manifest as readonly string[]).includes(n))) return inner;
  }
  throw new ValidationError('the bundle holds no item', [
    { file: 'manifest.yaml', path: '', message: 'expected manifest.yaml at the archive root or inside its one top folder' },
  ]);
}
