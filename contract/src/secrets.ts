import { RE2JS } from 're2js';
import type { Problem } from './errors.js';
import { toRe2Syntax } from './jsToRe2.js';
import { SchemaIndex } from './schemaRefs.js';
import { childSchemas, pointerSegment } from './schemaWalk.js';

/** What every answer, event and page shows instead of a secret value (SPEC §10). */
export const SECRET_MASK = '********';
/** Shorter values would turn half the log into asterisks, so they cannot be masked safely and are refused as secrets. */
export const MIN_SECRET_LENGTH = 4;
/** The most one secret (an input or a named secret) may weigh: a key or a certificate, not a data set. */
export const MAX_SECRET_BYTES = 64 * 1024;
/** A named secret's name: what the job reads at /run/secrets/NAME. */
export const secretNamePattern = '^[A-Z][A-Z0-9_]{1,63}$';
/** Why `value` cannot be a secret, or undefined when it can. */
export function secretValueProblem(value: unknown): string | undefined {
  if (typeof value !== 'string') return 'a secret must be a string';
  if (value === SECRET_MASK) return `"${SECRET_MASK}" is how Shelf shows a secret, not a secret: enter the value itself`;
  if (value.length < MIN_SECRET_LENGTH) {
    return `a secret must be at least ${MIN_SECRET_LENGTH} characters: a shorter value cannot be masked safely in logs and outputs`;
  }
  if (new TextEncoder().encode(value).length > MAX_SECRET_BYTES) return `a secret may weigh at most ${MAX_SECRET_BYTES / 1024} KiB`;
  return undefined;
}

/** A named secret as the API lists it: never the value. */
export interface NamedSecret {
  name: string;
  description: string;
  /** The item ids whose jobs may read it. */
  items: string[];
  createdAt: string;
  createdBy: string;
  updatedAt: string;
  updatedBy: string;
  /** When the value last changed (creation counts). */
  rotatedAt: string;
  rotatedBy: string;
}

type Json = Record<string, unknown>;
const isObject = (v: unknown): v is Json => typeof v === 'object' && v !== null && !Array.isArray(v);
const refKeywords = ['$ref', '$dynamicRef'];

/**
 * The JSON pointers of the values in `inputs` that the schema marks `writeOnly` (secret inputs).
 * Every branch that may apply is followed (allOf/anyOf/oneOf, if/then/else, dependencies), so a
 * value that is secret in any of them counts as secret: masking too much is safe, too little is not.
 * Each (schema, value) pair is visited once, so shared `$ref`s cost no more than the schema's size
 * times the number of values. Refs resolve as ajv resolves them (pointers, anchors, nested `$id`).
 */
export function secretPointers(schema: unknown, inputs: unknown): string[] {
  const found = new Set<string>();
  const index = new SchemaIndex(schema);
  const visited = new WeakMap<object, Set<string>>();
  const walk = (node: unknown, value: unknown, pointer: string): void => {
    if (!isObject(node) || value === undefined) return;
    let seen = visited.get(node);
    if (!seen) visited.set(node, (seen = new Set()));
    if (seen.has(pointer)) return;
    seen.add(pointer);
    for (const key of refKeywords) {
      if (typeof node[key] === 'string') walk(index.resolve(node[key], node), value, pointer);
    }
    if (node.writeOnly === true) {
      found.add(pointer);
      return;
    }
    for (const child of childSchemas(node)) {
      if (child.inPlace && !child.path.startsWith('/not')) walk(child.schema, value, pointer);
    }
    if (isObject(value)) {
      const props = isObject(node.properties) ? node.properties : {};
      const patterns = isObject(node.patternProperties) ? Object.entries(node.patternProperties) : [];
      for (const [key, item] of Object.entries(value)) {
        const here = pointer + pointerSegment(key);
        let named = false;
        if (Object.hasOwn(props, key)) {
          named = true;
          walk(props[key], item, here);
        }
        for (const [pattern, sub] of patterns) {
          if (matchesPattern(pattern, key)) {
            named = true;
            walk(sub, item, here);
          }
        }
        // unevaluatedProperties may also see keys a sibling subschema named: walking it for the unnamed ones here and
        // following every in-place subschema above covers what it can apply to.
        if (!named) {
          walk(node.additionalProperties, item, here);
          walk(node.unevaluatedProperties, item, here);
        }
      }
    } else if (Array.isArray(value)) {
      const tuple = Array.isArray(node.prefixItems) ? node.prefixItems : Array.isArray(node.items) ? node.items : undefined;
      const rest = tuple ? (Array.isArray(node.items) ? node.additionalItems : node.items) : node.items;
      value.forEach((item, i) => {
        const here = pointer + pointerSegment(i);
        walk(tuple && i < tuple.length ? tuple[i] : rest, item, here);
        walk(node.contains, item, here);
        if (!tuple || i >= tuple.length) walk(node.unevaluatedItems, item, here);
      });
    }
  };
  walk(schema, inputs, '');
  return [...found];
}

