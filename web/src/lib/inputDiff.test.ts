import { describe, expect, test } from 'vitest';
import { diffInputs } from './inputDiff';

describe('diffInputs', () => {
  test('lists changed, added and dropped fields, and nothing that stayed the same', () => {
    expect(
      diffInputs(
        { size: 'S', region: 'eu', backups: { daily: true, keep: 7 }, owner: 'ada' },
        { size: 'L', region: 'eu', backups: { keep: 7, daily: true }, tags: ['prod'] },
      ),
    ).toEqual([
      { field: 'size', before: 'S', after: 'L' },
      { field: 'tags', before: undefined, after: ['prod'] },
      { field: 'owner', before: 'ada', after: undefined },
    ]);
  });

  test('sees changes inside arrays and nested objects', () => {
    expect(diffInputs({ users: [{ name: 'a' }] }, { users: [{ name: 'b' }] })).toEqual([{ field: 'users', before: [{ name: 'a' }], after: [{ name: 'b' }] }]);
    expect(diffInputs({ n: 1 }, { n: '1' })).toEqual([{ field: 'n', before: 1, after: '1' }]);
    expect(diffInputs({ a: 1 }, { a: 1 })).toEqual([]);
  });
});
