import { childSchemas } from './schemaWalk.js';

type SchemaProblem = { path: string; message: string };

/** How big and deep an input schema may be: enough for any form, small enough to compile in well under a second. */
export const schemaLimits = {
  /** JSON nesting of schema.json (32 levels of nested object fields). */
  maxDepth: 64,
  /** Schemas in schema.json, the root and every property, item and branch. */
  maxSubschemas: 1000,
  /** Values of one `enum`. */
  maxEnumValues: 1000,
} as const;

/** Keywords of ajv-formats that Shelf does not evaluate; refused rather than silently ignored. */
const unsupported = ['formatMinimum', 'formatMaximum', 'formatExclusiveMinimum', 'formatExclusiveMaximum'];

/**
 * The first place `value` nests deeper than the limit, found without recursion, so that a
 * document of 100,000 nested `not`s is refused before anything recursive looks at it.
 */
export function nestingProblem(value: unknown, maxDepth: number = schemaLimits.maxDepth): SchemaProblem | undefined {
  const stack: Array<{ value: unknown; path: string; depth: number }> = [{ value, path: '', depth: 0 }];
  while (stack.length) {
    const { value: node, path, depth } = stack.pop()!;
    if (typeof node !== 'object' || node === null) continue;
    if (depth >= maxDepth) return { path, message: `nested deeper than ${maxDepth} levels; flatten the schema` };
    for (const [key, child] of Object.entries(node)) stack.push({ value: child, path: `${path}/${key.replace(/~/g, '~0').replace(/\//g, '~1')}`, depth: depth + 1 });
  }
  return undefined;
}

/** Size limits and unsupported keywords; call after nestingProblem said the depth is fine. */
export function sizeProblems(schema: unknown): SchemaProblem[] {
  const problems: SchemaProblem[] = [];
  let count = 0;
  const visit = (node: unknown, path: string): void => {
    count++;
    if (typeof node !== 'object' || node === null) return;
    const record = node as Record<string, unknown>;
    if (Array.isArray(record.enum) && record.enum.length > schemaLimits.maxEnumValues) {
      problems.push({ path: `${path}/enum`, message: `an enum may list at most ${schemaLimits.maxEnumValues} values, not ${record.enum.length}` });
    }
    for (const key of unsupported) {
      if (key in record) problems.push({ path: `${path}/${key}`, message: `"${key}" is not supported` });
    }
    for (const child of childSchemas(node)) visit(child.schema, path + child.path);
  };
  visit(schema, '');
  if (count > schemaLimits.maxSubschemas) {
    problems.unshift({ path: '', message: `the schema has ${count} subschemas; at most ${schemaLimits.maxSubschemas} are allowed` });
  }
  return problems;
}
