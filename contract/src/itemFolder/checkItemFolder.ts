import type { Problem } from '../errors.js';
import { validateItem, type ValidItem } from '../validateItem.js';
import { BundleError } from './bundleError.js';
import type { BundleLimits } from './bundleLimits.js';
import type { ItemEntry } from './entryRules.js';
import { readItemTexts } from './readItemTexts.js';
import { walkItemFolder } from './walkItemFolder.js';

export type ItemFolderCheck =
  | { ok: true; entries: ItemEntry[]; item: ValidItem }
  | { ok: false; message: string; problems: Problem[] };

/** The one-line summary of an item that failed validation. */
export function invalidItemMessage(problemCount: number): string {
  return `the item is invalid (${problemCount} problem${problemCount === 1 ? '' : 's'})`;
}

/**
 * Everything an import checks before it stores an item, offline: the folder under the bundle
 * rules, its texts, then validateItem. (The API runs the same steps, validateItem on a worker
 * thread with a time budget, then checks who may publish.) A broken safety rule is reported as
 * a problem of the entry it is about.
 */
export async function checkItemFolder(dir: string, opts: { limits?: BundleLimits; tagVersion?: string } = {}): Promise<ItemFolderCheck> {
  let entries: ItemEntry[];
  try {
    entries = await walkItemFolder(dir, opts.limits);
  } catch (err) {
    if (!(err instanceof BundleError)) throw err;
    return { ok: false, message: err.message, problems: [{ file: err.entry ?? '.', path: '', message: err.message }] };
  }
  const texts = await readItemTexts(dir, entries);
  if (!texts.ok) return texts;
  const validation = validateItem(texts.texts, { tagVersion: opts.tagVersion });
  if (!validation.ok) return { ok: false, message: invalidItemMessage(validation.problems.length), problems: validation.problems };
  return { ok: true, entries, item: validation.item };
}
