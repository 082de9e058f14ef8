import type { LogLine } from '@shelf/contract';
import { readChunk, type LogSource } from './logSubscription.js';

/** Chunks kept: 64 × 1,000 lines, a few tens of MB at most. */
const maxChunks = 64;

interface Chunk {
  /** The chunk's stored lines so far, seq ascending from its start. */
  lines: LogLine[];
  /** The read of the lines stored since, shared by everyone who asks meanwhile. */
  refresh?: Promise<LogLine[]>;
}

/**
 * The stored log, read in aligned chunks that every subscription shares. Clients catching up
 * on the same job (a replay, or a flood they read slower than it is printed) tend to be at the
 * same place; they then share one Redis read, one parse and — because they get the same
 * LogLine objects — one serialisation per line. A log only grows at its end, so a full chunk
 * never changes, and a chunk still filling up is completed by reading just its missing lines.
 */
export class SharedLogReader implements LogSource {
  /** `${jobId} ${chunk index}`, least recently used first. */
  private readonly chunks = new Map<string, Chunk>();

  constructor(private readonly source: LogSource) {}

  /** Drops a job's chunks: nobody follows its log any more. */
  forget(jobId: string): void {
    for (const key of this.chunks.keys()) if (key.startsWith(`${jobId} `)) this.chunks.delete(key);
  }

  has(jobId: string): Promise<boolean> {
    return this.source.has(jobId);
  }

  async readLog(jobId: string, after: number, count: number): Promise<LogLine[]> {
    if (count !== readChunk) return this.source.readLog(jobId, after, count);
    const index = Math.floor(after / readChunk);
    const first = await this.chunk(jobId, index);
    const rows = first.slice(after - index * readChunk);
    if (rows.length < count && first.length === readChunk) rows.push(...(await this.chunk(jobId, index + 1)).slice(0, count - rows.length));
    return rows;
  }

  private chunk(jobId: string, index: number): Promise<LogLine[]> {
    const key = `${jobId} ${index}`;
    const chunk = this.chunks.get(key) ?? { lines: [] };
    this.chunks.delete(key);
    this.chunks.set(key, chunk);
    if (this.chunks.size > maxChunks) this.chunks.delete(this.chunks.keys().next().value!);
    if (chunk.lines.length === readChunk) return Promise.resolve(chunk.lines);
    // Not full yet: look for lines stored since, every time (a reader must never be handed the same short chunk twice without looking).
    chunk.refresh ??= this.source
      .readLog(jobId, index * readChunk + chunk.lines.length, readChunk - chunk.lines.length)
      .then((rows) => (chunk.lines = rows.length ? chunk.lines.concat(rows) : chunk.lines))
      .finally(() => (chunk.refresh = undefined));
    return chunk.refresh;
  }
}
