import { describe, expect, it } from 'vitest';
import {
  MAX_SECRET_BYTES,
  MIN_SECRET_LENGTH,
  SECRET_MASK,
  secretPointers,
  secretSchemaProblems,
  secretValueProblem,
  setValueAt,
  splitSecretInputs,
  valueAt,
} from './secrets.js';
import { validateItem } from './validateItem.js';

const secret = { type: 'string', writeOnly: true };
/** Pointers in a stable order: the walk's order is not part of the contract. */
const pointers = (schema: unknown, inputs: unknown) => secretPointers(schema, inputs).sort();

describe('secretPointers', () => {
  it('finds the writeOnly fields of a flat schema, and only those present', () => {
    const schema = { type: 'object', properties: { user: { type: 'string' }, password: secret, token: secret } };
    expect(pointers(schema, { user: 'ada', password: 'hunter22', token: 'abcd' })).toEqual(['/password', '/token']);
    expect(pointers(schema, { user: 'ada', password: 'hunter22' })).toEqual(['/password']);
    expect(pointers(schema, { user: 'ada' })).toEqual([]);
  });

  it('follows nested objects and arrays of objects', () => {
    const schema = {
      type: 'object',
      properties: {
        db: { type: 'object', properties: { host: { type: 'string' }, admin: { type: 'object', properties: { password: secret } } } },
        users: { type: 'array', items: { type: 'object', properties: { name: { type: 'string' }, password: secret } } },
      },
    };
    const inputs = {
      db: { host: 'db1', admin: { password: 'p4ssword' } },
      users: [{ name: 'a', password: 'one1' }, { name: 'b' }, { name: 'c', password: 'three' }],
    };
    expect(pointers(schema, inputs)).toEqual(['/db/admin/password', '/users/0/password', '/users/2/password']);
  });

  it('follows tuples (prefixItems, and draft-07 items arrays with additionalItems)', () => {
    const modern = { type: 'array', prefixItems: [{ type: 'string' }, secret], items: secret };
    expect(pointers({ type: 'object', properties: { t: modern } }, { t: ['a', 'bbbb', 'cccc'] })).toEqual(['/t/1', '/t/2']);
    const draft07 = { type: 'array', items: [secret, { type: 'string' }], additionalItems: secret };
    expect(pointers({ type: 'object', properties: { t: draft07 } }, { t: ['aaaa', 'b', 'cccc'] })).toEqual(['/t/0', '/t/2']);
  });

  it('follows $ref into $defs and definitions', () => {
    const with$defs = {
      type: 'object',
      $defs: { credentials: { type: 'object', properties: { login: { type: 'string' }, password: { $ref: '#/$defs/password' } } }, password: secret },
      properties: { source: { $ref: '#/$defs/credentials' }, target: { $ref: '#/$defs/credentials' } },
    };
    expect(pointers(with$defs, { source: { login: 'a', password: 'aaaa' }, target: { login: 'b', password: 'bbbb' } })).toEqual([
      '/source/password',
      '/target/password',
    ]);
    const withDefinitions = { type: 'object', definitions: { 'api key': secret }, properties: { key: { $ref: '#/definitions/api%20key' } } };
    expect(pointers(withDefinitions, { key: 'abcd' })).toEqual(['/key']);
  });

  it('counts a field secret when only an if/then branch marks it (masking too much is safe)', () => {
    const schema = {
      type: 'object',
      properties: { kind: { enum: ['password', 'none'] }, value: { type: 'string' } },
      if: { properties: { kind: { const: 'password' } } },
      then: { properties: { value: secret } },
      else: { properties: { plain: { type: 'string' } } },
    };
    // Even when the condition does not hold for this value.
    expect(pointers(schema, { kind: 'none', value: 'visible?' })).toEqual(['/value']);
    expect(pointers(schema, { kind: 'password', value: 'hunter22' })).toEqual(['/value']);
  });

  it('counts a field secret when one oneOf/anyOf/allOf branch marks it', () => {
    for (const keyword of ['oneOf', 'anyOf', 'allOf']) {
      const schema = {
        type: 'object',
        [keyword]: [{ properties: { auth: { type: 'string', enum: ['none'] } } }, { properties: { auth: secret } }],
      };
      expect(pointers(schema, { auth: 'none' })).toEqual(['/auth']);
    }
  });

  it('follows dependencies and dependentSchemas, but not `not`', () => {
    const schema = {
      type: 'object',
      properties: { user: { type: 'string' } },
      dependencies: { user: { properties: { password: secret } }, other: ['user'] },
      dependentSchemas: { user: { properties: { pin: secret } } },
      not: { properties: { hidden: secret } },
    };
    expect(pointers(schema, { user: 'a', password: 'pppp', pin: '1234', hidden: 'shown' })).toEqual(['/password', '/pin']);
  });

  it('applies patternProperties to matching keys, anywhere in the key', () => {
    const schema = { type: 'object', patternProperties: { '^secret_': secret, token: secret }, additionalProperties: { type: 'string' } };
    expect(pointers(schema, { secret_a: 'aaaa', my_token_2: 'bbbb', public_a: 'cccc' })).toEqual(['/my_token_2', '/secret_a']);
  });

  it('applies additionalProperties only to keys no properties or pattern names', () => {
    const schema = {
      type: 'object',
      properties: { name: { type: 'string' } },
      patternProperties: { '^x-': { type: 'string' } },
      additionalProperties: secret,
    };
    expect(pointers(schema, { name: 'n', 'x-trace': 't', password: 'pppp', 'a/b~c': 'qqqq' })).toEqual(['/a~1b~0c', '/password']);
    // additionalProperties: true (a boolean schema) marks nothing.
    expect(pointers({ type: 'object', additionalProperties: true }, { password: 'pppp' })).toEqual([]);
  });

  it('produces no pointer for absent values, at any level', () => {
    const schema = {
      type: 'object',
      properties: { db: { type: 'object', properties: { password: secret } }, list: { type: 'array', items: secret } },
    };
    expect(pointers(schema, {})).toEqual([]);
    expect(pointers(schema, { db: {} })).toEqual([]);
    expect(pointers(schema, { list: [] })).toEqual([]);
  });
});

