import { randomBytes } from 'node:crypto';
import { chmod, chown, mkdir, readdir, readFile, rm, rmdir, stat, unlink, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { SANDBOX_UID } from './runners/containerSpec.js';

export interface RunFolder {
  dir: string;
  inputFile: string;
  outputFile: string;
  remove(): Promise<void>;
}

/**
 * A job's private host folder: `input.json` (read-only in the container) and an empty
 * `output.json` the sandbox user may write. The container gets the two files, never the
 * folder, so a job cannot create anything else on the host.
 */
export async function createRunFolder(cacheDir: string, jobId: string, inputs: string): Promise<RunFolder> {
  const runs = path.join(cacheDir, 'runs');
  const dir = path.join(runs, `${jobId.replace(/[^A-Za-z0-9_-]/g, '_')}-${randomBytes(4).toString('hex')}`);
  try {
    await mkdir(dir, { mode: 0o700 });
  } catch (err) {
    // The parent is made on first use (or again, if someone removed it), not checked for every job.
    if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err;
    await mkdir(runs, { recursive: true });
    await mkdir(dir, { mode: 0o700 });
  }
  const inputFile = path.join(dir, 'input.json');
  const outputFile = path.join(dir, 'output.json');
  const writeInput = async () => {
    await writeFile(inputFile, inputs, { mode: 0o644 });
    await chmod(inputFile, 0o644); // whatever the umask: the sandbox user must read it
  };
  const writeOutput = async () => {
    await writeFile(outputFile, '', { mode: 0o600 });
    try {
      await chown(outputFile, SANDBOX_UID, SANDBOX_UID);
    } catch (err) {
      // A worker not running as root cannot give the file away; let anyone write it instead.
      if ((err as NodeJS.ErrnoException).code !== 'EPERM') throw err;
      await chmod(outputFile, 0o666);
    }
  };
  try {
    await Promise.all([writeInput(), writeOutput()]);
  } catch (err) {
    await rm(dir, { recursive: true, force: true });
    throw err;
  }
  return { dir, inputFile, outputFile, remove: () => removeRunFolder(dir, [inputFile, outputFile]) };
}

/** The folder holds just its two files (the container gets the files, not the folder); `rm -r` only if not. */
async function removeRunFolder(dir: string, files: string[]): Promise<void> {
  try {
    await Promise.all(files.map((f) => unlink(f)));
    await rmdir(dir);
  } catch {
    await rm(dir, { recursive: true, force: true });
  }
}

/**
 * Removes run folders (and scratch files) a crashed worker left behind. Several workers may
 * share the cache, so only what is older than any job can run is touched.
 */
export async function pruneRunFolders(cacheDir: string, olderThanMs: number): Promise<number> {
  let removed = 0;
  const cutoff = Date.now() - olderThanMs;
  for (const sub of ['runs', 'tmp']) {
    const dir = path.join(cacheDir, sub);
    const names = await readdir(dir).catch(() => [] as string[]);
    for (const name of names) {
      const full = path.join(dir, name);
      const info = await stat(full).catch(() => undefined);
      if (info && info.mtimeMs < cutoff) {
        await rm(full, { recursive: true, force: true });
        removed += 1;
      }
    }
  }
  return removed;
}

export type OutputResult = { ok: true; outputs: Record<string, unknown> | null } | { ok: false; message: string };

/** What the job wrote to `$SHELF_OUTPUT`: nothing → null; more than `maxBytes` or not a JSON object → an error. */
export async function readOutputFile(file: string, maxBytes: number): Promise<OutputResult> {
  const size = await stat(file).then((s) => s.size, () => 0);
  if (size > maxBytes) {
    return { ok: false, message: `the job wrote ${size} bytes to $SHELF_OUTPUT; the limit is ${maxBytes} bytes` };
  }
  const text = size === 0 ? '' : await readFile(file, 'utf8');
  if (text.trim() === '') return { ok: true, outputs: null };
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (err) {
    return { ok: false, message: `$SHELF_OUTPUT is not valid JSON: ${(err as Error).message}` };
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    return { ok: false, message: '$SHELF_OUTPUT must hold a JSON object' };
  }
  return { ok: true, outputs: value as Record<string, unknown> };
}
