import type { LiveLine } from '../../api/logBuffer';
import type { TextMark } from './ansi';
import { displayText, visibleText } from './logLines';

/** Beyond this many matches the count says "100,000+" and the rest are not indexed. */
export const maxMatches = 100_000;


const escapeRegExp = (text: string) => text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

/**
 * Every case-insensitive occurrence of a plain-text query in the rows' visible text (ANSI codes
 * removed, a group header's title), in log order. Like {@link LogLayout} it follows the buffer's
 * appends: streaming lines costs O(new lines), a new query one pass over the log (typing on,
 * only over the lines that matched the shorter query).
 */
export class LogSearch {
  private query = '';
  private pattern: RegExp | null = null;
  /** Match k is on line `lineOf[k]` at `startOf[k]`; both ascending in log order. */
  private lineOf: number[] = [];
  private startOf: number[] = [];
  private scanned = 0;
  private source: readonly LiveLine[] | null = null;
  private lastSeq = 0;
  private readonly texts = new WeakMap<LiveLine, string>();
  /** More matches exist than were indexed. */
  capped = false;

  get count(): number {
    return this.lineOf.length;
  }

  /** Indexes `lines` for `query`, going on from where it stopped when neither changed. */
  sync(lines: readonly LiveLine[], query: string): void {
    const stale = lines !== this.source || (this.scanned > 0 && lines[this.scanned - 1]?.seq !== this.lastSeq);
    if (stale || query !== this.query) {
      // Typing on: only the lines that held the shorter query can hold the longer one.
      const narrowing = !stale && !this.capped && this.query !== '' && query.toLowerCase().includes(this.query.toLowerCase());
      const candidates = narrowing ? [...new Set(this.lineOf)] : [];
      const scanned = narrowing ? this.scanned : 0;
      this.source = lines;
      this.query = query;
      // Escaped: the user's text is matched literally, never run as a regular expression.
      this.pattern = query ? new RegExp(escapeRegExp(query), 'gi') : null;
      this.lineOf = [];
      this.startOf = [];
      this.capped = false;
      for (const i of candidates) this.scanLine(lines, i);
      this.scanned = scanned;
    }
    for (let i = this.scanned; i < lines.length; i++) this.scanLine(lines, i);
    this.scanned = lines.length;
    this.lastSeq = lines.at(-1)?.seq ?? 0;
  }

  /** The line index of match k. */
  lineOfMatch(k: number): number {
    return this.lineOf[k] ?? -1;
  }

  /** The first match on this line or after it, or -1. */
  firstFrom(index: number): number {
    let lo = 0;
    let hi = this.lineOf.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (this.lineOf[mid]! < index) lo = mid + 1;
      else hi = mid;
    }
    return lo < this.lineOf.length ? lo : -1;
  }

  /** The matches on one line as marks, `current` being the match the user is on; undefined when none. */
  marksOn(index: number, current: number): TextMark[] | undefined {
    let k = this.firstFrom(index);
    if (k < 0 || this.lineOf[k] !== index) return undefined;
    const marks: TextMark[] = [];
    for (; this.lineOf[k] === index; k++) marks.push({ start: this.startOf[k]!, end: this.startOf[k]! + this.query.length, current: k === current });
    return marks;
  }

  private scanLine(lines: readonly LiveLine[], index: number): void {
    const { pattern } = this;
    if (!pattern || this.capped) return;
    const text = this.textOf(lines[index]!);
    pattern.lastIndex = 0;
    for (let m = pattern.exec(text); m; m = pattern.exec(text)) {
      if (this.lineOf.length === maxMatches) {
        this.capped = true;
        return;
      }
      this.lineOf.push(index);
      this.startOf.push(m.index);
    }
  }

  private textOf(line: LiveLine): string {
    let text = this.texts.get(line);
    if (text === undefined) {
      text = visibleText(displayText(line) ?? '');
      this.texts.set(line, text);
    }
    return text;
  }
}
