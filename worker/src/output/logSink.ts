import type { LogStream } from '@shelf/contract';
import type { RunRecorder } from '@shelf/records';

export interface LogSinkOptions {
  /** The log's byte cap, enforced by the records' append script. */
  capBytes: number;
  /** A line-count cap too: a flood of one-byte lines would fit the byte cap yet cost Redis gigabytes. */
  maxLines: number;
  flushMs?: number;
  batchLines?: number;
  batchBytes?: number;
}

/**
 * Batches one job's log lines into Redis: a batch leaves every `flushMs` or as soon as it
 * holds `batchLines` lines, one batch in flight at a time so order is kept. {@link ready}
 * gives the producer backpressure, so output arriving faster than Redis takes it waits
 * in the container's pipe instead of in our memory.
 */
export class LogSink {
  /** The log is full (or cannot be written): later lines are dropped. */
  closed = false;
  failure: unknown = undefined;
  private pending: string[] = [];
  private pendingLines = 0;
  private pendingBytes = 0;
  private linesStored = 0;
  private inFlight: Promise<void> | undefined;
  private timer: NodeJS.Timeout | undefined;
  private waiters: Array<() => void> = [];
  private readonly flushMs: number;
  private readonly batchLines: number;
  private readonly batchBytes: number;

  constructor(
    private readonly recorder: Pick<RunRecorder, 'appendLog' | 'closeLog'>,
    private readonly jobId: string,
    private readonly opts: LogSinkOptions,
  ) {
    this.flushMs = opts.flushMs ?? 50;
    this.batchLines = opts.batchLines ?? 1000;
    this.batchBytes = opts.batchBytes ?? 1024 * 1024;
  }

  add(stream: LogStream, line: string): void {
    if (this.closed) return;
    this.pending.push(stream, line);
    this.pendingLines += 1;
    this.pendingBytes += line.length;
    this.schedule();
  }

  /** Undefined when the producer may go on; otherwise a promise that settles once Redis caught up. */
  ready(): Promise<void> | undefined {
    if (this.pendingLines < 4 * this.batchLines && this.pendingBytes < 4 * this.batchBytes) return undefined;
    return new Promise((resolve) => this.waiters.push(resolve));
  }

  /** Stores everything still pending. */
  async close(): Promise<void> {
    clearTimeout(this.timer);
    this.timer = undefined;
    while (this.inFlight || this.pendingLines > 0) {
      this.pump();
      await this.inFlight;
    }
  }

  private schedule(): void {
    if (this.inFlight) return; // the batch in flight re-schedules when it lands
    if (this.pendingLines >= this.batchLines || this.pendingBytes >= this.batchBytes) {
      clearTimeout(this.timer);
      this.timer = undefined;
      this.pump();
    } else if (!this.timer) {
      this.timer = setTimeout(() => {
        this.timer = undefined;
        this.pump();
      }, this.flushMs);
    }
  }

  private pump(): void {
    if (this.inFlight || this.pendingLines === 0) return;
    const batch = this.pending;
    this.pending = [];
    this.pendingLines = 0;
    this.pendingBytes = 0;
    this.inFlight = this.write(batch)
      .catch((err: unknown) => {
        this.failure ??= err;
        this.closed = true;
      })
      .finally(() => {
        this.inFlight = undefined;
        if (this.closed) this.dropPending();
        const waiters = this.waiters;
        this.waiters = [];
        for (const wake of waiters) wake();
        if (this.pendingLines > 0) this.schedule();
      });
  }

  private async write(pairs: string[]): Promise<void> {
    if (this.closed) return;
    const room = this.opts.maxLines - this.linesStored;
    const lines = pairs.length / 2;
    const fits = lines <= room ? pairs : pairs.slice(0, room * 2);
    if (fits.length > 0) {
      const result = await this.recorder.appendLog(this.jobId, this.opts.capBytes, fits);
      this.linesStored += result.stored;
      if (result.closed) this.closed = true;
    }
    if (!this.closed && lines > room) {
      await this.recorder.closeLog(
        this.jobId,
        `log truncated: the job printed more than ${this.opts.maxLines} lines; later lines were dropped`,
      );
      this.closed = true;
    }
  }

  private dropPending(): void {
    this.pending = [];
    this.pendingLines = 0;
    this.pendingBytes = 0;
  }
}
