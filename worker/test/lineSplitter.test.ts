import { describe, expect, it } from 'vitest';
import { LineSplitter } from '../src/output/lineSplitter.js';

/** The lines as the splitter passes them on; a truncated one is shown with a trailing '✂'. */
function split(chunks: string[], opts: { max?: number; progressOnly?: boolean } = {}): string[] {
  const lines: string[] = [];
  const splitter = new LineSplitter((text, truncated) => lines.push(truncated ? `${text}✂` : text), opts.max);
  splitter.progressOnly = opts.progressOnly ?? false;
  for (const c of chunks) splitter.push(Buffer.from(c));
  splitter.end();
  return lines;
}

describe('LineSplitter', () => {
  it('splits on \\n across chunks, strips \\r and keeps a last line without newline', () => {
    expect(split(['a\nb', 'c\r\n', '\nd'])).toEqual(['a', 'bc', '', 'd']);
  });

  it('keeps multi-byte characters cut by a chunk boundary intact', () => {
    const bytes = Buffer.from('héllo\n');
    const lines: string[] = [];
    const splitter = new LineSplitter((l) => lines.push(l));
    splitter.push(bytes.subarray(0, 2));
    splitter.push(bytes.subarray(2));
    expect(lines).toEqual(['héllo']);
  });

  it('caps an over-long line, drops its rest and flags it truncated, in one chunk or many', () => {
    expect(split(['abcdefgh\nok\n'], { max: 4 })).toEqual(['abcd✂', 'ok']);
    expect(split(['ab', 'cd', 'ef', 'gh\nok'], { max: 4 })).toEqual(['abcd✂', 'ok']);
    expect(split(['abcd\n', 'abcde'], { max: 4 })).toEqual(['abcd', 'abcd✂']);
  });

  it('passes a truncated line on as cut, without a marker, so the consumer can mask it first', () => {
    const calls: Array<[string, boolean]> = [];
    const splitter = new LineSplitter((text, truncated) => calls.push([text, truncated]), 4);
    splitter.push(Buffer.from('ab\r\nabcdef\n'));
    splitter.end();
    expect(calls).toEqual([
      ['ab', false],
      ['abcd', true],
    ]);
  });

  it('in progress-only mode finds progress lines anywhere, even split across chunks, and nothing else', () => {
    const lines = split(['noise\n::progress 10 a\nmore ::progress 99 not at start\n::prog', 'ress 20 b\nx\n', '::progress 30 c'], {
      progressOnly: true,
    });
    expect(lines.filter((l) => l.startsWith('::progress'))).toEqual(['::progress 10 a', '::progress 20 b', '::progress 30 c']);
    expect(lines.some((l) => l.includes('not at start'))).toBe(false);
  });
});
