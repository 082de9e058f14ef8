import { describe, expect, it } from 'vitest';
import { guardInputs, inputLimits } from './inputLimits.js';

describe('guardInputs', () => {
  it('accepts inputs within the limits', () => {
    expect(guardInputs({ name: 'Ada', tags: ['a', 'b'], nested: { on: true, n: 1, none: null } })).toEqual([]);
    expect(guardInputs({ a: Array.from({ length: inputLimits.maxValues - 2 }, () => 1) })).toEqual([]);
  });

  it('names the path of an over-long string, field name or nesting', () => {
    const long = 'x'.repeat(inputLimits.maxStringLength + 1);
    expect(guardInputs({ a: { 'b/c': [long] } })).toEqual([{ file: 'inputs', path: '/a/b~1c/0', message: expect.stringContaining('longer than') }]);
    expect(guardInputs({ [long]: 1 })).toEqual([{ file: 'inputs', path: '', message: 'a field name is too long' }]);
    let deep: unknown = 1;
    for (let i = 0; i < 40; i++) deep = [deep];
    expect(guardInputs(deep)).toEqual([{ file: 'inputs', path: '/0'.repeat(inputLimits.maxDepth + 1), message: expect.stringContaining('nested deeper') }]);
  });

  it('stops counting at the value limit, however large the input', () => {
    // Every element read is counted: the walk must stop at the limit, not visit the million.
    let reads = 0;
    const elements = Array.from({ length: 1_000_000 }, (_, i) => ({ k: i }));
    const counted = new Proxy(elements, {
      get(target, prop, receiver) {
        if (typeof prop === 'string' && /^\d+$/.test(prop)) reads++;
        return Reflect.get(target, prop, receiver) as unknown;
      },
    });
    expect(guardInputs({ a: counted })).toEqual([{ file: 'inputs', path: '', message: `more than ${inputLimits.maxValues} values are not accepted` }]);
    expect(reads).toBeGreaterThan(0);
    expect(reads).toBeLessThanOrEqual(inputLimits.maxValues);
  });
});