describe('valueAt and setValueAt', () => {
  it('read and write through escaped segments and arrays', () => {
    const doc = { 'a/b': { '~x': ['zero', 'one'] } };
    expect(valueAt(doc, '/a~1b/~0x/1')).toBe('one');
    expect(valueAt(doc, '')).toBe(doc);
    expect(valueAt(doc, '/missing/deeper')).toBeUndefined();
    setValueAt(doc, '/a~1b/~0x/0', 'ZERO');
    expect(doc['a/b']['~x']).toEqual(['ZERO', 'one']);
  });
});

describe('secretPointers on the schemas ajv resolves in other ways', () => {
  const pw = { type: 'string', writeOnly: true };
  const cases: Array<[string, Record<string, unknown>, Record<string, unknown>, string[]]> = [
    ['a 2020-12 $anchor', { $defs: { pw: { $anchor: 'pw', ...pw } }, properties: { p: { $ref: '#pw' } } }, { p: 'hunter22' }, ['/p']],
    ['a draft-07 "$id: #name" anchor', { definitions: { pw: { $id: '#pw', ...pw } }, properties: { p: { $ref: '#pw' } } }, { p: 'hunter22' }, ['/p']],
    ['a ref inside a nested $id resource', { properties: { c: { $id: 'https://x.invalid/c.json', $defs: { pw }, properties: { p: { $ref: '#/$defs/pw' } } } } }, { c: { p: 'hunter22' } }, ['/c/p']],
    ['unevaluatedProperties', { properties: { a: { type: 'string' } }, unevaluatedProperties: pw }, { a: 'x', p: 'hunter22' }, ['/p']],
    ['unevaluatedItems', { properties: { l: { prefixItems: [{ type: 'string' }], unevaluatedItems: pw } } }, { l: ['x', 'hunter22'] }, ['/l/1']],
    ['contains', { properties: { l: { type: 'array', contains: pw } } }, { l: ['hunter22'] }, ['/l/0']],
  ];
  it.each(cases)('finds the secret behind %s', (_label, schema, inputs, pointers) => {
    expect(secretPointers(schema, inputs)).toEqual(pointers);
    expect(JSON.stringify(splitSecretInputs(inputs, pointers).shown)).not.toContain('hunter22');
  });

  it('visits each schema once per value, so shared $refs cannot make it exponential', () => {
    const depth = 30;
    const $defs: Record<string, unknown> = { [`d${depth}`]: { type: 'string' } };
    for (let i = 0; i < depth; i++) $defs[`d${i}`] = { allOf: [{ $ref: `#/$defs/d${i + 1}` }, { $ref: `#/$defs/d${i + 1}` }] };
    // 2^30 visits without the memo (hours: the test times out), a few dozen with it.
    expect(secretPointers({ $defs, properties: { a: { $ref: '#/$defs/d0' } } }, { a: 'x' })).toEqual([]);
  });

  it.each(['not', 'if', 'propertyNames'])('refuses a secret declared under %s at import: no value there reaches the job', (keyword) => {
    const problems = secretSchemaProblems({ type: 'object', [keyword]: { properties: { p: pw } } });
    expect(problems).toEqual([expect.objectContaining({ path: `/${keyword}` })]);
  });
});

