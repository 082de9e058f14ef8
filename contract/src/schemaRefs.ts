import { childSchemas } from './schemaWalk.js';

interface Node {
  path: string;
  base: string;
}

// Refs are only ever local (lintSchema refuses others); any absolute URL serves as the root's base.
const rootBase = 'https://schema.shelf.invalid/schema.json';

/**
 * Every schema inside a schema document, with its JSON pointer and base URI, and the resolution
 * of local `$ref`s as ajv does it: JSON pointers, `$anchor`/`$dynamicAnchor`, draft-07's
 * `$id: "#name"` anchors, and nested `$id` resources.
 */
export class SchemaIndex {
  private readonly nodes = new Map<object, Node>();
  private readonly resources = new Map<string, object>();
  private readonly anchors = new Map<string, object>();

  constructor(readonly root: unknown) {
    this.resources.set(rootBase, root as object);
    this.index(root, '', rootBase);
  }

  /** Every schema object found so far (refs may add more as they are resolved). */
  get all(): object[] {
    return [...this.nodes.keys()];
  }

  pathOf(node: object): string {
    return this.nodes.get(node)?.path ?? '';
  }

  /** The schema `ref` points to from `from`, or undefined when it points nowhere. */
  resolve(ref: string, from: object): object | undefined {
    const at = this.nodes.get(from);
    const url = resolveUrl(ref, at?.base ?? rootBase);
    if (!url) return undefined;
    const [doc = '', fragment = ''] = url.split('#');
    const resource = this.resources.get(doc);
    if (!resource) return undefined;
    const name = decodeURIComponent(fragment);
    if (!name.startsWith('/') && name !== '') return this.anchors.get(`${doc}#${name}`);
    let target: unknown = resource;
    for (const token of name.split('/').slice(1)) {
      if (typeof target !== 'object' || target === null) return undefined;
      target = (target as Record<string, unknown>)[token.replace(/~1/g, '/').replace(/~0/g, '~')];
    }
    if (typeof target !== 'object' || target === null) return undefined;
    // A ref may point into a place no keyword marks as a schema; it is one now.
    if (!this.nodes.has(target)) this.index(target, `${this.nodes.get(resource)!.path}${name === '' ? '' : name}`, doc);
    return target;
  }

  private index(node: unknown, path: string, base: string): void {
    if (typeof node !== 'object' || node === null || this.nodes.has(node)) return;
    const record = node as Record<string, unknown>;
    if (typeof record.$id === 'string') {
      // draft-07 writes anchors as `$id: "#name"`; otherwise `$id` starts a resource of its own.
      if (record.$id.startsWith('#')) this.anchors.set(`${base}${record.$id}`, node);
      else {
        base = resolveUrl(record.$id, base)?.split('#')[0] ?? base;
        this.resources.set(base, node);
      }
    }
    for (const key of ['$anchor', '$dynamicAnchor']) {
      if (typeof record[key] === 'string') this.anchors.set(`${base}#${record[key] as string}`, node);
    }
    this.nodes.set(node, { path, base });
    for (const child of childSchemas(node)) this.index(child.schema, path + child.path, base);
  }
}

function resolveUrl(ref: string, base: string): string | undefined {
  try {
    return new URL(ref, base).href;
  } catch {
    return undefined;
  }
}
