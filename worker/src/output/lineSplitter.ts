const NEWLINE = 0x0a;
const PROGRESS_PREFIX = Buffer.from('::progress');

/**
 * Cuts a byte stream into lines (split on \n, trailing \r removed), each capped at
 * `maxLineBytes` with the rest of an over-long line dropped, so memory stays bounded
 * whatever the job prints. A capped line is passed on as it was cut, flagged `truncated`,
 * and the consumer marks it: the cut may split a secret, whose first half must be masked
 * before anything is added after it.
 *
 * With `progressOnly` set (the log is full) it stops decoding every line and only looks for
 * lines that start with `::progress`, using native buffer searches: a job printing a
 * gigabyte of tiny lines then costs a few scans per chunk, not a JS call per line.
 */
export class LineSplitter {
  progressOnly = false;
  private carry: Buffer[] = [];
  private carryBytes = 0;
  /** The current line passed `maxLineBytes`; its remainder is being skipped. */
  private overflow = false;

  constructor(
    private readonly onLine: (text: string, truncated: boolean) => void,
    private readonly maxLineBytes = 16 * 1024,
  ) {}

  push(chunk: Buffer): void {
    let pos = 0;
    if (this.carryBytes > 0 || this.overflow) {
      const nl = chunk.indexOf(NEWLINE);
      if (nl === -1) return this.keep(chunk);
      this.finishLine(chunk, 0, nl);
      pos = nl + 1;
    }
    if (this.progressOnly) this.scanForProgress(chunk, pos);
    else this.splitAll(chunk, pos);
  }

  /** The stream ended: a last line without a newline still counts. */
  end(): void {
    if (this.carryBytes > 0 || this.overflow) this.finishLine(Buffer.alloc(0), 0, 0);
  }

  private splitAll(chunk: Buffer, pos: number): void {
    while (pos < chunk.length) {
      const nl = chunk.indexOf(NEWLINE, pos);
      if (nl === -1) return this.keep(chunk.subarray(pos));
      this.finishLine(chunk, pos, nl);
      pos = nl + 1;
    }
  }

  /** `pos` is at a line start. Emits only the lines that begin with the progress prefix. */
  private scanForProgress(chunk: Buffer, pos: number): void {
    while (pos < chunk.length) {
      const hit = chunk.indexOf(PROGRESS_PREFIX, pos);
      if (hit === -1) {
        // A partial last line may be a progress line cut by the chunk boundary.
        const tail = Math.max(pos, chunk.lastIndexOf(NEWLINE) + 1);
        if (tail < chunk.length) this.keep(chunk.subarray(tail));
        return;
      }
      if (hit !== pos && chunk[hit - 1] !== NEWLINE) {
        pos = hit + 1;
        continue;
      }
      const nl = chunk.indexOf(NEWLINE, hit);
      if (nl === -1) return this.keep(chunk.subarray(hit));
      this.finishLine(chunk, hit, nl);
      pos = nl + 1;
    }
  }

  /** Keeps the start of an unfinished line (copied: the chunk's memory is not retained). */
  private keep(piece: Buffer): void {
    if (this.overflow || piece.length === 0) return;
    const room = this.maxLineBytes - this.carryBytes;
    if (piece.length > room) this.overflow = true;
    const kept = Buffer.from(piece.subarray(0, room));
    this.carry.push(kept);
    this.carryBytes += kept.length;
  }

  private finishLine(chunk: Buffer, start: number, end: number): void {
    let text: string;
    if (this.carryBytes === 0 && !this.overflow) {
      if (end - start > this.maxLineBytes) this.overflow = true;
      text = chunk.toString('utf8', start, Math.min(end, start + this.maxLineBytes));
    } else {
      this.keep(chunk.subarray(start, end));
      text = Buffer.concat(this.carry, this.carryBytes).toString('utf8');
    }
    const truncated = this.overflow;
    if (!truncated && text.endsWith('\r')) text = text.slice(0, -1);
    this.carry = [];
    this.carryBytes = 0;
    this.overflow = false;
    this.onLine(text, truncated);
  }
}
