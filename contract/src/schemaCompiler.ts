import { Ajv, type AnySchema, type CodeKeywordDefinition, type ErrorObject, type ValidateFunction } from 'ajv';
import { Ajv2020 } from 'ajv/dist/2020.js';
import codegenModule from 'ajv/dist/compile/codegen/code.js';
import { inputFormats } from './inputFormats.js';
import { problemPath } from './inputMessages.js';
import { findRefCycles } from './refCycles.js';
import { patternProblem, re2RegExp } from './regExpEngine.js';
import { nestingProblem, sizeProblems } from './schemaLimits.js';
import { duplicateItems } from './uniqueItems.js';

const draft07 = 'http://json-schema.org/draft-07/schema';
const draft2020 = 'https://json-schema.org/draft/2020-12/schema';

/** The JSON Schema dialects item input schemas may use. */
export type InputDialect = 'draft-07' | '2020-12';

/** Which dialect a schema's `$schema` names (none: draft-07); undefined when it is not supported. */
export function dialectOf(schema: Record<string, unknown>): InputDialect | undefined {
  const declared = schema.$schema;
  if (declared === undefined) return 'draft-07';
  if (typeof declared !== 'string') return undefined;
  const bare = declared.replace(/#$/, '');
  if (bare === draft07 || bare === draft07.replace('http:', 'https:')) return 'draft-07';
  if (bare === draft2020) return '2020-12';
  return undefined;
}

/**
 * The options of every Ajv that checks item inputs — the server's (createAjv) and the one that
 * generates the browser's precompiled validators — so that both decide alike: all errors (the
 * form shows each field's), unknown keywords ignored, formats checked, patterns on RE2 (linear
 * time, whatever the pattern and the input). Without `loadSchema` Ajv never fetches anything.
 */
export const inputAjvOptions = {
  allErrors: true,
  strict: false,
  validateFormats: true,
  code: { regExp: re2RegExp },
} as const;

/** The parts of ajv's code generator (ajv/dist/compile/codegen/code.js) that configureInputAjv needs. */
export type AjvCodegen = Pick<typeof codegenModule, '_' | 'str' | '_Code'>;
type ConfigurableAjv = Pick<Ajv, 'addFormat' | 'addKeyword' | 'removeKeyword' | 'opts'>;

const runtime = (name: string) => `require("@shelf/contract/validatorRuntime").${name}`;

/**
 * Adds Shelf's formats and its linear `uniqueItems` to an Ajv built with inputAjvOptions.
 * `gen` must be the code generator of that Ajv's own copy of ajv: generated code mixes badly
 * across copies. A standalone module of that Ajv imports both from `@shelf/contract/validatorRuntime`.
 */
export function configureInputAjv(ajv: ConfigurableAjv, gen: AjvCodegen): void {
  ajv.opts.code.formats ??= new gen._Code(runtime('inputFormats'));
  for (const [name, format] of Object.entries(inputFormats)) ajv.addFormat(name, format);
  ajv.removeKeyword('uniqueItems');
  ajv.addKeyword(uniqueItemsKeyword(gen));
}

/** ajv's uniqueItems compares every pair of non-scalar items; this one hashes each item once. */
function uniqueItemsKeyword(gen: AjvCodegen): CodeKeywordDefinition {
  const find = Object.assign((items: unknown[]) => duplicateItems(items), { code: runtime('duplicateItems') });
  return {
    keyword: 'uniqueItems',
    type: 'array',
    schemaType: 'boolean',
    error: {
      message: ({ params }) => gen.str`must NOT have duplicate items (items ## ${params.j} and ${params.i} are identical)`,
      params: ({ params }) => gen._`{i: ${params.i}, j: ${params.j}}`,
    },
    code(cxt) {
      if (cxt.schema !== true) return;
      const fn = cxt.gen.scopeValue('func', { ref: find, code: new gen._Code(find.code) });
      const duplicate = cxt.gen.const('duplicate', gen._`${fn}(${cxt.data})`);
      cxt.setParams({ i: gen._`${duplicate}[1]`, j: gen._`${duplicate}[0]` });
      cxt.pass(gen._`${duplicate} === null`);
    },
  };
}

/** An Ajv for item input schemas on the server: inputAjvOptions, with the schema's defaults filled in. */
export function createAjv(dialect: InputDialect = 'draft-07'): Ajv {
  const options = { ...inputAjvOptions, useDefaults: true };
  const ajv = dialect === '2020-12' ? new Ajv2020(options) : new Ajv(options);
  // A CommonJS module: its exports are getters that ESM's named imports do not all see.
  configureInputAjv(ajv, codegenModule);
  return ajv as Ajv;
}

type SchemaProblem = { path: string; message: string };

/** Data, not schemas: patterns and refs inside them mean nothing. */
const dataKeywords = new Set(['enum', 'const', 'default', 'examples']);

/**
 * What makes a schema unsafe to compile or to run, found before ajv sees it: nesting past the
 * limit (checked first, without recursion), size limits, remote `$ref`s, patterns RE2 cannot
 * run, and `$ref` loops that never descend into the value.
 */
export function lintSchema(schema: unknown): SchemaProblem[] {
  const deep = nestingProblem(schema);
  if (deep) return [deep];
  const problems: SchemaProblem[] = [...sizeProblems(schema)];
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
        for (const p of Object.keys(value)) checkPattern(p, `${here}/${p.replace(/~/g, '~0').replace(/\//g, '~1')}`, problems);
      }
      if (!dataKeywords.has(key)) visit(value, here);
    }
  };
  visit(schema, '');
  if (!problems.length) problems.push(...findRefCycles(schema));
  return problems;
}

function checkPattern(pattern: string, path: string, problems: SchemaProblem[]): void {
  const problem = patternProblem(pattern);
  if (problem) problems.push({ path, message: problem });
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
  // Too deep to look at safely: nothing recursive (ajv's meta-schema check included) may see it.
  const deep = nestingProblem(schema);
  if (deep) return { ok: false, problems: [deep] };
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

/** How many allowed values an enum error lists before it says how many there are. */
const listedEnumValues = 10;

/** One Ajv error as a path and a sentence, naming unknown fields. */
export function ajvProblem(e: ErrorObject): { path: string; message: string } {
  if (e.keyword === 'additionalProperties') {
    const field = (e.params as { additionalProperty: string }).additionalProperty;
    return { path: problemPath(e), message: `unknown field "${field}"` };
  }
  if (e.keyword === 'required') {
    const field = (e.params as { missingProperty: string }).missingProperty;
    return { path: problemPath(e), message: `"${field}" is required` };
  }
  if (e.keyword === 'enum') {
    const allowed = (e.params as { allowedValues: unknown[] }).allowedValues;
    const listed = allowed.slice(0, listedEnumValues).map((a) => JSON.stringify(a)).join(', ');
    const more = allowed.length > listedEnumValues ? `, … (${allowed.length} allowed values)` : '';
    return { path: e.instancePath, message: `must be one of ${listed}${more}` };
  }
  return { path: e.instancePath, message: e.message ?? e.keyword };
}
