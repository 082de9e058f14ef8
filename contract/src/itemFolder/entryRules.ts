import { BundleError } from './bundleError.js';
import { defaultBundleLimits } from './bundleLimits.js';

/** One file or folder of a catalog item, as stored in a bundle. */
export interface ItemEntry {
  /** POSIX, relative to the item folder, no leading `./`, no trailing `/`. */
  path: string;
  type: 'file' | 'dir';
  /** Always a {@link normaliseMode} result. */
  mode: number;
  /** Bytes of content; 0 for folders. */
  size: number;
}

// Cc is C0 (NUL included), DEL and C1: none belong in a file name, and some can rewrite a terminal.
const CONTROL = /\p{Cc}/u;

/**
 * Checks one path from an archive or folder walk and returns it normalised
 * (`./a//b/` → `a/b`). Returns `''` for the item root itself (the `./` that
 * `tar -C dir .` writes), which callers skip. Throws {@link BundleError} otherwise.
 */
export function checkEntryPath(raw: string, maxDepth = defaultBundleLimits.maxDepth): string {
  const refuse = (why: string) => new BundleError(`bundle entry ${JSON.stringify(raw)} ${why}`, raw);
  if (raw === '') throw refuse('has an empty name');
  if (CONTROL.test(raw)) throw refuse('has a NUL or control character in its name');
  if (raw.includes('\\')) throw refuse('has a backslash in its name');
  if (raw.startsWith('/')) throw refuse('is an absolute path');
  const parts = raw.split('/').filter((part) => part !== '' && part !== '.');
  if (parts.includes('..')) throw refuse('has a ".." component');
  if (parts.length > maxDepth) throw refuse(`is deeper than ${maxDepth} path components`);
  return parts.join('/');
}

/** Git metadata is never extracted or stored, at any depth. */
export function isGitPath(path: string): boolean {
  return path.split('/').includes('.git');
}

/**
 * Items only need "executable or not": everything else (setuid/setgid/sticky,
 * group or world write, odd owner bits) is noise at best and an attack at worst.
 */
export function normaliseMode(type: ItemEntry['type'], mode: number | undefined): number {
  if (type === 'dir') return 0o755;
  return (mode ?? 0) & 0o111 ? 0o755 : 0o644;
}

/** Orders entries by path in UTF-16 code units, the same on every machine (unlike localeCompare). */
export function byPath(a: { path: string }, b: { path: string }): number {
  return a.path < b.path ? -1 : a.path > b.path ? 1 : 0;
}

/** Unicode NFC plus full case folding, so `Straße`, `STRASSE` and `strasse` are one name. */
function foldName(path: string): string {
  return path.normalize('NFC').toUpperCase().toLowerCase().normalize('NFC');
}

/**
 * Refuses the same path twice, and two names that would be one file on a
 * case-insensitive or normalising file system. Folders implied by a path
 * (`A` in `A/x.txt`) count too, so `A/x.txt` and `a/y.txt` collide.
 */
export class DuplicateGuard {
  /** Folded name → the spelling first seen, for every entry and every implied parent. */
  private readonly spellings = new Map<string, string>();
  /** Folded names of entries actually listed (not just implied). */
  private readonly listed = new Set<string>();

  /** `path` must already be normalised by {@link checkEntryPath}. */
  add(path: string): void {
    const parts = path.split('/');
    for (let i = 1; i <= parts.length; i++) {
      const name = parts.slice(0, i).join('/');
      const folded = foldName(name);
      const seen = this.spellings.get(folded);
      if (seen !== undefined && seen !== name) {
        throw new BundleError(
          `bundle entries ${JSON.stringify(seen)} and ${JSON.stringify(name)} have the same name after Unicode and case folding`,
          path,
        );
      }
      this.spellings.set(folded, name);
    }
    const folded = foldName(path);
    if (this.listed.has(folded)) throw new BundleError(`bundle lists ${JSON.stringify(path)} twice`, path);
    this.listed.add(folded);
  }
}
