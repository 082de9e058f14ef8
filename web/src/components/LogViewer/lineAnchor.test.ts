import { describe, expect, test } from 'vitest';
import { formatLineAnchor, parseLineAnchor } from './lineAnchor';

describe('line anchors', () => {
  test('read #L42 and #L10-L20 (either way round), nothing else', () => {
    expect(parseLineAnchor('#L42')).toEqual({ from: 42, to: 42 });
    expect(parseLineAnchor('#L20-L10')).toEqual({ from: 10, to: 20 });
    expect(parseLineAnchor('#L10-20')).toEqual({ from: 10, to: 20 });
    for (const other of ['', '#', '#L', '#L0', '#Lx', '#l4', '#L4-', '#card-log', '#L1234567890']) expect(parseLineAnchor(other)).toBeNull();
  });

  test('write one line or a range', () => {
    expect(formatLineAnchor({ from: 5, to: 5 })).toBe('#L5');
    expect(formatLineAnchor({ from: 5, to: 9 })).toBe('#L5-L9');
  });
});
