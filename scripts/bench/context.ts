import type Docker from 'dockerode';
import type { BenchShelf } from './shelf.js';
import type { BenchSizes } from './sizes.js';

/** What every scenario gets: the Shelf under test, Docker for the baselines, sizes and a place for files. */
export interface BenchContext {
  sizes: BenchSizes;
  shelf: BenchShelf;
  docker: Docker;
  tmp: string;
  /** Labels this run's bare containers, so they can be cleaned up. */
  tag: string;
  items: { noop: string; flood: string };
  log: (line: string) => void;
}
