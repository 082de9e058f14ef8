import { createReadStream } from 'node:fs';
import { chmod, mkdir, open, readdir, rm } from 'node:fs/promises';
import path from 'node:path';
import { Transform, Writable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { createGunzip } from 'node:zlib';
import { Parser, type ReadEntry } from 'tar';
import { BundleError, defaultBundleLimits, type BundleLimits, byPath, checkEntryPath, DuplicateGuard, isGitPath, normaliseMode, type ItemEntry } from '@shelf/contract/itemFolder';
import { corrupt, MAX_META_BYTES, TarHeaderCheck } from './tarHeaderCheck.js';
import { formatBytes } from '@shelf/contract';

/**
 * Unpacks a `.tar.gz` bundle into `destDir` (created if missing, else it must be
 * empty), enforcing every SPEC §3 rule while streaming.
 * Returns what was written, implied parent folders included, sorted by path —
 * the same list {@link walkItemFolder} would give for `destDir`.
 * On any refusal `destDir` is removed and a {@link BundleError} thrown.
 */
export async function extractBundle(
  archivePath: string,
  destDir: string,
  limits: BundleLimits = defaultBundleLimits,
): Promise<ItemEntry[]> {
  const root = path.resolve(destDir);
  await mkdir(root, { recursive: true });
  // A refusal removes the whole folder, so never start in one holding something else.
  if ((await readdir(root)).length > 0) throw new Error(`extractBundle needs an empty destination folder: ${root}`);
  const extraction = new Extraction(root, limits);
  try {
    await extraction.run(archivePath);
    return extraction.entries.sort(byPath);
  } catch (err) {
    const reason = await extraction.stop(err);
    await rm(root, { recursive: true, force: true });
    throw reason;
  }
}

const FILE_TYPES = new Set(['File', 'OldFile', 'ContiguousFile']);
const TYPE_NAMES: Record<string, string> = {
  SymbolicLink: 'a symbolic link',
  Link: 'a hard link',
  CharacterDevice: 'a character device',
  BlockDevice: 'a block device',
  FIFO: 'a FIFO',
};

function tooManyEntries(limits: BundleLimits): BundleError {
  return new BundleError(`bundle has more than ${limits.maxEntries} entries (files and folders)`);
}

function tooBig(limits: BundleLimits): BundleError {
  return new BundleError(`bundle unpacks to more than ${formatBytes(limits.maxUnpackedBytes)}`);
}

function unsupported(entry: ReadEntry): BundleError {
  const what = TYPE_NAMES[entry.type] ?? `an unsupported ${entry.type} entry`;
  return new BundleError(
    `bundle entry ${JSON.stringify(entry.path)} is ${what}; only regular files and folders are allowed`,
    entry.path,
  );
}

/** zlib failures are the archive's fault; anything else (say, a missing file) is ours. */
function asBundleError(err: unknown): unknown {
  if (err instanceof BundleError) return err;
  const code = (err as { code?: unknown } | null)?.code;
  if (typeof code === 'string' && code.startsWith('Z_')) return corrupt((err as Error).message);
  return err;
}

/** Counts bytes on both sides of gunzip, so size and ratio caps trip mid-stream. */
function meter(limits: BundleLimits): { compressed: Transform; unpacked: Transform } {
  let packedBytes = 0;
  let unpackedBytes = 0;
  return {
    compressed: new Transform({
      transform(chunk: Buffer, _encoding, done) {
        packedBytes += chunk.length;
        done(null, chunk);
      },
    }),
    // Counts the whole tar stream, headers and skipped entries too, so nothing
    // in the archive can make us do unbounded work.
    unpacked: new Transform({
      transform(chunk: Buffer, _encoding, done) {
        unpackedBytes += chunk.length;
        if (unpackedBytes > limits.maxUnpackedBytes) return done(tooBig(limits));
        if (unpackedBytes > limits.ratioFloorBytes && unpackedBytes > packedBytes * limits.maxRatio) {
          return done(new BundleError(`bundle compression ratio is over ${limits.maxRatio}:1`));
        }
        done(null, chunk);
      },
    }),
  };
}

class Extraction {
  readonly entries: ItemEntry[] = [];
  private readonly guard = new DuplicateGuard();
  private readonly madeDirs = new Set<string>();
  private readonly controller = new AbortController();
  private failure: unknown;
  /** The parser hands out one entry at a time and waits for it, so this is at most one write. */
  private work: Promise<void> = Promise.resolve();
  private headers = 0;
  private declaredBytes = 0;
  private sawEnd = false;

  constructor(
    private readonly root: string,
    private readonly limits: BundleLimits,
  ) {}

  async run(archivePath: string): Promise<void> {
    // zstd/brotli off: we did the decompression ourselves and metered it.
    const parser = new Parser({ strict: true, zstd: false, brotli: false, maxMetaEntrySize: MAX_META_BYTES });
    parser.on('entry', (entry: ReadEntry) => this.onEntry(entry));
    // Types tar does not understand, and oversized metadata, would otherwise be skipped silently.
    parser.on('ignoredEntry', (entry: ReadEntry) => this.fail(unsupported(entry)));
    parser.on('eof', () => (this.sawEnd = true));
    parser.on('error', (err: Error) => this.fail(corrupt(err.message)));
    const { compressed, unpacked } = meter(this.limits);
    await pipeline(createReadStream(archivePath), compressed, createGunzip(), unpacked, this.feed(parser), {
      signal: this.controller.signal,
    });
    if (this.failure !== undefined) throw this.failure;
    // Without the marker a tar cut at a block boundary would look complete.
    if (!this.sawEnd) throw corrupt('the end-of-archive marker is missing');
  }

  /** Stops whatever is still running and settles on the first reason for failing. */
  async stop(err: unknown): Promise<unknown> {
    this.fail(err);
    await this.work;
    return this.failure;
  }

  private fail(err: unknown): void {
    if (this.failure !== undefined) return;
    this.failure = asBundleError(err);
    this.controller.abort(this.failure);
  }

  /** Hands the unpacked stream to the tar parser, honouring its backpressure. */
  private feed(parser: Parser): Writable {
    let first = true;
    // Strict mode makes tar refuse what it finds invalid, but some corruption it reads leniently.
    const headers = new TarHeaderCheck();
    return new Writable({
      write: (chunk: Buffer, _encoding, done) => {
        // The parser would silently gunzip a second layer, past our meter.
        if (first && chunk[0] === 0x1f) return done(corrupt('it holds a second compressed layer, not a tar archive'));
        first = false;
        // Past the end marker only padding follows; the parser would keep
        // concatenating it in memory, so it is metered but not parsed.
        if (this.sawEnd) return done();
        try {
          headers.write(chunk);
        } catch (err) {
          return done(err as Error);
        }
        if (parser.write(chunk)) done();
        else parser.once('drain', () => done());
      },
      final: (done) => {
        parser.once('end', () => void this.work.then(() => done()));
        parser.end();
      },
    });
  }

  /** Listener for the parser: must not throw, or the error would escape from inside tar. */
  private onEntry(entry: ReadEntry): void {
    if (this.failure !== undefined) return void entry.resume();
    try {
      const item = this.admit(entry);
      if (item === undefined) return void entry.resume();
      this.work = this.work.then(() => this.write(entry, item)).catch((err: unknown) => this.fail(err));
    } catch (err) {
      this.fail(err);
      entry.resume();
    }
  }

  /** Applies the rules to one header; `undefined` means skip it quietly. */
  private admit(entry: ReadEntry): ItemEntry | undefined {
    if (++this.headers > this.limits.maxEntries) throw tooManyEntries(this.limits);
    const rel = checkEntryPath(entry.path, this.limits.maxDepth);
    if (isGitPath(rel)) return undefined;
    const type = FILE_TYPES.has(entry.type) ? 'file' : entry.type === 'Directory' ? 'dir' : undefined;
    if (type === undefined) throw unsupported(entry);
    if (rel === '') {
      if (type === 'dir') return undefined; // the `./` of `tar -C dir .`
      throw new BundleError('bundle has a file entry with an empty name', entry.path);
    }
    this.declaredBytes += entry.size;
    if (this.declaredBytes > this.limits.maxUnpackedBytes) throw tooBig(this.limits);
    this.guard.add(rel);
    return { path: rel, type, mode: normaliseMode(type, entry.mode), size: type === 'file' ? entry.size : 0 };
  }

  private async write(entry: ReadEntry, item: ItemEntry): Promise<void> {
    try {
      if (item.type === 'dir') {
        await this.makeDir(item.path);
        entry.resume();
        return;
      }
      await this.makeDir(parentOf(item.path));
      this.count(item);
      const target = this.inside(item.path);
      this.controller.signal.throwIfAborted();
      // Opened here, not lazily by a stream, so no file appears after a refusal's rm -rf.
      const file = await open(target, 'wx', item.mode);
      await pipeline(entry, file.createWriteStream(), { signal: this.controller.signal });
      await chmod(target, item.mode); // the open() mode went through the umask
    } catch (err) {
      if (err instanceof BundleError || this.controller.signal.aborted) throw err;
      const code = (err as NodeJS.ErrnoException).code ?? (err as Error).message;
      throw new BundleError(`cannot write bundle entry ${JSON.stringify(item.path)}: ${code}`, item.path);
    }
  }

  /** Creates a folder and its missing parents; implied parents are listed as entries too. */
  private async makeDir(rel: string): Promise<void> {
    if (rel === '' || this.madeDirs.has(rel)) return;
    await this.makeDir(parentOf(rel));
    const item: ItemEntry = { path: rel, type: 'dir', mode: normaliseMode('dir', undefined), size: 0 };
    this.count(item);
    const target = this.inside(rel);
    this.controller.signal.throwIfAborted();
    await mkdir(target);
    await chmod(target, item.mode);
    this.madeDirs.add(rel);
  }

  private count(item: ItemEntry): void {
    if (this.entries.length >= this.limits.maxEntries) throw tooManyEntries(this.limits);
    this.entries.push(item);
  }

  /** Belt and braces over checkEntryPath: the target must resolve inside the root. */
  private inside(rel: string): string {
    const target = path.resolve(this.root, rel);
    if (!target.startsWith(this.root + path.sep)) {
      throw new BundleError(`bundle entry ${JSON.stringify(rel)} escapes the destination folder`, rel);
    }
    return target;
  }
}

function parentOf(rel: string): string {
  const parent = path.posix.dirname(rel);
  return parent === '.' ? '' : parent;
}
