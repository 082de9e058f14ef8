import { describe, expect, test } from 'vitest';
import type { LiveLine } from '../../api/logBuffer';
import { ansiSegments } from './ansi';
import { visibleText } from './logLines';
import { LogSearch } from './logSearch';

const log = (...texts: string[]): LiveLine[] => texts.map((line, i) => ({ seq: i + 1, stream: 'stdout', line }));

describe('LogSearch', () => {
  test('finds every case-insensitive occurrence in log order, as marks on their lines', () => {
    const lines = log('Error: disk full', 'ok', 'error error');
    const search = new LogSearch();
    search.sync(lines, 'ERROR');
    expect(search.count).toBe(3);
    expect([0, 1, 2].map((k) => search.lineOfMatch(k))).toEqual([0, 2, 2]);
    expect(search.marksOn(2, 2)).toEqual([
      { start: 0, end: 5, current: false },
      { start: 6, end: 11, current: true },
    ]);
    expect(search.marksOn(1, 0)).toBeUndefined();
    expect(search.firstFrom(1)).toBe(1);
  });

  test('matches the visible text: ANSI codes removed, group titles, never end markers', () => {
    const lines = log('\u001b[32mgreen\u001b[0m light', '::group::green group', '::endgroup::');
    const search = new LogSearch();
    search.sync(lines, 'green');
    expect(search.count).toBe(2);
    expect(search.marksOn(0, -1)).toEqual([{ start: 0, end: 5, current: false }]);
    expect(search.marksOn(1, -1)).toEqual([{ start: 0, end: 5, current: false }]);
    search.sync(lines, 'endgroup');
    expect(search.count).toBe(0);
  });

  test('takes the query literally, never as a regular expression', () => {
    const search = new LogSearch();
    search.sync(log('a.b', 'axb', '(x+)+$', 'price: $5.00 [USD]'), '.');
    expect(search.count).toBe(2);
    search.sync(log('(x+)+$'), '(x+)+$');
    expect(search.count).toBe(1);
    search.sync(log('price: $5.00 [USD]'), '$5.00 [usd]');
    expect(search.count).toBe(1);
  });

  test('keeps counting as lines stream in', () => {
    const lines = log('build 1');
    const search = new LogSearch();
    search.sync(lines, 'build');
    expect(search.count).toBe(1);
    lines.push({ seq: 2, stream: 'stdout', line: 'build 2' });
    search.sync(lines, 'build');
    expect(search.count).toBe(2);
    expect(search.lineOfMatch(1)).toBe(1);
  });
});

describe('visibleText', () => {
  test('is exactly the text the ANSI renderer draws', () => {
    const samples = [
      '\u001b[32mgreen\u001b[0m plain',
      '\u001b[1;4mbold\u001b[m \u001b[38;5;208morange\u001b[39m \u001b[38;2;10;20;30mrgb\u001b[0m',
      '\u001b[2Kcleared line',
      '\u001b]8;;https://example.com\u0007link\u001b]8;;\u0007 after',
      'no escapes at all',
    ];
    for (const text of samples) expect(visibleText(text)).toBe(ansiSegments(text).map((s) => s.text).join(''));
  });
});

test('a longer query rescans only the lines that matched the shorter one, and gets the same answer', () => {
  const lines = Array.from({ length: 1000 }, (_, i): LiveLine => ({ seq: i + 1, stream: 'stdout', line: i % 10 ? `line ${i}` : `Needle ${i} needs it` }));
  const typed = new LogSearch();
  for (const q of ['n', 'ne', 'nee', 'need', 'needl', 'needle']) typed.sync(lines, q);
  lines.push({ seq: 1001, stream: 'stdout', line: 'needle late' });
  typed.sync(lines, 'needle');
  const fresh = new LogSearch();
  fresh.sync(lines, 'needle');
  expect(typed.count).toBe(101);
  expect(Array.from({ length: typed.count }, (_, k) => typed.lineOfMatch(k))).toEqual(Array.from({ length: fresh.count }, (_, k) => fresh.lineOfMatch(k)));
  // Back to a shorter query: a full pass again.
  typed.sync(lines, 'nee');
  expect(typed.count).toBe(201);
});
