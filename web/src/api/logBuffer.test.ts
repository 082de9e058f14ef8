import { describe, expect, test } from 'vitest';
import { LogBuffer, type LiveLine } from './logBuffer';

const line = (seq: number): LiveLine => ({ seq, stream: 'stdout', line: `line ${seq}` });

describe('LogBuffer', () => {
  test('keeps lines in seq order, each seq once', () => {
    const buffer = new LogBuffer();
    buffer.addAll([1, 2, 3].map(line));
    // A replay after a reconnect that overlaps what is already held.
    expect(buffer.addAll([2, 3, 4, 5].map(line))).toBe(true);
    expect(buffer.addAll([4, 5].map(line))).toBe(false);
    expect(buffer.lines.map((l) => l.seq)).toEqual([1, 2, 3, 4, 5]);
    expect(buffer.lastSeq).toBe(5);
  });

  test('puts a late line in its place and ignores a late duplicate', () => {
    const buffer = new LogBuffer();
    buffer.addAll([1, 2, 4].map(line));
    expect(buffer.add(line(3))).toBe(true);
    expect(buffer.add(line(3))).toBe(false);
    expect(buffer.add(line(1))).toBe(false);
    expect(buffer.lines.map((l) => l.seq)).toEqual([1, 2, 3, 4]);
  });

  test('changes its version on every change, and never repeats one across buffers', () => {
    const a = new LogBuffer();
    const first = a.version;
    a.add(line(1));
    expect(a.version).toBeGreaterThan(first);
    const before = a.version;
    a.add(line(1));
    expect(a.version).toBe(before);
    expect(new LogBuffer().version).toBeGreaterThan(a.version);
  });

  test('handles 100,000 lines quickly', () => {
    const buffer = new LogBuffer();
    const started = performance.now();
    for (let seq = 1; seq <= 100_000; seq++) buffer.add(line(seq));
    buffer.addAll(Array.from({ length: 1000 }, (_, i) => line(99_001 + i)));
    expect(buffer.lines).toHaveLength(100_000);
    expect(performance.now() - started).toBeLessThan(1000);
  });
});
