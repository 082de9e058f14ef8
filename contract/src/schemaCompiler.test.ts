// Issue 11: patterns on RE2, linear uniqueItems, size and nesting limits, $ref loops. Times are
// behaviour checks with wide margins (the backtracking engine took seconds to forever), not benchmarks.
import { describe, expect, it } from 'vitest';
import { ajvProblem, compileInputSchema, type CompileResult } from './schemaCompiler.js';
import { schemaLimits } from './schemaLimits.js';

const object = (properties: Record<string, unknown>, extra: Record<string, unknown> = {}) => ({ type: 'object', properties, ...extra });

function compiled(schema: unknown): Extract<CompileResult, { ok: true }>['validate'] {
  const r = compileInputSchema(schema);
  if (!r.ok) throw new Error(JSON.stringify(r.problems));
  return r.validate;
}

function problems(schema: unknown): { path: string; message: string }[] {
  const r = compileInputSchema(schema);
  expect(r.ok).toBe(false);
  return r.ok ? [] : r.problems;
}

function timed<T>(run: () => T): { value: T; ms: number } {
  const t0 = performance.now();
  const value = run();
  return { value, ms: performance.now() - t0 };
}

describe('patterns run on a linear-time engine', () => {
  it('answers at once on the overlapping alternations safe-regex2 let through', () => {
    const cases: Array<[Record<string, unknown>, unknown]> = [
      [object({ s: { type: 'string', pattern: '^(a|a)*$' } }), { s: `${'a'.repeat(28)}!` }],
      [object({ s: { type: 'string', pattern: '^(a|a)*$' } }), { s: `${'a'.repeat(65_536)}!` }],
      [object({ s: { type: 'string', pattern: '^(\\w|\\d)+$' } }), { s: `${'1'.repeat(65_536)}!` }],
      [object({ s: { type: 'string', pattern: '(\\d|\\d\\d)+x' } }), { s: '1'.repeat(65_536) }],
      [{ type: 'object', propertyNames: { pattern: '^(\\w|\\d)+$' } }, { [`${'1'.repeat(65_536)}!`]: 1 }],
      [{ type: 'object', patternProperties: { '^(a|a)*$': { type: 'string' } } }, { [`${'a'.repeat(65_536)}!`]: 1 }],
    ];
    for (const [schema, input] of cases) {
      const validate = compiled(schema);
      const { value, ms } = timed(() => validate(input));
      expect(value, JSON.stringify(schema)).toBe(Object.keys(schema).includes('patternProperties'));
      expect(ms, JSON.stringify(schema)).toBeLessThan(1000);
    }
  });

  it('accepts the linear patterns safe-regex2 refused, with their ECMAScript meaning', () => {
    const zip = compiled(object({ zip: { type: 'string', pattern: '^\\d{5}(?:[-\\s]\\d{4})?$' }, area: { type: 'string', pattern: '^(\\d{3})?$' } }));
    expect(zip({ zip: '12345', area: '' })).toBe(true);
    expect(zip({ zip: '12345-6789', area: '123' })).toBe(true);
    expect(zip({ zip: '12345\u00a06789' })).toBe(true);
    expect(zip({ zip: '1234' })).toBe(false);
  });

  it('refuses at import what RE2 cannot run, naming the pattern and its JSON path', () => {
    const found = problems({
      ...object({ a: { type: 'string', pattern: '^(a)\\1$' }, b: { type: 'object', propertyNames: { pattern: '^(?!admin)' } } }),
      patternProperties: { '(?<=x)y': {} },
    });
    expect(found).toEqual(
      expect.arrayContaining([
        { path: '/properties/a/pattern', message: expect.stringMatching(/^pattern "\^\(a\)\\1\$" uses a backreference/) },
        { path: '/properties/b/propertyNames/pattern', message: expect.stringMatching(/^pattern "\^\(\?!admin\)" uses a negative lookahead/) },
        { path: '/patternProperties/(?<=x)y', message: expect.stringMatching(/uses a lookbehind/) },
      ]),
    );
    expect(problems(object({ a: { type: 'string', pattern: '(x{100}){100}' } }))[0]!.message).toMatch(/cannot run on the linear-time engine: .*repeat/);
  });

  it('keeps a string the url format cannot check quickly out of it', () => {
    const validate = compiled({ type: 'string', format: 'url' });
    const { value, ms } = timed(() => validate(`https://a${'::'.repeat(32_000)}..`));
    expect(value).toBe(false);
    expect(ms).toBeLessThan(100);
    expect(validate('https://example.com/a?b=c')).toBe(true);
  });
});

