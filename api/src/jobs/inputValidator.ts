import type { ValidateFunction } from 'ajv';
import { ajvProblem, compileInputSchema, type Problem, type VersionRecord } from '@shelf/contract';
import { ValidationError } from '../errors.js';

/**
 * Input strings longer than this are refused before the schema runs. The body limit (1 MB)
 * bounds the total; this bounds what any single `pattern` or `format` regex has to scan, on
 * top of the import-time check that refuses patterns with nested repetition. Items needing
 * bigger text inputs should take a file from the bundle or a URL instead.
 */
export const maxInputStringLength = 64 * 1024;
/** Deeper nesting than any form produces; stops recursion-heavy inputs early. */
export const maxInputDepth = 32;

/**
 * Checks job inputs against a version's input schema, the same schema the form uses, with
 * defaults applied. Compiled validators are cached per bundle digest (versions are immutable),
 * least recently used first out.
 */
export class InputValidator {
  private readonly cache = new Map<string, ValidateFunction>();

  constructor(private readonly capacity = 200) {}

  /** The inputs with the schema's defaults filled in; 422 listing every problem otherwise. */
  validate(version: VersionRecord, inputs: Record<string, unknown>): Record<string, unknown> {
    const guard = guardInputs(inputs);
    if (guard.length) throw new ValidationError('the inputs are too large or too deeply nested', guard);
    const validate = this.validator(version);
    // Ajv's useDefaults writes into the value it checks; keep the caller's object untouched.
    const copy = structuredClone(inputs);
    if (!validate(copy)) {
      const problems = (validate.errors ?? []).map((e) => ({ file: 'inputs', ...ajvProblem(e) }));
      throw new ValidationError(`the inputs do not match the input schema of ${version.id}@${version.version}`, problems);
    }
    return copy;
  }

  private validator(version: VersionRecord): ValidateFunction {
    const cached = this.cache.get(version.digest);
    if (cached) {
      this.cache.delete(version.digest);
      this.cache.set(version.digest, cached);
      return cached;
    }
    const compiled = compileInputSchema(version.schema);
    if (!compiled.ok) {
      // Imports refuse such schemas, so this is a record written by something else.
      throw new ValidationError(
        `the stored input schema of ${version.id}@${version.version} cannot be used`,
        compiled.problems.map((p) => ({ file: 'schema.json', ...p })),
      );
    }
    this.cache.set(version.digest, compiled.validate);
    if (this.cache.size > this.capacity) this.cache.delete(this.cache.keys().next().value!);
    return compiled.validate;
  }
}

/** Problems with the shape of the inputs that make them unsafe to validate at all. */
export function guardInputs(inputs: unknown): Problem[] {
  const problems: Problem[] = [];
  const visit = (value: unknown, path: string, depth: number): void => {
    if (problems.length >= 20) return;
    if (typeof value === 'string') {
      if (value.length > maxInputStringLength) {
        problems.push({ file: 'inputs', path, message: `text longer than ${maxInputStringLength} characters is not accepted` });
      }
      return;
    }
    if (typeof value !== 'object' || value === null) return;
    if (depth > maxInputDepth) {
      problems.push({ file: 'inputs', path, message: `nested deeper than ${maxInputDepth} levels` });
      return;
    }
    for (const [key, child] of Object.entries(value)) {
      const here = `${path}/${key.replace(/~/g, '~0').replace(/\//g, '~1')}`;
      // patternProperties and propertyNames run regexes over keys too.
      if (key.length > maxInputStringLength) problems.push({ file: 'inputs', path, message: 'a field name is too long' });
      else visit(child, here, depth + 1);
    }
  };
  visit(inputs, '', 0);
  return problems;
}
