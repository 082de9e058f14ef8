/** The caps every bundle and item folder must stay within (SPEC §3). */
export interface BundleLimits {
  /** Files and folders together. */
  maxEntries: number;
  /** Path components, so `a/b/c.txt` has depth 3. */
  maxDepth: number;
  maxUnpackedBytes: number;
  /** Unpacked bytes per compressed byte. */
  maxRatio: number;
  /** The ratio is only judged past this many unpacked bytes. */
  ratioFloorBytes: number;
}

const MiB = 1024 * 1024;

export const defaultBundleLimits: BundleLimits = Object.freeze({
  maxEntries: 5000,
  maxDepth: 32,
  maxUnpackedBytes: 200 * MiB,
  maxRatio: 100,
  // A small honest tar is mostly zero padding and compresses far beyond 100:1,
  // so the ratio only means "bomb" once there is real volume behind it.
  ratioFloorBytes: 1 * MiB,
});

