import Anser from 'anser';
import type { CSSProperties } from 'react';

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

/** A log line with its ANSI colours as React spans. */
export function AnsiText({ text }: { text: string }) {
  return (
    <>
      {ansiSegments(text).map((segment, i) =>
        segment.style ? (
          <span key={i} style={segment.style}>
            {segment.text}
          </span>
        ) : (
          segment.text
        ),
      )}
    </>
  );
}
