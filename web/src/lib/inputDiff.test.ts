import { SECRET_MASK } from '@shelf/contract';
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
      { field: 'size', secret: false, before: 'S', after: 'L' },
      { field: 'tags', secret: false, before: undefined, after: ['prod'] },
      { field: 'owner', secret: false, before: 'ada', after: undefined },
    ]);
  });

  test('sees changes inside arrays and nested objects', () => {
    expect(diffInputs({ users: [{ name: 'a' }] }, { users: [{ name: 'b' }] })).toEqual([
      { field: 'users', secret: false, before: [{ name: 'a' }], after: [{ name: 'b' }] },
    ]);
    expect(diffInputs({ n: 1 }, { n: '1' })).toEqual([{ field: 'n', secret: false, before: 1, after: '1' }]);
    expect(diffInputs({ a: 1 }, { a: 1 })).toEqual([]);
  });

  test('lists a secret as not compared, with neither value, whether the masks match or one side is missing or was plain', () => {
    expect(diffInputs({ size: 'S', password: SECRET_MASK }, { size: 'S', password: SECRET_MASK })).toEqual([{ field: 'password', secret: true }]);
    expect(diffInputs({}, { token: SECRET_MASK })).toEqual([{ field: 'token', secret: true }]);
    // The item made the field secret since: the earlier plain value is not shown next to it either.
    expect(diffInputs({ token: 'old-plain' }, { token: SECRET_MASK })).toEqual([{ field: 'token', secret: true }]);
  });
});
