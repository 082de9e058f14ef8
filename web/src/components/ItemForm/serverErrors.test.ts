import { describe, expect, test } from 'vitest';
import { pointerSegments, problemsToErrorSchema, unresolvedProblems } from './serverErrors';

describe('server problems → form errors', () => {
  test('nests problems by JSON pointer, arrays by index, the root under __errors', () => {
    expect(
      problemsToErrorSchema([
        { file: 'inputs', path: '/name', message: 'taken' },
        { file: 'inputs', path: '/name', message: 'taken' },
        { file: 'inputs', path: '/users/1/username', message: 'reserved' },
        { file: 'inputs', path: '', message: 'too many fields' },
        { file: 'manifest.yaml', path: '/id', message: 'not about the inputs' },
      ]),
    ).toEqual({
      name: { __errors: ['taken'] },
      users: { 1: { username: { __errors: ['reserved'] } } },
      __errors: ['too many fields'],
    });
  });

  test('unescapes ~1 and ~0 in pointers', () => {
    expect(pointerSegments('/a~1b/c~0d')).toEqual(['a/b', 'c~d']);
  });

  test('keeps only problems whose field still holds the submitted value', () => {
    const problems = [
      { file: 'inputs', path: '/name', message: 'taken' },
      { file: 'inputs', path: '/size', message: 'too big' },
    ];
    const submitted = { name: 'orders', size: 500 };
    expect(unresolvedProblems(problems, submitted, { name: 'orders', size: 500 })).toEqual(problems);
    expect(unresolvedProblems(problems, submitted, { name: 'orders2', size: 500 })).toEqual([problems[1]]);
  });
});
