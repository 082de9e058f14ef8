import { randomBytes } from 'node:crypto';
import { chmod, chown, mkdir, readdir, readFile, rm, rmdir, stat, unlink, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { SANDBOX_UID } from './runners/sandboxPolicy.js';

export interface RunFolder {
  dir: string;
  inputFile: string;
  outputFile: string;
  /** The folder of the job's named secrets, one file each, mounted read-only at /run/secrets; absent when it has none. */
  secretsDir?: string;
  remove(): Promise<void>;
}

/**
 * A job's private host folder under `runsDir`: `input.json` (read-only in the container), an
 * empty `output.json` the sandbox user may write and, when the job reads named secrets, a
 * `secrets/` folder with one file per secret, readable by the sandbox user alone. The container
 * gets those, never the folder, so a job cannot create anything else on the host.
 */
export async function createRunFolder(runsDir: string, jobId: string, inputs: string, secrets: Record<string, string> = {}): Promise<RunFolder> {
  const dir = path.join(runsDir, `${jobId.replace(/[^A-Za-z0-9_-]/g, '_')}-${randomBytes(4).toString('hex')}`);
  try {
    await mkdir(dir, { mode: 0o700 });
  } catch (err) {
    // The parent is made on first use (or again, if someone removed it), not checked for every job.
    if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err;
    await mkdir(runsDir, { recursive: true, mode: 0o700 });
    await mkdir(dir, { mode: 0o700 });
  }
  const inputFile = path.join(dir, 'input.json');
  const outputFile = path.join(dir, 'output.json');
  const names = Object.keys(secrets);
  const secretsDir = names.length ? path.join(dir, 'secrets') : undefined;
  const writeInput = async () => {
    await writeFile(inputFile, inputs, { mode: 0o644 });
    await chmod(inputFile, 0o644); // whatever the umask: the sandbox user must read it
  };
  const writeOutput = async () => {
    await writeFile(outputFile, '', { mode: 0o600 });
    await giveToSandbox(outputFile, 0o600, 0o666);
  };
  const writeSecrets = async () => {
    if (!secretsDir) return;
    await mkdir(secretsDir, { mode: 0o700 });
    for (const name of names) {
      const file = path.join(secretsDir, name);
      await writeFile(file, secrets[name]!, { mode: 0o400 });
      await giveToSandbox(file, 0o400, 0o444);
    }
    // Not writable by its owner either: the worker (root) removes it all the same; a non-root worker keeps the right to.
    await giveToSandbox(secretsDir, 0o500, 0o755);
  };
  try {
    await Promise.all([writeInput(), writeOutput(), writeSecrets()]);
  } catch (err) {
    await rm(dir, { recursive: true, force: true });
    throw err;
  }
  const files = [inputFile, outputFile];
  return { dir, inputFile, outputFile, secretsDir, remove: () => (secretsDir ? rm(dir, { recursive: true, force: true }) : removeRunFolder(dir, files)) };
}

/** Hands a file to the sandbox user with `mode`; a worker not running as root cannot, so it opens the mode to others instead. */
async function giveToSandbox(file: string, mode: number, fallbackMode: number): Promise<void> {
  try {
    await chown(file, SANDBOX_UID, SANDBOX_UID);
    await chmod(file, mode);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'EPERM') throw err;
    await chmod(file, fallbackMode);
  }
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
export async function pruneRunFolders(dirs: string[], olderThanMs: number): Promise<number> {
  let removed = 0;
  const cutoff = Date.now() - olderThanMs;
  for (const dir of new Set(dirs)) {
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
