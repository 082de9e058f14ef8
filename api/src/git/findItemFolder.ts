import fs from 'node:fs';
import git, { type TreeEntry } from 'isomorphic-git';
import { parse as parseYaml } from 'yaml';
import { ItemFiles } from '@shelf/contract';
import { ValidationError } from '../errors.js';

/** A folder of the tagged tree; `path` is `.` for the repository root. */
export interface ItemFolder {
  path: string;
  treeOid: string;
}

export interface SearchLimits {
  /** Folder levels below the root that are searched. */
  maxDepth: number;
  /** Folders read before the search gives up. */
  maxFolders: number;
}

export const defaultSearchLimits: SearchLimits = { maxDepth: 4, maxFolders: 2000 };

/** Larger "manifests" are not read while searching; the import would refuse them anyway. */
const maxManifestBytes = 64 * 1024;

interface Reader {
  gitdir: string;
  cache: object;
}

/**
 * Finds the folder of item `id` in the tree of `commit`: `<id>/` at the root when its manifest
 * says `id` (or cannot be read, so validation can say why), otherwise the one folder within
 * `maxDepth` levels whose manifest `id` matches. None, or more than one, is refused (422).
 */
export async function findItemFolder(gitdir: string, commit: string, id: string, limits = defaultSearchLimits): Promise<ItemFolder> {
  const reader: Reader = { gitdir, cache: {} };
  const root = await git.readTree({ fs, gitdir, oid: commit, cache: reader.cache });

  const preferred = root.tree.find((e) => e.path === id && e.type === 'tree');
  if (preferred) {
    const ids = await manifestIds(reader, (await readTree(reader, preferred.oid)).tree);
    if (ids.length && ids.some((found) => found === id || found === undefined)) return { path: id, treeOid: preferred.oid };
  }

  const matches: ItemFolder[] = [];
  const queue = [{ path: '.', oid: root.oid, depth: 0, entries: root.tree }];
  let read = 1;
  let truncated = false;
  while (queue.length) {
    const folder = queue.shift()!;
    if ((await manifestIds(reader, folder.entries)).includes(id)) matches.push({ path: folder.path, treeOid: folder.oid });
    if (folder.depth >= limits.maxDepth) continue;
    for (const sub of folder.entries.filter((e) => e.type === 'tree')) {
      if (read >= limits.maxFolders) {
        truncated = true;
        break;
      }
      read++;
      const tree = await readTree(reader, sub.oid);
      queue.push({ path: folder.path === '.' ? sub.path : `${folder.path}/${sub.path}`, oid: tree.oid, depth: folder.depth + 1, entries: tree.tree });
    }
  }

  if (matches.length === 1) return matches[0]!;
  if (matches.length > 1) {
    const where = matches.map((m) => (m.path === '.' ? './' : `${m.path}/`)).join(', ');
    throw new ValidationError(`${matches.length} folders of the tagged commit have a manifest with id "${id}" (${where}); keep exactly one, or put it at ${id}/`);
  }
  const scope = truncated ? `the first ${limits.maxFolders} folders` : `${limits.maxDepth} folder levels`;
  throw new ValidationError(`no folder of the tagged commit has a manifest with id "${id}" (searched ${id}/ and ${scope})`);
}

function readTree(reader: Reader, oid: string) {
  return git.readTree({ fs, gitdir: reader.gitdir, oid, cache: reader.cache });
}

/**
 * The `id` of every manifest file in a folder; `undefined` for one that cannot be read as a
 * mapping with a string id. Only regular blobs count: a symlinked manifest is not a manifest.
 */
async function manifestIds(reader: Reader, entries: TreeEntry[]): Promise<(string | undefined)[]> {
  const names = ItemFiles.manifest as readonly string[];
  const manifests = entries.filter((e) => names.includes(e.path) && e.type === 'blob' && e.mode !== '120000');
  const ids: (string | undefined)[] = [];
  for (const entry of manifests) {
    const { blob } = await git.readBlob({ fs, gitdir: reader.gitdir, oid: entry.oid, cache: reader.cache });
    ids.push(blob.byteLength > maxManifestBytes ? undefined : readId(entry.path, Buffer.from(blob).toString('utf8')));
  }
  return ids;
}

function readId(file: string, text: string): string | undefined {
  try {
    const doc: unknown = file.endsWith('.json') ? JSON.parse(text) : parseYaml(text, { maxAliasCount: 20 });
    const id = (doc as { id?: unknown } | null)?.id;
    return typeof id === 'string' ? id : undefined;
  } catch {
    return undefined;
  }
}
