import { describe, expect, test } from 'vitest';
import type { LiveLine } from '../../api/logBuffer';
import { LogLayout } from './logLayout';

const log = (...texts: string[]): LiveLine[] => texts.map((line, i) => ({ seq: i + 1, stream: 'stdout', line }));
const shown = (layout: LogLayout, lines: LiveLine[]) => layout.rows.map((i) => lines[i]!.line);

describe('LogLayout', () => {
  test('an ended group folds under its header; the end marker is never a row', () => {
    const lines = log('start', '::group::Install', 'a', 'b', '::endgroup::', 'after');
    const layout = new LogLayout();
    layout.sync(lines);
    expect(shown(layout, lines)).toEqual(['start', '::group::Install', 'after']);
    const group = layout.headerOf(1)!;
    expect(group).toMatchObject({ title: 'Install', size: 2, ended: true });
    expect(layout.isCollapsed(group)).toBe(true);

    layout.setCollapsed(group, false);
    expect(shown(layout, lines)).toEqual(['start', '::group::Install', 'a', 'b', 'after']);
    expect(layout.groupAt(2)).toBe(group);
    expect(layout.groupAt(5)).toBeUndefined();
  });

  test('a running group stays open as lines stream in, and folds when it ends', () => {
    const lines = log('::group::Build', 'compiling');
    const layout = new LogLayout();
    layout.sync(lines);
    expect(shown(layout, lines)).toEqual(['::group::Build', 'compiling']);
    expect(layout.sync(lines)).toBe(false);

    lines.push({ seq: 3, stream: 'stdout', line: 'linking' });
    layout.sync(lines);
    expect(shown(layout, lines)).toEqual(['::group::Build', 'compiling', 'linking']);

    lines.push({ seq: 4, stream: 'stdout', line: '::endgroup::' }, { seq: 5, stream: 'stdout', line: 'next' });
    layout.sync(lines);
    expect(shown(layout, lines)).toEqual(['::group::Build', 'next']);
  });

  test('a group the user opened stays open when it ends; a new group ends the previous one', () => {
    const lines = log('::group::One', 'x');
    const layout = new LogLayout();
    layout.sync(lines);
    expect(layout.reveal(1)).toBe(false);
    lines.push({ seq: 3, stream: 'stdout', line: '::group::Two' }, { seq: 4, stream: 'stdout', line: 'y' }, { seq: 5, stream: 'stdout', line: '::endgroup::' });
    layout.sync(lines);
    expect(shown(layout, lines)).toEqual(['::group::One', 'x', '::group::Two']);
    expect(layout.groups.map((g) => [g.title, g.size, g.ended])).toEqual([
      ['One', 1, true],
      ['Two', 1, true],
    ]);
  });

  test('reveal expands the group hiding a line; rowOf finds shown lines only', () => {
    const lines = log('::group::G', 'hidden', '::endgroup::', 'shown');
    const layout = new LogLayout();
    layout.sync(lines);
    expect(layout.rowOf(1)).toBe(-1);
    expect(layout.rowOf(3)).toBe(1);
    expect(layout.reveal(1)).toBe(true);
    expect(layout.rowOf(1)).toBe(1);
    expect(layout.rowOf(2)).toBe(-1);
  });

  test('system lines and look-alikes are plain lines', () => {
    const lines: LiveLine[] = [
      { seq: 1, stream: 'system', line: '::group::not a group' },
      { seq: 2, stream: 'stdout', line: ' ::group::indented' },
      { seq: 3, stream: 'stderr', line: '::group::' },
      { seq: 4, stream: 'stdout', line: '::endgroupie' },
    ];
    const layout = new LogLayout();
    layout.sync(lines);
    expect(layout.groups).toEqual([expect.objectContaining({ title: 'Group', start: 2, size: 1, ended: false })]);
    expect(layout.rows).toEqual([0, 1, 2, 3]);
  });

  test('a line inserted before the end (a late replay) rebuilds the layout', () => {
    const lines = log('::group::G', 'a', '::endgroup::');
    lines.splice(1, 1);
    const layout = new LogLayout();
    layout.sync(lines);
    expect(layout.headerOf(0)!.size).toBe(0);
    lines.splice(1, 0, { seq: 2, stream: 'stdout', line: 'a' });
    layout.sync(lines);
    expect(layout.headerOf(0)!.size).toBe(1);
    expect(layout.rows).toEqual([0]);
  });

  test('stays linear at 100,000 lines: streaming in batches and toggling every group', () => {
    const lines: LiveLine[] = [];
    const layout = new LogLayout();
    const started = performance.now();
    for (let seq = 1; seq <= 100_000; seq++) {
      const inGroup = seq % 50;
      const line = inGroup === 1 ? `::group::step ${seq}` : inGroup === 0 ? '::endgroup::' : `line ${seq}`;
      lines.push({ seq, stream: 'stdout', line });
      if (seq % 500 === 0) layout.sync(lines);
    }
    expect(layout.groups).toHaveLength(2000);
    expect(layout.rows).toHaveLength(2000);
    for (const group of layout.groups.slice(0, 100)) layout.setCollapsed(group, false);
    expect(layout.rows).toHaveLength(2000 + 100 * 48);
    expect(layout.rowOf(layout.groups[50]!.start + 1)).toBeGreaterThan(0);
    // Quadratic work here would take minutes; linear work takes milliseconds.
    expect(performance.now() - started).toBeLessThan(5000);
  });
});
