import type { LogStream } from '@shelf/contract';

/** One log line as the WebSocket carries it. */
export interface LiveLine {
  seq: number;
  stream: LogStream;
  line: string;
  /** When the worker stored it; the stored log and the live messages both carry it. */
  ts?: string;
}

// Shared across buffers so a replaced buffer never repeats a version React has already seen.
let versions = 0;

/**
 * The lines of one job's log, in seq order, each seq once. The server replays from `after` on
 * every (re)subscribe, so a line may arrive twice around a reconnect; `add` keeps the first.
 * `lines` is appended to in place (a 100,000-line log is not copied per line); `version` tells
 * React that it changed.
 */
export class LogBuffer {
  readonly lines: LiveLine[] = [];
  version = ++versions;
  /** True once the server said the replay of stored lines is complete. */
  caughtUp = false;

  /** The highest seq held: what to ask the server for after a reconnect. */
  get lastSeq(): number {
    return this.lines.length ? this.lines[this.lines.length - 1]!.seq : 0;
  }

  /** Adds a line unless its seq is already held; returns whether anything changed. */
  add(line: LiveLine): boolean {
    const { lines } = this;
    if (line.seq > this.lastSeq) {
      lines.push(line);
    } else {
      // Out of order or a duplicate: binary search for its place.
      let lo = 0;
      let hi = lines.length;
      while (lo < hi) {
        const mid = (lo + hi) >>> 1;
        if (lines[mid]!.seq < line.seq) lo = mid + 1;
        else hi = mid;
      }
      if (lines[lo]?.seq === line.seq) return false;
      lines.splice(lo, 0, line);
    }
    this.version = ++versions;
    return true;
  }

  addAll(batch: Iterable<LiveLine>): boolean {
    let changed = false;
    for (const line of batch) changed = this.add(line) || changed;
    return changed;
  }

  markCaughtUp(): boolean {
    if (this.caughtUp) return false;
    this.caughtUp = true;
    this.version = ++versions;
    return true;
  }
}
