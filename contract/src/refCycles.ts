import { childSchemas, pointerSegment } from './schemaWalk.js';

type SchemaProblem = { path: string; message: string };

interface Node {
  path: string;
  base: string;
}

// Refs are only ever local (lintSchema refuses others); any absolute URL serves as the root's base.
const rootBase = 'https://schema.shelf.invalid/schema.json';
const refKeywords = ['$ref', '$dynamicRef'];

/**
 * `$ref` loops that come back to a schema without descending into the value (`{"$ref": "#"}`,
 * or `a → allOf → b → $ref a`): ajv follows them for ever on any value, until the stack
 * overflows. Loops through `properties`, `items` and the like are fine — they end with the data.
 * Call after the depth and size checks (this recursion is bounded by them).
 */
export function findRefCycles(schema: unknown): SchemaProblem[] {
  const nodes = new Map<object, Node>();
  const resources = new Map<string, object>();
  const anchors = new Map<string, object>();

  const index = (node: unknown, path: string, base: string): void => {
    if (typeof node !== 'object' || node === null || nodes.has(node)) return;
    const record = node as Record<string, unknown>;
    if (typeof record.$id === 'string') {
      // draft-07 writes anchors as `$id: "#name"`; otherwise `$id` starts a resource of its own.
      if (record.$id.startsWith('#')) anchors.set(`${base}${record.$id}`, node);
      else {
        base = resolveUrl(record.$id, base)?.split('#')[0] ?? base;
        resources.set(base, node);
      }
    }
    for (const key of ['$anchor', '$dynamicAnchor']) {
      if (typeof record[key] === 'string') anchors.set(`${base}#${record[key] as string}`, node);
    }
    nodes.set(node, { path, base });
    for (const child of childSchemas(node)) index(child.schema, path + child.path, base);
  };

  const resolve = (ref: string, from: Node): object | undefined => {
    const url = resolveUrl(ref, from.base);
    if (!url) return undefined;
    const [doc = '', fragment = ''] = url.split('#');
    const resource = resources.get(doc);
    if (!resource) return undefined;
    const name = decodeURIComponent(fragment);
    if (!name.startsWith('/') && name !== '') return anchors.get(`${doc}#${name}`);
    let target: unknown = resource;
    for (const token of name.split('/').slice(1)) {
      if (typeof target !== 'object' || target === null) return undefined;
      target = (target as Record<string, unknown>)[token.replace(/~1/g, '/').replace(/~0/g, '~')];
    }
    if (typeof target !== 'object' || target === null) return undefined;
    // A ref may point into a place no keyword marks as a schema; it is one now.
    if (!nodes.has(target)) index(target, `${nodes.get(resource)!.path}${name === '' ? '' : name}`, doc);
    return target;
  };

  resources.set(rootBase, schema as object);
  index(schema, '', rootBase);

  /** The schemas that check the same value as `node`, with the path of the keyword that leads there. */
  const samePlace = (node: object): Array<{ path: string; target: object }> => {
    const at = nodes.get(node)!;
    const out = childSchemas(node)
      .filter((c) => c.inPlace && typeof c.schema === 'object' && c.schema !== null)
      .map((c) => ({ path: at.path + c.path, target: c.schema as object }));
    for (const key of refKeywords) {
      const ref = (node as Record<string, unknown>)[key];
      const target = typeof ref === 'string' ? resolve(ref, at) : undefined;
      if (target) out.push({ path: at.path + pointerSegment(key), target });
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
        const back = nodes.get(edge.target)!.path || 'the root schema';
        problems.push({ path: edge.path, message: `leads back to ${back} without looking into the value: checking any input would loop for ever` });
      } else if (seen === undefined) visit(edge.target);
    }
    state.set(node, 'done');
  };
  for (const node of [...nodes.keys()]) if (!state.has(node)) visit(node);
  return problems;
}

function resolveUrl(ref: string, base: string): string | undefined {
  try {
    return new URL(ref, base).href;
  } catch {
    return undefined;
  }
}