describe('splitSecretInputs', () => {
  const schema = {
    type: 'object',
    properties: {
      user: { type: 'string' },
      password: secret,
      servers: { type: 'array', items: { type: 'object', properties: { host: { type: 'string' }, key: secret } } },
    },
  };

  it('masks exactly the secrets in a copy and hands them back by pointer', () => {
    const inputs = { user: 'ada', password: 'hunter22', servers: [{ host: 'a', key: 'key-a' }, { host: 'b' }] };
    const before = structuredClone(inputs);
    const { shown, secrets } = splitSecretInputs(inputs, secretPointers(schema, inputs));
    expect(inputs).toEqual(before);
    expect(shown).toEqual({ user: 'ada', password: SECRET_MASK, servers: [{ host: 'a', key: SECRET_MASK }, { host: 'b' }] });
    expect(secrets).toEqual({ '/password': 'hunter22', '/servers/0/key': 'key-a' });
    expect(JSON.stringify(shown)).not.toMatch(/hunter22|key-a/);
  });

  it('answers the inputs and no secrets when there are none', () => {
    const inputs = { user: 'ada' };
    expect(splitSecretInputs(inputs, secretPointers(schema, inputs))).toEqual({ shown: { user: 'ada' }, secrets: {} });
    expect(inputs).toEqual({ user: 'ada' });
  });
});

describe('secretValueProblem', () => {
  it('refuses values too short to mask, and accepts the minimum', () => {
    expect(MIN_SECRET_LENGTH).toBe(4);
    expect(secretValueProblem('abc')).toMatch(/at least 4 characters/);
    expect(secretValueProblem('')).toMatch(/at least 4 characters/);
    expect(secretValueProblem('abcd')).toBeUndefined();
  });

  it('refuses non-strings', () => {
    for (const value of [1234, null, undefined, ['abcd'], { v: 'abcd' }, true]) expect(secretValueProblem(value)).toBe('a secret must be a string');
  });

  it('refuses more than 64 KiB, counted in UTF-8 bytes', () => {
    expect(MAX_SECRET_BYTES).toBe(64 * 1024);
    expect(secretValueProblem('x'.repeat(MAX_SECRET_BYTES))).toBeUndefined();
    expect(secretValueProblem('x'.repeat(MAX_SECRET_BYTES + 1))).toMatch(/64 KiB/);
    // 2 bytes each in UTF-8: half as many characters reach the limit.
    expect(secretValueProblem('é'.repeat(MAX_SECRET_BYTES / 2 + 1))).toMatch(/64 KiB/);
  });
});

