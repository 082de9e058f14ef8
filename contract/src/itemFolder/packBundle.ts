import { createHash, type Hash } from 'node:crypto';
import { constants, createWriteStream } from 'node:fs';
import { chmod, mkdir, mkdtemp, open, rm } from 'node:fs/promises';
import path from 'node:path';
import { Transform } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { Pack } from 'tar';
import { BundleError } from './bundleError.js';
import { byPath, checkEntryPath, isGitPath, normaliseMode, type ItemEntry } from './entryRules.js';

export interface PackedBundle {
  /** sha256 hex of the exact bytes written to `outPath`. */
  digest: string;
  /** sha256 hex of the canonical listing: files, modes and contents, nothing else. */
  contentHash: string;
  /** Bytes written to `outPath`. */
  size: number;
}

/** Every entry gets this mtime, so the archive depends on nothing but content. */
const FIXED_MTIME = new Date(0);

/**
 * Writes a deterministic `.tar.gz` of exactly `entries` (as listed by
 * walkItemFolder or extractBundle) from `dir` to `outPath`, which must not exist
 * yet (the API passes BundleStore.tempPath(), the CLI a temporary folder of its own).
 *
 * The files are first copied into a private staging folder next to `outPath`,
 * hashing them on the way. That snapshot is what gets archived, so the modes in
 * the archive are the normalised ones (tar reads modes from disk), hard links
 * on disk cannot turn into tar link entries, and a folder edited mid-import
 * cannot make the archive disagree with its contentHash.
 */
export async function packBundle(dir: string, entries: ItemEntry[], outPath: string): Promise<PackedBundle> {
  const sorted = [...entries].sort(byPath);
  const stage = await mkdtemp(path.join(path.dirname(outPath), '.pack-'));
  try {
    const listing = await stageCopy(path.resolve(dir), sorted, stage);
    const contentHash = createHash('sha256').update(listing).digest('hex');
    const { digest, size } = await writeArchive(stage, sorted, outPath);
    return { digest, contentHash, size };
  } finally {
    await rm(stage, { recursive: true, force: true });
  }
}

/**
 * Copies entries into `stage` with their normalised modes and returns the
 * canonical listing the contentHash is taken over: one `type mode path sha256`
 * line per entry, sorted by path (the sha256 is empty for folders).
 */
async function stageCopy(dir: string, entries: ItemEntry[], stage: string): Promise<string> {
  const lines: string[] = [];
  for (const entry of entries) {
    const rel = checkEntryPath(entry.path);
    if (rel === '' || rel !== entry.path || isGitPath(rel)) {
      throw new BundleError(`cannot pack entry ${JSON.stringify(entry.path)}: not a normalised item path`, entry.path);
    }
    const mode = normaliseMode(entry.type, entry.mode);
    const target = path.join(stage, rel);
    let contentDigest = '';
    if (entry.type === 'dir') {
      await mkdir(target, { recursive: true });
    } else {
      await mkdir(path.dirname(target), { recursive: true });
      contentDigest = await copyFile(path.join(dir, rel), target, entry);
    }
    await chmod(target, mode);
    lines.push(`${entry.type} ${mode.toString(8)} ${rel} ${contentDigest}\n`);
  }
  return lines.join('');
}

/** Copies one regular file (never through a link) and returns the sha256 of its content. */
async function copyFile(source: string, target: string, entry: ItemEntry): Promise<string> {
  const changed = () => new BundleError(`${JSON.stringify(entry.path)} changed while it was being packed`, entry.path);
  const handle = await open(source, constants.O_RDONLY | constants.O_NOFOLLOW).catch(() => {
    throw changed();
  });
  try {
    const stats = await handle.stat();
    if (!stats.isFile() || stats.size !== entry.size) throw changed();
    const hash = createHash('sha256');
    await pipeline(handle.createReadStream({ autoClose: false }), tap(hash), createWriteStream(target, { flags: 'wx' }));
    return hash.digest('hex');
  } finally {
    await handle.close();
  }
}

async function writeArchive(stage: string, entries: ItemEntry[], outPath: string): Promise<{ digest: string; size: number }> {
  // Pack rather than tar.c: tar.c reads a name starting with "@" as "append that archive".
  const pack = new Pack({
    cwd: stage,
    portable: true, // no uid/gid/uname/gname/atime/ctime; a fixed gzip header
    mtime: FIXED_MTIME,
    noDirRecurse: true, // exactly the listed entries, in our order
    gzip: true,
    strict: true,
  });
  for (const entry of entries) pack.add(entry.path);
  pack.end();
  const hash = createHash('sha256');
  let size = 0;
  const out = createWriteStream(outPath, { flags: 'wx' });
  let created = false;
  out.once('open', () => (created = true));
  try {
    await pipeline(pack, tap(hash, (n) => (size += n)), out);
  } catch (err) {
    if (created) await rm(outPath, { force: true }); // never someone else's file that 'wx' refused
    throw err;
  }
  return { digest: hash.digest('hex'), size };
}

/** A pass-through that hashes (and optionally counts) what flows by. */
function tap(hash: Hash, onBytes?: (n: number) => void): Transform {
  return new Transform({
    transform(chunk: Buffer, _encoding, done) {
      hash.update(chunk);
      onBytes?.(chunk.length);
      done(null, chunk);
    },
  });
}
