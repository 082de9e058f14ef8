import { SchemaIndex } from './schemaRefs.js';
import { childSchemas, pointerSegment } from './schemaWalk.js';

type SchemaProblem = { path: string; message: string };

const refKeywords = ['$ref', '$dynamicRef'];

/**
 * `$ref` loops that come back to a schema without descending into the value (`{"$ref": "#"}`,
 * or `a → allOf → b → $ref a`): ajv follows them for ever on any value, until the stack
 * overflows. Loops through `properties`, `items` and the like are fine — they end with the data.
 * Call after the depth and size checks (this recursion is bounded by them).
 */
export function findRefCycles(schema: unknown): SchemaProblem[] {
  const index = new SchemaIndex(schema);

  /** The schemas that check the same value as `node`, with the path of the keyword that leads there. */
  const samePlace = (node: object): Array<{ path: string; target: object }> => {
    const at = index.pathOf(node);
    const out = childSchemas(node)
      .filter((c) => c.inPlace && typeof c.schema === 'object' && c.schema !== null)
      .map((c) => ({ path: at + c.path, target: c.schema as object }));
    for (const key of refKeywords) {
      const ref = (node as Record<string, unknown>)[key];
      const target = typeof ref === 'string' ? index.resolve(ref, node) : undefined;
      if (target) out.push({ path: at + pointerSegment(key), target });
    }
    return out;
  };

  const problems: SchemaProblem[] = [];
  const state = new Map<object, 'open' | 'done'>();
  const visit = (node: object): void => {
    state.set(node, 'open');
    for (const edge of samePlace(node)) {
      const seen = state.get(edge.target);
      if (seen === 'open') {
        const back = index.pathOf(edge.target) || 'the root schema';
        problems.push({ path: edge.path, message: `leads back to ${back} without looking into the value: checking any input would loop for ever` });
      } else if (seen === undefined) visit(edge.target);
    }
    state.set(node, 'done');
  };
  for (const node of index.all) if (!state.has(node)) visit(node);
  return problems;
}