function matchesPattern(pattern: string, key: string): boolean {
  const translated = toRe2Syntax(pattern);
  if (!translated.ok) return true; // refused at import; treat as matching (masking too much is safe)
  return RE2JS.compile(translated.source).test(key);
}

/** The value at `pointer`, or undefined. */
export function valueAt(doc: unknown, pointer: string): unknown {
  let node = doc;
  for (const key of parsePointer(pointer)) {
    if (Array.isArray(node)) node = node[Number(key)];
    else if (isObject(node)) node = node[key];
    else return undefined;
  }
  return node;
}

/** Sets the value at `pointer` in place; the parents must exist. */
export function setValueAt(doc: unknown, pointer: string, value: unknown): void {
  const keys = parsePointer(pointer);
  const last = keys.pop();
  if (last === undefined) return;
  const parent = valueAt(doc, keys.map((k) => pointerSegment(k)).join(''));
  if (Array.isArray(parent)) parent[Number(last)] = value;
  else if (isObject(parent)) parent[last] = value;
}

function parsePointer(pointer: string): string[] {
  return pointer === '' ? [] : pointer.slice(1).split('/').map((s) => s.replace(/~1/g, '/').replace(/~0/g, '~'));
}

/**
 * Splits validated inputs into what may be stored and shown (each secret, found by
 * {@link secretPointers}, replaced by {@link SECRET_MASK}) and the secrets themselves, by JSON pointer.
 */
export function splitSecretInputs(inputs: Json, pointers: readonly string[]): { shown: Json; secrets: Record<string, unknown> } {
  if (pointers.length === 0) return { shown: inputs, secrets: {} };
  const shown = structuredClone(inputs);
  const secrets: Record<string, unknown> = {};
  for (const pointer of pointers) {
    secrets[pointer] = valueAt(inputs, pointer);
    setValueAt(shown, pointer, SECRET_MASK);
  }
  return { shown, secrets };
}

/** Where a secret input may not be declared: keywords that never hand a value to the job, so nothing could be masked. */
const noSecretsUnder = ['/not', '/propertyNames', '/contentSchema', '/if'];

/**
 * Import-time rules for `writeOnly` in an input schema: a secret input is a string (so it can be
 * masked) and carries no value in the schema, which anyone who can see the item can read.
 */
export function secretSchemaProblems(schema: unknown): Omit<Problem, 'file'>[] {
  const problems: Omit<Problem, 'file'>[] = [];
  const visit = (node: unknown, path: string, depth: number) => {
    if (!isObject(node) || depth > 200) return;
    if (node.writeOnly === true) {
      const type = node.type;
      if (!(type === 'string' || (Array.isArray(type) && type.length === 1 && type[0] === 'string'))) {
        problems.push({ path: `${path}/writeOnly`, message: 'a secret input (writeOnly) must have "type": "string", so its value can be masked in logs' });
      }
      for (const key of ['default', 'const', 'enum', 'examples']) {
        if (key in node) problems.push({ path: `${path}/${key}`, message: `a secret input (writeOnly) cannot have "${key}": the schema is readable by everyone who can see the item` });
      }
    }
    for (const child of childSchemas(node)) {
      if (noSecretsUnder.some((k) => child.path === k || child.path.startsWith(`${k}/`)) && declaresSecret(child.schema)) {
        problems.push({ path: path + child.path, message: `a secret input (writeOnly) cannot be declared under "${child.path.split('/')[1]}": no value there reaches the job` });
      } else visit(child.schema, path + child.path, depth + 1);
    }
  };
  visit(schema, '', 0);
  return problems;
}

function declaresSecret(node: unknown, depth = 0): boolean {
  if (!isObject(node) || depth > 200) return false;
  return node.writeOnly === true || childSchemas(node).some((c) => declaresSecret(c.schema, depth + 1));
}
