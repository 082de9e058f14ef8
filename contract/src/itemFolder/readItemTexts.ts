import { readFile } from 'node:fs/promises';
import path from 'node:path';
import type { Problem } from '../errors.js';
import { ItemFiles } from '../manifest.js';
import type { ItemTexts } from '../validateItem.js';
import type { ItemEntry } from './entryRules.js';

/** Text files read into memory are small by nature; a huge one is a mistake or an attack. */
export const maxTextBytes = { manifest: 64 * 1024, schema: 1024 * 1024, uiSchema: 1024 * 1024, readme: 256 * 1024 } as const;

/** The texts validateItem checks, or why they cannot be read (a one-line summary and its problems). */
export type ItemTextsResult = { ok: true; texts: ItemTexts } | { ok: false; message: string; problems: Problem[] };

/**
 * Reads the manifest, input schema, uiSchema and README of an item folder listed by
 * walkItemFolder (or extractBundle): exactly one manifest, each text under its size cap.
 */
export async function readItemTexts(dir: string, entries: ItemEntry[]): Promise<ItemTextsResult> {
  const files = new Map(entries.filter((e) => e.type === 'file').map((e) => [e.path, e]));
  const manifestFiles = ItemFiles.manifest.filter((f) => files.has(f));
  if (manifestFiles.length === 0) {
    return refused('the item has no manifest', 'manifest.yaml', 'manifest.yaml (or manifest.json) is missing at the item root');
  }
  if (manifestFiles.length > 1) {
    return refused('the item has more than one manifest', manifestFiles.join(', '), 'keep exactly one of manifest.yaml, manifest.yml, manifest.json');
  }
  const named = { [manifestFiles[0]!]: maxTextBytes.manifest, [ItemFiles.schema]: maxTextBytes.schema, [ItemFiles.uiSchema]: maxTextBytes.uiSchema, [ItemFiles.readme]: maxTextBytes.readme };
  for (const [name, limit] of Object.entries(named)) {
    if ((files.get(name)?.size ?? 0) > limit) return refused(`${name} is too large`, name, `larger than ${limit} bytes`);
  }
  const read = async (name: string): Promise<string | undefined> => (files.has(name) ? readFile(path.join(dir, name), 'utf8') : undefined);
  const manifestFile = manifestFiles[0]!;
  return {
    ok: true,
    texts: {
      manifestFile,
      manifest: (await read(manifestFile))!,
      schema: await read(ItemFiles.schema),
      uiSchema: await read(ItemFiles.uiSchema),
      readme: await read(ItemFiles.readme),
    },
  };
}

function refused(message: string, file: string, problem: string): ItemTextsResult {
  return { ok: false, message, problems: [{ file, path: '', message: problem }] };
}
