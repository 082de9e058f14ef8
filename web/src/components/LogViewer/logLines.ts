import type { LiveLine } from '../../api/logBuffer';
import { ansiSegments } from './ansi';

/**
 * What a line is to the viewer. The sandbox protocol's `::group::Title` and `::endgroup::`
 * (GitHub Actions' syntax) stay in the stored log as printed; the viewer draws them as a
 * collapsible section's header and hides the end marker.
 */
export type LineKind = 'plain' | 'groupStart' | 'groupEnd';

const groupStart = /^::group::(.*?)\s*$/;
const groupEnd = /^::endgroup::\s*$/;

/** A group's title, or null when the line does not open a group. Shelf's own `system` lines never do. */
export function groupTitle(line: LiveLine): string | null {
  if (line.stream === 'system' || !line.line.startsWith('::group::')) return null;
  const title = groupStart.exec(line.line)?.[1] ?? '';
  return title || 'Group';
}

export function lineKind(line: LiveLine): LineKind {
  if (line.stream === 'system' || !line.line.startsWith('::')) return 'plain';
  if (groupTitle(line) !== null) return 'groupStart';
  return groupEnd.test(line.line) ? 'groupEnd' : 'plain';
}

/** The text a row shows (a header shows its title), still with its ANSI codes; null for a hidden end marker. */
export function displayText(line: LiveLine): string | null {
  switch (lineKind(line)) {
    case 'groupStart':
      return groupTitle(line);
    case 'groupEnd':
      return null;
    case 'plain':
      return line.line;
  }
}

// eslint-disable-next-line no-control-regex -- matching ANSI colour codes is the point
const colourCodes = /\u001b\[[0-9;]*m/g;

/** The characters a row shows, ANSI codes removed: what search matches and highlight offsets count in. */
export function visibleText(text: string): string {
  if (!text.includes('\u001b')) return text;
  // Colour codes alone, the common case, simply go (a tenth of the time anser takes, which
  // matters when a first search reads 100,000 lines); rarer escapes are left to anser, which draws the row.
  const uncoloured = text.replace(colourCodes, '');
  if (!uncoloured.includes('\u001b')) return uncoloured;
  return ansiSegments(text)
    .map((s) => s.text)
    .join('');
}

/** A line's time: the stored log and the live messages both carry it (absent only from an older server). */
export function lineTimestamp(line: LiveLine): string | undefined {
  return typeof line.ts === 'string' ? line.ts : undefined;
}

const pad = (n: number, width = 2) => String(n).padStart(width, '0');

/** `14:03:07.251` in the viewer's local time; '' when the value is not a date. */
export function formatLogTime(iso: string): string {
  const d = new Date(iso);
  if (Number.isNaN(d.getTime())) return '';
  return `${pad(d.getHours())}:${pad(d.getMinutes())}:${pad(d.getSeconds())}.${pad(d.getMilliseconds(), 3)}`;
}

/** The index of the line with this seq (lines are seq-ordered), or -1. */
export function indexOfSeq(lines: readonly LiveLine[], seq: number): number {
  let lo = 0;
  let hi = lines.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (lines[mid]!.seq < seq) lo = mid + 1;
    else hi = mid;
  }
  return lines[lo]?.seq === seq ? lo : -1;
}
