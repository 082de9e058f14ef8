import Anser from 'anser';
import { Fragment, type CSSProperties, type ReactNode } from 'react';

export interface AnsiSegment {
  text: string;
  style?: CSSProperties;
}

// Anser's standard palette assumes black; on the log's slate background these read better.
const legible: Record<string, string> = {
  '0, 0, 0': '100, 116, 139',
  '187, 0, 0': '248, 113, 113',
  '0, 187, 0': '74, 222, 128',
  '187, 187, 0': '250, 204, 21',
  '0, 0, 187': '96, 165, 250',
  '187, 0, 187': '232, 121, 249',
  '0, 187, 187': '34, 211, 238',
};

const rgb = (color: string) => `rgb(${legible[color] ?? color})`;

/** Splits a line at its ANSI SGR codes into styled text segments. Text stays text: nothing here becomes HTML. */
export function ansiSegments(line: string): AnsiSegment[] {
  if (!line.includes('\u001b')) return [{ text: line }];
  return Anser.ansiToJson(line, { json: true, remove_empty: true, use_classes: false }).map((entry) => {
    const style: CSSProperties = {};
    if (entry.fg) style.color = rgb(entry.fg);
    if (entry.bg) style.backgroundColor = rgb(entry.bg);
    const decorations = entry.decorations ?? [];
    if (decorations.includes('bold')) style.fontWeight = 700;
    if (decorations.includes('dim')) style.opacity = 0.7;
    if (decorations.includes('italic')) style.fontStyle = 'italic';
    const lines = [decorations.includes('underline') && 'underline', decorations.includes('strikethrough') && 'line-through'].filter(Boolean);
    if (lines.length) style.textDecoration = lines.join(' ');
    if (decorations.includes('hidden')) style.visibility = 'hidden';
    return Object.keys(style).length ? { text: entry.content, style } : { text: entry.content };
  });
}

/** A highlighted stretch of the visible text (offsets after the ANSI codes are removed). */
export interface TextMark {
  start: number;
  end: number;
  current: boolean;
}

/** `text`, which starts at `offset` of the line's visible text, with the marks that fall on it wrapped in <mark>. */
function marked(text: string, offset: number, marks: readonly TextMark[]): ReactNode {
  const end = offset + text.length;
  const parts: ReactNode[] = [];
  let at = offset;
  for (const mark of marks) {
    if (mark.end <= at || mark.start >= end) continue;
    const from = Math.max(mark.start, at);
    const to = Math.min(mark.end, end);
    if (from > at) parts.push(text.slice(at - offset, from - offset));
    parts.push(
      <mark key={from} data-current={mark.current || undefined} className={mark.current ? 'rounded-sm bg-orange-300 text-slate-950 outline-2 outline-orange-300' : 'rounded-sm bg-yellow-200 text-slate-950'}>
        {text.slice(from - offset, to - offset)}
      </mark>,
    );
    at = to;
  }
  if (!parts.length) return text;
  if (at < end) parts.push(text.slice(at - offset));
  return parts;
}

/** A log line with its ANSI colours as React spans, and search matches (if any) as marks. */
export function AnsiText({ text, marks }: { text: string; marks?: readonly TextMark[] }) {
  let offset = 0;
  return (
    <>
      {ansiSegments(text).map((segment, i) => {
        const content = marks ? marked(segment.text, offset, marks) : segment.text;
        offset += segment.text.length;
        return segment.style ? (
          <span key={i} style={segment.style}>
            {content}
          </span>
        ) : (
          <Fragment key={i}>{content}</Fragment>
        );
      })}
    </>
  );
}
