import { realpath, stat } from 'node:fs/promises';
import path from 'node:path';
import { BadRequestError, ForbiddenError, NotFoundError } from '../errors.js';

function isInside(child: string, parent: string): boolean {
  const rel = path.relative(parent, child);
  return rel === '' || (!rel.startsWith('..') && !path.isAbsolute(rel));
}

/** Each configured root as written (resolved) and as it really is (symlinks resolved); missing roots allow nothing. */
async function knownRoots(roots: string[], cwd: string): Promise<Array<{ lexical: string; real: string }>> {
  const out: Array<{ lexical: string; real: string }> = [];
  for (const root of roots) {
    const lexical = path.resolve(cwd, root);
    try {
      out.push({ lexical, real: await realpath(lexical) });
    } catch {
      // A configured root that does not exist simply allows nothing.
    }
  }
  return out;
}

export interface LocalFolder {
  /** The folder's real path, to read it from. */
  dir: string;
  /** The same folder as people see it: relative to its root, led by the root's name (`catalog-examples/hello-world`). */
  shown: string;
}

/**
 * Resolves a requested local import path. A path outside every allowed root is refused with
 * the same 403 before the filesystem is touched, so answers never tell which host paths
 * exist; inside a root, a missing folder is 404 and a symlink leading out is the same 403.
 */
export async function resolveLocalPath(requested: string, roots: string[], cwd = process.cwd()): Promise<LocalFolder> {
  if (requested.includes('\0')) throw new BadRequestError('path must not contain NUL characters');
  const outside = new ForbiddenError(`${requested} is outside the allowed local roots (SHELF_LOCAL_ROOTS)`);
  const lexical = path.resolve(cwd, requested);
  const allowed = await knownRoots(roots, cwd);
  if (!allowed.some((r) => isInside(lexical, r.lexical) || isInside(lexical, r.real))) throw outside;
  let real: string;
  try {
    real = await realpath(lexical);
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code === 'ENOENT' || code === 'ENOTDIR') throw new NotFoundError('folder', requested);
    throw err;
  }
  const root = allowed.find((r) => isInside(real, r.real));
  if (!root) throw outside;
  if (!(await stat(real)).isDirectory()) throw new BadRequestError(`${requested} is not a folder`);
  return { dir: real, shown: path.join(path.basename(root.real), path.relative(root.real, real)) };
}
