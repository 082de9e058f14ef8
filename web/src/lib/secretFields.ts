import type { RJSFSchema, SchemaUtilsType } from '@rjsf/utils';
import { SECRET_MASK } from '@shelf/contract';

type Inputs = Record<string, unknown>;
type Json = Record<string, unknown>;

const isObject = (v: unknown): v is Json => typeof v === 'object' && v !== null && !Array.isArray(v);
const segment = (key: string | number) => `/${String(key).replace(/~/g, '~0').replace(/\//g, '~1')}`;
const segments = (pointer: string) => (pointer === '' ? [] : pointer.slice(1).split('/').map((s) => s.replace(/~1/g, '/').replace(/~0/g, '~')));

function matches(pattern: string, key: string): boolean {
  try {
    return new RegExp(pattern, 'u').test(key);
  } catch {
    return true; // a pattern this browser cannot read: count the key as matching (masking too much is safe)
  }
}

/**
 * The JSON pointers of the secret (`writeOnly`) values in `inputs`, as the form sees the schema:
 * RJSF resolves `$ref`s, `allOf`, dependencies and `if`/`then`/`else` for the data at hand, which
 * is what makes a field a password field. Every option of an `anyOf`/`oneOf` is followed, so a
 * value secret in any of them counts as secret: a copy that hides too much is safe, too little is
 * not. (The server's secretPointers in contract follows every branch too, with an RE2 engine for
 * patterns that would weigh down the item page.)
 */
export function secretPointers(utils: SchemaUtilsType, inputs: Inputs): string[] {
  const found = new Set<string>();
  const walk = (schema: unknown, value: unknown, pointer: string, depth: number): void => {
    if (value === undefined || !isObject(schema) || depth > 64) return;
    let node: RJSFSchema;
    try {
      node = utils.retrieveSchema(schema as RJSFSchema, value);
    } catch {
      node = schema as RJSFSchema;
    }
    if (node.writeOnly === true) {
      found.add(pointer);
      return;
    }
    for (const option of [...(node.anyOf ?? []), ...(node.oneOf ?? [])]) walk(option, value, pointer, depth + 1);
    if (isObject(value)) {
      for (const [key, item] of Object.entries(value)) {
        const here = pointer + segment(key);
        const named = [node.properties?.[key], ...Object.entries(node.patternProperties ?? {}).filter(([p]) => matches(p, key)).map(([, s]) => s)].filter(
          (s) => s !== undefined,
        );
        for (const sub of named.length ? named : [node.additionalProperties]) walk(sub, item, here, depth + 1);
      }
    } else if (Array.isArray(value)) {
      const tuple = (node as { prefixItems?: unknown[] }).prefixItems ?? (Array.isArray(node.items) ? node.items : undefined);
      const rest = tuple ? (Array.isArray(node.items) ? node.additionalItems : node.items) : node.items;
      value.forEach((item, i) => walk(tuple && i < tuple.length ? tuple[i] : rest, item, pointer + segment(i), depth + 1));
    }
  };
  walk(utils.getRootSchema(), inputs, '', 0);
  return [...found];
}

/** What a download or a copied command holds instead of a secret: `<secret: ownerPassword>`. */
export const secretPlaceholder = (pointer: string): string => `<secret: ${segments(pointer).join('/')}>`;

/** A value that stands for a secret without being one: the API's mask, or a placeholder of ours. */
export const isSecretStandIn = (value: unknown): boolean => value === SECRET_MASK || (typeof value === 'string' && /^<secret: .*>$/s.test(value));

/** Applies `change` to the value at each pointer of a copy of `inputs`: `undefined` removes it. */
function rewrite(inputs: Inputs, pointers: string[], change: (pointer: string) => unknown): Inputs {
  if (!pointers.length) return inputs;
  const copy = structuredClone(inputs);
  for (const pointer of pointers) {
    const keys = segments(pointer);
    const last = keys.pop();
    let parent: unknown = copy;
    for (const key of keys) parent = Array.isArray(parent) ? parent[Number(key)] : isObject(parent) ? parent[key] : undefined;
    if (last === undefined) continue;
    const value = change(pointer);
    // An array keeps its length: a secret in a list becomes null rather than moving the others up.
    if (Array.isArray(parent)) parent[Number(last)] = value ?? null;
    else if (isObject(parent)) {
      if (value === undefined) delete parent[last];
      else parent[last] = value;
    }
  }
  return copy;
}

/** The inputs with every secret replaced by its placeholder: what downloads and copied commands hold. */
export const redactSecrets = (utils: SchemaUtilsType, inputs: Inputs): Inputs => rewrite(inputs, secretPointers(utils, inputs), secretPlaceholder);

/** The inputs without their secrets: what a preset keeps. */
export const dropSecrets = (utils: SchemaUtilsType, inputs: Inputs): Inputs => rewrite(inputs, secretPointers(utils, inputs), () => undefined);

/** The secret fields of `inputs` that hold a stand-in (a mask or a placeholder): they must be entered again. */
export const standInPointers = (utils: SchemaUtilsType, inputs: Inputs): string[] =>
  secretPointers(utils, inputs).filter((pointer) => isSecretStandIn(valueAtPointer(inputs, pointer)));

/** The inputs with those stand-ins removed, so their fields are empty. */
export const dropStandIns = (utils: SchemaUtilsType, inputs: Inputs): Inputs => rewrite(inputs, standInPointers(utils, inputs), () => undefined);

/** The inputs with every secret shown as the API shows it (`********`), for comparing with a job's. */
export const maskSecrets = (utils: SchemaUtilsType, inputs: Inputs): Inputs => rewrite(inputs, secretPointers(utils, inputs), () => SECRET_MASK);

function valueAtPointer(doc: unknown, pointer: string): unknown {
  let node = doc;
  for (const key of segments(pointer)) node = Array.isArray(node) ? node[Number(key)] : isObject(node) ? node[key] : undefined;
  return node;
}
