import type { Problem } from './errors.js';

/**
 * What job inputs may hold, checked before any schema runs. The API's body limit (1 MB) bounds
 * the bytes; these bound the work: every value is checked against the schema (and with all
 * errors reported, a wrong value can cost several errors), every string may meet a `pattern`
 * or `format`. Items that need more take a file from their bundle or a URL instead.
 */
export const inputLimits = {
  /** Characters of one string (or field name). */
  maxStringLength: 64 * 1024,
  /** Nesting of objects and arrays: deeper than any form goes. */
  maxDepth: 32,
  /** Values in all: every object, array, string, number, boolean and null. */
  maxValues: 10_000,
} as const;

/**
 * Problems with the shape of job inputs that make them too costly to validate at all (at most
 * a few; the walk stops early). Paths are only written out for the problems found.
 */
export function guardInputs(inputs: unknown): Problem[] {
  const problems: Problem[] = [];
  const keys: string[] = [];
  const here = () => keys.map((k) => `/${k.replace(/~/g, '~0').replace(/\//g, '~1')}`).join('');
  const problem = (message: string) => problems.push({ file: 'inputs', path: here(), message });
  let values = 0;
  const visit = (value: unknown, depth: number): void => {
    if (problems.length >= 20) return;
    if (++values > inputLimits.maxValues) {
      if (values === inputLimits.maxValues + 1) problems.push({ file: 'inputs', path: '', message: `more than ${inputLimits.maxValues} values are not accepted` });
      return;
    }
    if (typeof value === 'string') {
      if (value.length > inputLimits.maxStringLength) problem(`text longer than ${inputLimits.maxStringLength} characters is not accepted`);
      return;
    }
    if (typeof value !== 'object' || value === null) return;
    if (depth > inputLimits.maxDepth) {
      problem(`nested deeper than ${inputLimits.maxDepth} levels`);
      return;
    }
    // Walked without copying keys or entries: the walk stops at the limit, whatever the size.
    const step = (key: string, child: unknown): boolean => {
      // patternProperties and propertyNames run over field names too.
      if (key.length > inputLimits.maxStringLength) problem('a field name is too long');
      else {
        keys.push(key);
        visit(child, depth + 1);
        keys.pop();
      }
      return values <= inputLimits.maxValues && problems.length < 20;
    };
    if (Array.isArray(value)) {
      for (let i = 0; i < value.length; i++) if (!step(String(i), value[i])) return;
      return;
    }
    for (const key in value) {
      if (Object.hasOwn(value, key) && !step(key, (value as Record<string, unknown>)[key])) return;
    }
  };
  visit(inputs, 0);
  return problems;
}
