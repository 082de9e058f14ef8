/**
 * Checks one client's copy of a job's log as it arrives: every line exactly once, in seq
 * order, with the text the job printed. It keeps counts and the first few problems, not the lines.
 */
export class LineChecker {
  received = 0;
  firstAt: number | undefined;
  lastAt: number | undefined;
  readonly problems: string[] = [];
  private next = 1;

  constructor(
    readonly expected: number,
    private readonly textOf: (seq: number) => string,
  ) {}

  accept(seq: number, line: string, at: number): void {
    this.received++;
    this.firstAt ??= at;
    this.lastAt = at;
    if (seq < this.next) this.problem(`line ${seq} again (or out of order) after line ${this.next - 1}`);
    else if (seq > this.next) this.problem(`lines ${this.next}..${seq - 1} missing before line ${seq}`);
    else if (seq > this.expected) this.problem(`line ${seq} beyond the ${this.expected} the job printed`);
    else if (line !== this.textOf(seq)) this.problem(`line ${seq} reads ${JSON.stringify(line.slice(0, 80))}`);
    if (seq >= this.next) this.next = seq + 1;
  }

  /** The seq the next line must have. */
  get nextSeq(): number {
    return this.next;
  }

  /** The next line arrived, and the caller checked it is exactly what the job printed. */
  acceptNext(at: number): void {
    this.accept(this.next, this.textOf(this.next), at);
  }

  /** Every line 1..expected arrived once, in order, intact. */
  get complete(): boolean {
    return this.next === this.expected + 1 && this.received === this.expected && this.problems.length === 0;
  }

  /** One sentence on what is wrong, or undefined. */
  verdict(): string | undefined {
    if (this.complete) return undefined;
    const got = `${this.received} of ${this.expected} lines`;
    return this.problems.length ? `${got}; ${this.problems.join('; ')}` : got;
  }

  problem(text: string): void {
    if (this.problems.length < 5) this.problems.push(text);
  }
}
