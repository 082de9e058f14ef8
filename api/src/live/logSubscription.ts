import type { LogLine } from '@shelf/contract';
import { PreparedFrame } from './preparedFrame.js';
import type { LiveClient } from './liveClient.js';

/** Where stored lines come from (the job records). */
export interface LogSource {
  has(jobId: string): Promise<boolean>;
  /** Up to `count` lines after the first `after`, seq ascending. */
  readLog(jobId: string, after: number, count: number): Promise<LogLine[]>;
}

/** Where a line's prepared frame is kept, on the line itself. */
const frameOf = Symbol('shelf.logFrame');
type FramedLine = LogLine & { [frameOf]?: PreparedFrame };

/**
 * A line's `log` message, serialised and framed once however many clients follow the job:
 * every subscription of a job is handed the same LogLine objects (live batches, shared reads
 * of the stored log), so the first to send a line leaves its frame for the others.
 */
function logFrame(jobId: string, line: FramedLine): PreparedFrame {
  return (line[frameOf] ??= PreparedFrame.of({ type: 'log', jobId, seq: line.seq, stream: line.stream, line: line.line, ts: line.ts }));
}

/** Stored lines are read this many at a time (the shared reader caches whole chunks of this size). */
export const readChunk = 1000;
/**
 * Live lines held while stored ones are read. Every live line is also stored, so dropping the
 * oldest held ones is safe: the hole they leave is read from the list like any other.
 */
const maxPending = 10_000;

/**
 * One client's feed of one job's log. Every line goes out once and in seq order: stored lines
 * after `after` first, then `subscribed`, then live lines. Live lines that arrive while stored
 * lines are being read wait in `pending` and are sent only if newer than the last line sent.
 * A hole in the live seq numbers (a publish this process missed) is filled from the stored list,
 * and so is the backlog of a client that reads slower than the job prints: it is not sent more
 * live lines than it can take, it is fed from the stored log as fast as it reads.
 */
export class LogSubscription {
  private lastSeq: number;
  /** Non-null while stored lines are being read: live lines wait here meanwhile. */
  private pending: LogLine[] | null = [];
  private closed = false;

  constructor(
    readonly jobId: string,
    after: number,
    private readonly client: LiveClient,
    private readonly source: LogSource,
    /** Called when the subscription ends on its own (unknown job, read failure). */
    private readonly onEnd: () => void,
  ) {
    this.lastSeq = after;
  }

  async start(): Promise<void> {
    try {
      if (!(await this.source.has(this.jobId))) return this.fail(`job not found: ${this.jobId}`);
      if (!(await this.catchUp())) return;
      this.client.send({ type: 'subscribed', jobId: this.jobId, seq: this.lastSeq });
    } catch {
      this.fail(`could not read the log of ${this.jobId}; subscribe again`);
    }
  }

  /** Live lines, seq ascending. */
  push(lines: LogLine[]): void {
    if (this.closed) return;
    if (!this.pending) return this.deliver(lines);
    this.pending.push(...lines);
    if (this.pending.length > maxPending) this.pending = this.pending.slice(-maxPending / 2);
  }

  /** Reads anything stored but not yet sent: when a job ends, its last publish may have been missed. */
  resync(): void {
    if (this.closed || this.pending) return;
    this.pending = [];
    this.catchUp().catch(() => this.fail(`could not read the log of ${this.jobId}; subscribe again`));
  }

  close(): void {
    this.closed = true;
    this.pending = null;
  }

  private deliver(lines: LogLine[]): void {
    for (const [i, line] of lines.entries()) {
      if (line.seq <= this.lastSeq) continue;
      // A hole (a publish this process missed), or a client that cannot keep up with a flood:
      // either way the rest comes from the stored log, at the client's pace.
      if (line.seq > this.lastSeq + 1 || this.client.backlogged) {
        this.pending = lines.slice(i);
        this.catchUp().catch(() => this.fail(`could not read the log of ${this.jobId}; subscribe again`));
        return;
      }
      if (!this.sendLine(line)) return;
    }
  }

  /** Sends stored lines after the last one sent, then what waited meanwhile. False if it stopped early. */
  private async catchUp(): Promise<boolean> {
    for (;;) {
      await this.client.drained();
      if (this.closed) return false;
      const rows = await this.source.readLog(this.jobId, this.lastSeq, readChunk);
      if (this.closed) return false;
      for (const line of rows) if (!this.sendLine(line)) return false;
      if (rows.length === readChunk) continue;
      const waiting = (this.pending ?? []).filter((l) => l.seq > this.lastSeq).sort((a, b) => a.seq - b.seq);
      // Lines are stored before they are published, so reading again fills any hole.
      if (waiting.length && waiting[0]!.seq > this.lastSeq + 1) {
        this.pending = waiting;
        continue;
      }
      this.pending = null;
      this.deliver(waiting);
      return !this.closed;
    }
  }

  private sendLine(line: LogLine): boolean {
    const sent = this.client.send(logFrame(this.jobId, line));
    if (sent) this.lastSeq = line.seq;
    return sent;
  }

  private fail(message: string): void {
    if (this.closed) return;
    this.close();
    this.client.send({ type: 'error', message });
    this.onEnd();
  }
}
