import { Ajv, type AnySchema, type ErrorObject, type ValidateFunction } from 'ajv';
import { Ajv2020 } from 'ajv/dist/2020.js';
import addFormatsModule from 'ajv-formats';
import safeRegex from 'safe-regex2';

// ajv-formats is CommonJS; its default export arrives wrapped under some loaders.
const addFormats = ((addFormatsModule as unknown as { default?: unknown }).default ?? addFormatsModule) as (ajv: Ajv) => Ajv;

const draft07 = 'http://json-schema.org/draft-07/schema';
const draft2020 = 'https://json-schema.org/draft/2020-12/schema';

/** Which Ajv understands a schema's `$schema`; undefined when the dialect is not supported. */
function dialectOf(schema: Record<string, unknown>): 'draft-07' | '2020-12' | undefined {
  const declared = schema.$schema;
  if (declared === undefined) return 'draft-07';
  if (typeof declared !== 'string') return undefined;
  const bare = declared.replace(/#$/, '');
  if (bare === draft07 || bare === draft07.replace('http:', 'https:')) return 'draft-07';
  if (bare === draft2020) return '2020-12';
  return undefined;
}

/** Builds an Ajv for item input schemas: all errors, formats, defaults, no network ever. */
export function createAjv(dialect: 'draft-07' | '2020-12' = 'draft-07'): Ajv {
  const options = {
    allErrors: true,
    strict: false,
    useDefaults: true,
    // Without loadSchema Ajv cannot fetch anything: an unresolved $ref fails compilation.
    validateFormats: true,
  } as const;
  const ajv = dialect === '2020-12' ? new Ajv2020(options) : new Ajv(options);
  addFormats(ajv);
  return ajv as Ajv;
}

/** Problems a schema has before compilation: remote `$ref`s and patterns that could backtrack forever. */
export function lintSchema(schema: unknown): { path: string; message: string }[] {
  const problems: { path: string; message: string }[] = [];
  const visit = (node: unknown, path: string): void => {
    if (Array.isArray(node)) {
      node.forEach((child, i) => visit(child, `${path}/${i}`));
      return;
    }
    if (typeof node !== 'object' || node === null) return;
    for (const [key, value] of Object.entries(node)) {
      const here = `${path}/${key.replace(/~/g, '~0').replace(/\//g, '~1')}`;
      if ((key === '$ref' || key === '$dynamicRef') && typeof value === 'string' && !value.startsWith('#')) {
        problems.push({ path: here, message: `only local references (starting with #) are allowed, not "${value}"` });
      }
      if (key === 'pattern' && typeof value === 'string') checkPattern(value, here, problems);
      if (key === 'patternProperties' && typeof value === 'object' && value !== null) {
        for (const p of Object.keys(value)) checkPattern(p, here, problems);
      }
      visit(value, here);
    }
  };
  visit(schema, '');
  return problems;
}

function checkPattern(pattern: string, path: string, problems: { path: string; message: string }[]): void {
  try {
    new RegExp(pattern, 'u');
  } catch (err) {
    problems.push({ path, message: `invalid regular expression: ${(err as Error).message}` });
    return;
  }
  if (!safeRegex(pattern)) {
    problems.push({ path, message: `pattern "${pattern}" may take exponential time (nested repetition); simplify it` });
  }
}

export type CompileResult =
  | { ok: true; validate: ValidateFunction }
  | { ok: false; problems: { path: string; message: string }[] };

/** Compiles an item's input schema, refusing what would be unsafe to evaluate on the server. */
export function compileInputSchema(schema: unknown): CompileResult {
  if (typeof schema !== 'object' || schema === null || Array.isArray(schema)) {
    return { ok: false, problems: [{ path: '', message: 'the input schema must be a JSON object' }] };
  }
  const dialect = dialectOf(schema as Record<string, unknown>);
  if (!dialect) {
    return {
      ok: false,
      problems: [{ path: '/$schema', message: 'unsupported $schema: use draft-07 or draft 2020-12' }],
    };
  }
  const lint = lintSchema(schema);
  const ajv = createAjv(dialect);
  if (lint.length) {
    // Compiling would trip over the same refs and patterns; the meta-schema check still finds the rest.
    const shape = ajv.validateSchema(schema as AnySchema) ? [] : ((ajv.errors ?? []) as ErrorObject[]).map(ajvProblem);
    return { ok: false, problems: [...lint, ...shape] };
  }
  try {
    return { ok: true, validate: ajv.compile(schema as AnySchema) };
  } catch (err) {
    const errors = (ajv.errors ?? []) as ErrorObject[];
    if (errors.length) return { ok: false, problems: errors.map(ajvProblem) };
    return { ok: false, problems: [{ path: '', message: `not a valid JSON Schema: ${(err as Error).message}` }] };
  }
}

/** One Ajv error as a path and a sentence, naming unknown fields. */
export function ajvProblem(e: ErrorObject): { path: string; message: string } {
  if (e.keyword === 'additionalProperties') {
    const field = (e.params as { additionalProperty: string }).additionalProperty;
    return { path: `${e.instancePath}/${field}`, message: `unknown field "${field}"` };
  }
  if (e.keyword === 'required') {
    const field = (e.params as { missingProperty: string }).missingProperty;
    return { path: `${e.instancePath}/${field}`, message: `"${field}" is required` };
  }
  if (e.keyword === 'enum') {
    const allowed = (e.params as { allowedValues: unknown[] }).allowedValues;
    return { path: e.instancePath, message: `must be one of ${allowed.map((a) => JSON.stringify(a)).join(', ')}` };
  }
  return { path: e.instancePath, message: e.message ?? e.keyword };
}
