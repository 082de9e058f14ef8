import type { LiveLine } from '../../api/logBuffer';
import { groupTitle, lineKind, type LineKind } from './logLines';

/** A `::group::` section of the log: its header line and the lines up to its `::endgroup::`. */
export interface LogGroup {
  /** The header line's seq: the group's key, stable while more lines arrive. */
  seq: number;
  /** Index of the header line. */
  start: number;
  /** Index of the group's last line (its `::endgroup::` once it has one). */
  last: number;
  title: string;
  /** Lines inside, without the header and the end marker. */
  size: number;
  /** An `::endgroup::` (or the next `::group::`: groups do not nest) has closed it. */
  ended: boolean;
}

/**
 * Which lines of a log are rows on screen, given its `::group::` sections and which are collapsed.
 *
 * The buffer appends lines in place, so `sync` takes in only the lines it has not seen: following
 * a live log costs O(new lines), and a toggle rebuilds the rows once, O(lines) — never O(lines²).
 * A group is collapsed once it has ended and open while it runs, unless the user chose otherwise.
 */
export class LogLayout {
  /** Line indices shown, ascending: headers, lines outside groups, lines of expanded groups. */
  readonly rows: number[] = [];
  readonly groups: LogGroup[] = [];
  private kinds: LineKind[] = [];
  /** The group index of each line, -1 outside groups. */
  private groupOfLine: number[] = [];
  private open = -1;
  private source: readonly LiveLine[] | null = null;
  private lastSeq = 0;
  /** The user's choice per group seq: true = collapsed. */
  private readonly choices = new Map<number, boolean>();

  /** Takes in the lines added since the last call; returns whether there were any. */
  sync(lines: readonly LiveLine[]): boolean {
    const seen = this.kinds.length;
    // A new buffer, or a line inserted before the end (a reconnect's late line): start over.
    if (lines !== this.source || (seen > 0 && lines[seen - 1]?.seq !== this.lastSeq)) {
      if (lines !== this.source) this.choices.clear();
      this.source = lines;
      this.reset();
    } else if (lines.length === seen) {
      return false;
    }
    for (let i = this.kinds.length; i < lines.length; i++) this.take(lines[i]!, i);
    this.lastSeq = lines.at(-1)?.seq ?? 0;
    return true;
  }

  isCollapsed(group: LogGroup): boolean {
    return this.choices.get(group.seq) ?? group.ended;
  }

  /** The group a line belongs to (a header belongs to its own group), or undefined. */
  groupAt(index: number): LogGroup | undefined {
    const g = this.groupOfLine[index] ?? -1;
    return g >= 0 ? this.groups[g] : undefined;
  }

  /** The group this line opens, or undefined when it is not a header. */
  headerOf(index: number): LogGroup | undefined {
    return this.kinds[index] === 'groupStart' ? this.groupAt(index) : undefined;
  }

  setCollapsed(group: LogGroup, collapsed: boolean): void {
    if (this.isCollapsed(group) === collapsed) return;
    this.choices.set(group.seq, collapsed);
    this.rebuildRows();
  }

  /**
   * Makes this line a row: expands its group, and keeps the group open even if its `::endgroup::`
   * is still to arrive. Returns whether the rows changed.
   */
  reveal(index: number): boolean {
    const group = this.groupAt(index);
    if (!group || group.start === index) return false;
    const wasCollapsed = this.isCollapsed(group);
    this.choices.set(group.seq, false);
    if (wasCollapsed) this.rebuildRows();
    return wasCollapsed;
  }

  /** The row showing this line, or -1 when it is hidden (or is an end marker). */
  rowOf(index: number): number {
    const { rows } = this;
    let lo = 0;
    let hi = rows.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (rows[mid]! < index) lo = mid + 1;
      else hi = mid;
    }
    return rows[lo] === index ? lo : -1;
  }

  private reset(): void {
    this.rows.length = 0;
    this.groups.length = 0;
    this.kinds = [];
    this.groupOfLine = [];
    this.open = -1;
    this.lastSeq = 0;
  }

  private take(line: LiveLine, index: number): void {
    const kind = lineKind(line);
    this.kinds.push(kind);
    if (kind === 'groupStart') {
      this.endOpenGroup();
      this.open = this.groups.push({ seq: line.seq, start: index, last: index, title: groupTitle(line)!, size: 0, ended: false }) - 1;
      this.groupOfLine.push(this.open);
      this.rows.push(index);
      return;
    }
    this.groupOfLine.push(this.open);
    const group = this.open >= 0 ? this.groups[this.open]! : undefined;
    if (kind === 'groupEnd') {
      if (group) group.last = index;
      this.endOpenGroup();
      return;
    }
    if (group) {
      group.last = index;
      group.size++;
      if (this.isCollapsed(group)) return;
    }
    this.rows.push(index);
  }

  /** Closes the running group; if that collapses it, its lines (the last rows) leave the screen. */
  private endOpenGroup(): void {
    if (this.open < 0) return;
    const group = this.groups[this.open]!;
    this.open = -1;
    group.ended = true;
    const header = this.rowOf(group.start);
    if (header >= 0 && this.isCollapsed(group)) this.rows.length = header + 1;
  }

  private rebuildRows(): void {
    const { rows, kinds } = this;
    rows.length = 0;
    for (let i = 0; i < kinds.length; i++) {
      const kind = kinds[i];
      if (kind === 'groupEnd') continue;
      rows.push(i);
      if (kind !== 'groupStart') continue;
      const group = this.groupAt(i)!;
      if (this.isCollapsed(group)) i = group.last;
    }
  }
}