describe('secretSchemaProblems', () => {
  it('accepts a string secret, also in $defs and array items', () => {
    expect(secretSchemaProblems({ type: 'object', properties: { p: secret, list: { type: 'array', items: secret } }, $defs: { k: { type: ['string'], writeOnly: true } } })).toEqual([]);
    expect(secretSchemaProblems({ type: 'object', properties: { p: { type: 'string', writeOnly: false, default: 'x' } } })).toEqual([]);
  });

  it('refuses a secret that is not a string, or that carries a value, naming the keyword', () => {
    const problems = secretSchemaProblems({
      type: 'object',
      properties: {
        pin: { type: 'number', writeOnly: true },
        either: { type: ['string', 'null'], writeOnly: true },
        untyped: { writeOnly: true },
        withDefault: { type: 'string', writeOnly: true, default: 'changeme' },
        withEnum: { type: 'string', writeOnly: true, enum: ['a1b2', 'c3d4'] },
        withConst: { type: 'string', writeOnly: true, const: 'a1b2' },
        withExamples: { type: 'string', writeOnly: true, examples: ['a1b2'] },
      },
      $defs: { nested: { type: 'object', properties: { n: { type: 'integer', writeOnly: true } } } },
    });
    expect(problems.map((p) => p.path).sort()).toEqual(
      [
        '/properties/pin/writeOnly',
        '/properties/either/writeOnly',
        '/properties/untyped/writeOnly',
        '/properties/withDefault/default',
        '/properties/withEnum/enum',
        '/properties/withConst/const',
        '/properties/withExamples/examples',
        '/$defs/nested/properties/n/writeOnly',
      ].sort(),
    );
    expect(problems.find((p) => p.path === '/properties/pin/writeOnly')!.message).toMatch(/"type": "string"/);
    expect(problems.find((p) => p.path === '/properties/withDefault/default')!.message).toMatch(/cannot have "default"/);
  });
});

describe('validateItem with secrets', () => {
  const manifest = (extra = '') =>
    `id: hello\nname: Hello\nversion: 1.0.0\nruntime:\n  image: shelf/runtime-shell:1\n  command: [bash, main.sh]\n${extra}`;
  const schemaWith = (field: object) => JSON.stringify({ type: 'object', properties: { name: { type: 'string' }, field } });
  const problemsOf = (r: ReturnType<typeof validateItem>) => (r.ok ? [] : r.problems);

  it('accepts a string secret input', () => {
    const r = validateItem({ manifestFile: 'manifest.yaml', manifest: manifest(), schema: schemaWith(secret) });
    expect(problemsOf(r)).toEqual([]);
  });

  it.each([
    [{ type: 'number', writeOnly: true }, '/properties/field/writeOnly'],
    [{ type: 'string', writeOnly: true, default: 'changeme' }, '/properties/field/default'],
    [{ type: 'string', writeOnly: true, enum: ['a1b2', 'c3d4'] }, '/properties/field/enum'],
  ])('refuses %j on schema.json at %s', (field, path) => {
    const r = validateItem({ manifestFile: 'manifest.yaml', manifest: manifest(), schema: schemaWith(field) });
    expect(r.ok).toBe(false);
    expect(problemsOf(r)).toContainEqual({ file: 'schema.json', path, message: expect.stringContaining('writeOnly') });
  });

  it('accepts named secrets in the manifest and refuses names not in SCREAMING_SNAKE_CASE', () => {
    const schema = schemaWith({ type: 'string' });
    const ok = validateItem({ manifestFile: 'manifest.yaml', manifest: manifest('secrets: [DB_ADMIN_PASSWORD, API_TOKEN_2]\n'), schema });
    expect(problemsOf(ok)).toEqual([]);
    expect(ok.ok && ok.item.manifest.secrets).toEqual(['DB_ADMIN_PASSWORD', 'API_TOKEN_2']);

    for (const [names, path] of [
      ['[lowercase]', '/secrets/0'],
      ['[DB_PASSWORD, Mixed_Case]', '/secrets/1'],
      ['[A]', '/secrets/0'],
      ['[1ST_KEY]', '/secrets/0'],
      ['[DB-PASSWORD]', '/secrets/0'],
    ] as const) {
      const r = validateItem({ manifestFile: 'manifest.yaml', manifest: manifest(`secrets: ${names}\n`), schema });
      expect(r.ok, names).toBe(false);
      expect(problemsOf(r).map((p) => `${p.file}${p.path}`), names).toContain(`manifest.yaml${path}`);
    }
    const duplicate = validateItem({ manifestFile: 'manifest.yaml', manifest: manifest('secrets: [API_TOKEN, API_TOKEN]\n'), schema });
    expect(duplicate.ok).toBe(false);
  });
});
