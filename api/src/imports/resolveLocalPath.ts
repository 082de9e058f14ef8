import { realpath, stat } from 'node:fs/promises';
import path from 'node:path';
import { BadRequestError, ForbiddenError, NotFoundError } from '../errors.js';

function isInside(child: string, parent: string): boolean {
  const rel = path.relative(parent, child);
  return rel === '' || (!rel.startsWith('..') && !path.isAbsolute(rel));
}

async function realRoots(roots: string[]): Promise<string[]> {
  const out: string[] = [];
  for (const root of roots) {
    try {
      out.push(await realpath(root));
    } catch {
      // A configured root that does not exist simply allows nothing.
    }
  }
  return out;
}

/**
 * Resolves a requested local import path: its real path (symlinks resolved) must lie inside an
 * allowed root (403 otherwise); a path inside a root that does not exist is 404.
 */
export async function resolveLocalPath(requested: string, roots: string[], cwd = process.cwd()): Promise<string> {
  if (requested.includes('\0')) throw new BadRequestError('path must not contain NUL characters');
  const lexical = path.resolve(cwd, requested);
  const allowed = await realRoots(roots);
  let real: string;
  try {
    real = await realpath(lexical);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err;
    const underRoot = roots.some((r) => isInside(lexical, path.resolve(r))) || allowed.some((r) => isInside(lexical, r));
    if (underRoot) throw new NotFoundError('folder', requested);
    throw new ForbiddenError(`${requested} is outside the allowed local roots (SHELF_LOCAL_ROOTS)`);
  }
  if (!allowed.some((r) => isInside(real, r))) {
    throw new ForbiddenError(`${requested} is outside the allowed local roots (SHELF_LOCAL_ROOTS)`);
  }
  if (!(await stat(real)).isDirectory()) throw new BadRequestError(`${requested} is not a folder`);
  return real;
}
