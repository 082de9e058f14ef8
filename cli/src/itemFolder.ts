import { stat, mkdtemp, rename, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { parseItemTag } from '@shelf/contract';
import { checkItemFolder, packBundle, type ItemFolderCheck, type PackedBundle } from '@shelf/contract/itemFolder';
import { CliError } from './cliError.js';
import { ExitCode } from './exitCodes.js';

/** A folder argument that exists and is a folder, else a usage error naming it. */
export async function requireFolder(dir: string): Promise<string> {
  const info = await stat(dir).catch(() => undefined);
  if (!info) throw new CliError(`${dir}: no such folder; give the item's folder (the one holding manifest.yaml)`);
  if (!info.isDirectory()) throw new CliError(`${dir} is not a folder; give the item's folder (the one holding manifest.yaml)`);
  return path.resolve(dir);
}

/**
 * The server's import checks on a folder, offline (contract's checkItemFolder). `tag` is a Git
 * tag `<id>@<semver>`: its version decides, as in a Git import, and its id must be the manifest's.
 */
export async function checkFolder(dir: string, tag?: string): Promise<ItemFolderCheck> {
  let tagVersion: string | undefined;
  let tagId: string | undefined;
  if (tag !== undefined) {
    const parsed = parseItemTag(tag.replace(/^refs\/tags\//, ''));
    if (!parsed) throw new CliError(`--tag ${tag}: not an item tag; Shelf publishes tags named <item-id>@<semver>, e.g. hello-world@1.2.0`);
    ({ id: tagId, version: tagVersion } = parsed);
  }
  const check = await checkItemFolder(await requireFolder(dir), { tagVersion });
  if (check.ok && tagId !== undefined && check.item.manifest.id !== tagId) {
    const file = check.entries.find((e) => e.path.startsWith('manifest.'))?.path ?? 'manifest.yaml';
    const message = `the tag names item ${tagId}, the manifest's id is ${check.item.manifest.id}`;
    return { ok: false, message, problems: [{ file, path: '/id', message }] };
  }
  return check;
}

/** A valid folder's check, or a CliError (exit 1) listing its problems. */
export async function requireValid(dir: string): Promise<Extract<ItemFolderCheck, { ok: true }>> {
  const check = await checkFolder(dir);
  if (!check.ok) throw new CliError(`${dir}: ${check.message}`, ExitCode.FAILED, check.problems);
  return check;
}

/**
 * Packs a checked folder as the server does (the same packBundle), to `outPath` (replaced if it
 * exists). The archive is built next to it first, so a failure leaves no half-written file.
 */
export async function packTo(dir: string, check: Extract<ItemFolderCheck, { ok: true }>, outPath: string): Promise<PackedBundle> {
  const target = path.resolve(outPath);
  const work = await mkdtemp(path.join(path.dirname(target), '.shelf-pack-'));
  try {
    const temp = path.join(work, 'bundle.tar.gz');
    const packed = await packBundle(dir, check.entries, temp);
    await rename(temp, target);
    return packed;
  } finally {
    await rm(work, { recursive: true, force: true });
  }
}

/** Packs into a private temporary folder; the caller removes it with `cleanup`. */
export async function packToTemp(dir: string, check: Extract<ItemFolderCheck, { ok: true }>): Promise<PackedBundle & { file: string; cleanup: () => Promise<void> }> {
  const work = await mkdtemp(path.join(os.tmpdir(), 'shelf-push-'));
  const file = path.join(work, `${check.item.manifest.id}-${check.item.manifest.version}.tar.gz`);
  const packed = await packBundle(dir, check.entries, file);
  return { ...packed, file, cleanup: () => rm(work, { recursive: true, force: true }) };
}