describe('size limits', () => {
  it('checks uniqueItems in time linear in the array, by JSON equality', () => {
    const validate = compiled(object({ a: { type: 'array', uniqueItems: true } }));
    const items = Array.from({ length: 80_000 }, (_, i) => ({ k: i }));
    const { value, ms } = timed(() => validate({ a: items }));
    expect(value).toBe(true);
    expect(ms).toBeLessThan(2000);
    expect(validate({ a: [{ x: 1, y: [1, { z: 2 }] }, { y: [1, { z: 2 }], x: 1 }] })).toBe(false);
    expect(validate.errors?.[0]).toMatchObject({ keyword: 'uniqueItems', instancePath: '/a', params: { i: 1, j: 0 } });
    expect(validate({ a: [1, '1', [1], { 0: 1 }, null, 'null', true, 'true'] })).toBe(true);
    expect(validate({ a: [1, 1.0] })).toBe(false);
  });

  it('refuses an enum of more than the limit, and an error lists only the first values', () => {
    const limit = schemaLimits.maxEnumValues;
    expect(problems({ enum: Array.from({ length: 20_000 }, (_, i) => i) })).toEqual([
      { path: '/enum', message: `an enum may list at most ${limit} values, not 20000` },
    ]);
    const validate = compiled({ enum: Array.from({ length: limit }, (_, i) => i) });
    expect(validate(limit)).toBe(false);
    expect(ajvProblem(validate.errors![0]!).message).toBe(`must be one of 0, 1, 2, 3, 4, 5, 6, 7, 8, 9, … (${limit} allowed values)`);
  });

  it('refuses a schema with more subschemas than the limit', () => {
    const properties = Object.fromEntries(Array.from({ length: schemaLimits.maxSubschemas }, (_, i) => [`p${i}`, { type: 'string' }]));
    expect(problems(object(properties))[0]).toEqual({ path: '', message: expect.stringContaining(`at most ${schemaLimits.maxSubschemas} are allowed`) });
  });

  it('refuses keywords it would otherwise ignore', () => {
    expect(problems({ type: 'string', format: 'date', formatMaximum: '2030-01-01' })).toEqual([{ path: '/formatMaximum', message: '"formatMaximum" is not supported' }]);
  });
});

describe('schemas that would recurse for ever', () => {
  it('refuses $ref loops that never descend into the value, at the $ref that closes them', () => {
    expect(problems({ $ref: '#' })).toEqual([{ path: '/$ref', message: expect.stringMatching(/^leads back to the root schema without looking into the value/) }]);
    const mutual = { definitions: { a: { anyOf: [{ type: 'string' }, { $ref: '#/definitions/b' }] }, b: { not: { $ref: '#/definitions/a' } } }, $ref: '#/definitions/a' };
    expect(problems(mutual)).toEqual([{ path: '/definitions/b/not/$ref', message: expect.stringContaining('leads back to /definitions/a') }]);
    const anchored = { $schema: 'https://json-schema.org/draft/2020-12/schema', $defs: { a: { $anchor: 'self', allOf: [{ $ref: '#self' }] } } };
    expect(problems(anchored)).toEqual([{ path: '/$defs/a/allOf/0/$ref', message: expect.stringContaining('leads back to /$defs/a') }]);
  });

  it('accepts recursion through the data: a tree of nodes', () => {
    const tree = { definitions: { node: object({ name: { type: 'string' }, children: { type: 'array', items: { $ref: '#/definitions/node' } } }) }, $ref: '#/definitions/node' };
    const validate = compiled(tree);
    expect(validate({ name: 'a', children: [{ name: 'b', children: [] }] })).toBe(true);
    expect(validate({ name: 'a', children: [{ name: 1 }] })).toBe(false);
  });

  it('refuses nesting deeper than the limit before anything recursive looks at it', () => {
    let deep = '{}';
    for (let i = 0; i < 8000; i++) deep = `{"not":${deep}}`;
    const found = problems(JSON.parse(deep));
    expect(found).toEqual([{ path: '/not'.repeat(schemaLimits.maxDepth), message: `nested deeper than ${schemaLimits.maxDepth} levels; flatten the schema` }]);
  });
});
