import { describe, expect, test } from 'vitest';
import { fetchRawLog, rawLogFileName } from './downloadLog';

describe('raw log download', () => {
  test('pages through the stored log until an empty page, keeping the text as printed', async () => {
    const stored = Array.from({ length: 7 }, (_, i) => ({ seq: i + 1, line: i === 2 ? '\u001b[31mred\u001b[0m' : `line ${i + 1}` }));
    const asked: number[] = [];
    const text = await fetchRawLog('j1', async (_id, after) => {
      asked.push(after);
      const items = stored.filter((l) => l.seq > after).slice(0, 3);
      return { items, next: items.at(-1)?.seq ?? after };
    });
    expect(asked).toEqual([0, 3, 6, 7]);
    expect(text).toBe('line 1\nline 2\n\u001b[31mred\u001b[0m\nline 4\nline 5\nline 6\nline 7\n');
  });

  test('names the file after the job', () => {
    expect(rawLogFileName('0123abcd')).toBe('shelf-job-0123abcd.log');
    expect(rawLogFileName('../x/y')).toBe('shelf-job-xy.log');
  });
});
