import type { ErrorObject } from 'ajv';

// No ajv at run time here: the web app imports these messages too.

/** What a message needs of a validation error: ajv's keyword and params (the browser's RJSF errors carry the same). */
export interface InputError {
  keyword: string;
  params: Record<string, unknown>;
  message?: string;
}

/** How many allowed values a message lists before it says how many there are. */
const listedValues = 10;

const typeNames: Record<string, string> = {
  string: 'text',
  number: 'a number',
  integer: 'a whole number',
  boolean: 'true or false',
  array: 'a list',
  object: 'a group of fields',
  null: 'empty',
};

const formatNames: Record<string, string> = {
  email: 'an email address',
  uri: 'a full URL (https://…)',
  'uri-reference': 'a URL',
  url: 'a full URL (https://…)',
  date: 'a date (YYYY-MM-DD)',
  'date-time': 'a date and time (YYYY-MM-DDTHH:MM:SSZ)',
  time: 'a time (HH:MM:SS)',
  hostname: 'a host name',
  ipv4: 'an IPv4 address',
  ipv6: 'an IPv6 address',
  uuid: 'a UUID',
};

const shown = (v: unknown) => (typeof v === 'object' && v !== null ? JSON.stringify(v) : String(v));

function oneOfValues(values: unknown[]): string {
  if (values.length === 1) return `must be ${shown(values[0])}`;
  const listed = values.slice(0, listedValues).map(shown).join(', ');
  return `must be one of: ${listed}${values.length > listedValues ? `, … (${values.length} allowed values)` : ''}`;
}

const plural = (n: unknown, word: string) => `${shown(n)} ${word}${n === 1 ? '' : 's'}`;

/**
 * The sentence a user reads for one validation error of an item's inputs, naming the field by
 * `label` (its title). The one place these sentences are made: the form shows them under each
 * field and in its summary, and POST /api/jobs answers them in its 422 problems.
 */
export function inputErrorMessage(error: InputError, label: string): string {
  const p = error.params;
  switch (error.keyword) {
    case 'required':
    case 'dependencies':
    case 'dependentRequired':
      return `${label} is required`;
    case 'additionalProperties':
      return `unknown field "${shown(p.additionalProperty)}"`;
    case 'pattern':
      return `${label} doesn't match the expected format`;
    case 'format':
      return `${label} must be ${formatNames[String(p.format)] ?? `in the ${shown(p.format)} format`}`;
    case 'enum':
      return `${label} ${oneOfValues((p.allowedValues as unknown[] | undefined) ?? [])}`;
    case 'const':
      return `${label} must be ${shown(p.allowedValue)}`;
    case 'type':
      return `${label} must be ${String(p.type).split(',').map((t) => typeNames[t] ?? t).join(' or ')}`;
    case 'minimum':
      return `${label} must be at least ${shown(p.limit)}`;
    case 'maximum':
      return `${label} must be at most ${shown(p.limit)}`;
    case 'exclusiveMinimum':
      return `${label} must be more than ${shown(p.limit)}`;
    case 'exclusiveMaximum':
      return `${label} must be less than ${shown(p.limit)}`;
    case 'multipleOf':
      return `${label} must be a multiple of ${shown(p.multipleOf)}`;
    case 'minLength':
      return p.limit === 1 ? `${label} must not be empty` : `${label} must be at least ${plural(p.limit, 'character')}`;
    case 'maxLength':
      return `${label} must be at most ${plural(p.limit, 'character')}`;
    case 'minItems':
      return `${label} needs at least ${plural(p.limit, 'item')}`;
    case 'maxItems':
      return `${label} can have at most ${plural(p.limit, 'item')}`;
    case 'uniqueItems':
      return `${label} must not repeat an item`;
    case 'oneOf':
    case 'anyOf':
      return `${label} must match one of the allowed shapes`;
    default:
      return `${label} ${error.message ?? `fails the "${error.keyword}" rule`}`;
  }
}

const isSchema = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

/** The subschemas that apply alongside `node` to the same value: its compositions, branches and local `$ref`. */
function sameValueSchemas(root: Record<string, unknown>, node: Record<string, unknown>): Record<string, unknown>[] {
  const out: Record<string, unknown>[] = [];
  for (const key of ['allOf', 'anyOf', 'oneOf']) if (Array.isArray(node[key])) out.push(...(node[key] as unknown[]).filter(isSchema));
  for (const key of ['then', 'else']) if (isSchema(node[key])) out.push(node[key]);
  for (const key of ['dependencies', 'dependentSchemas']) if (isSchema(node[key])) out.push(...Object.values(node[key]).filter(isSchema));
  if (typeof node.$ref === 'string' && node.$ref.startsWith('#/')) {
    let target: unknown = root;
    for (const s of node.$ref.slice(2).split('/')) target = isSchema(target) ? target[s.replace(/~1/g, '/').replace(/~0/g, '~')] : undefined;
    if (isSchema(target)) out.push(target);
  }
  return out;
}

/**
 * The title the schema gives the field at `pointer` (`/users/0/name`), looking through `allOf`,
 * `if`/`then`/`else`, `oneOf`/`anyOf`, `dependencies` and local `$ref`s, where conditional fields live.
 */
export function fieldTitle(schema: unknown, pointer: string): string | undefined {
  if (!isSchema(schema)) return undefined;
  const segments = pointer.split('/').slice(1).map((s) => s.replace(/~1/g, '/').replace(/~0/g, '~'));
  let level = withSameValue(schema, [schema]);
  for (const segment of segments) {
    const next: Record<string, unknown>[] = [];
    for (const node of level) {
      const child = isSchema(node.properties)
        ? node.properties[segment]
        : /^\d+$/.test(segment)
          ? Array.isArray(node.prefixItems) ? node.prefixItems[Number(segment)] : node.items
          : undefined;
      if (isSchema(child)) next.push(child);
    }
    level = withSameValue(schema, next);
  }
  return level.map((node) => node.title).find((t): t is string => typeof t === 'string' && t !== '');
}

/** `nodes` and every schema that applies with them to the same value, each once (a `$ref` loop ends). */
function withSameValue(root: Record<string, unknown>, nodes: Record<string, unknown>[]): Record<string, unknown>[] {
  const seen = new Set<Record<string, unknown>>();
  const queue = [...nodes];
  while (queue.length && seen.size < 1000) {
    const node = queue.shift()!;
    if (seen.has(node)) continue;
    seen.add(node);
    queue.push(...sameValueSchemas(root, node));
  }
  return [...seen];
}

/** `/users/0/name` → `name`: what a field without a title is called. */
const lastSegment = (pointer: string) => pointer.split('/').filter(Boolean).pop()?.replace(/~1/g, '/').replace(/~0/g, '~');

/** The field's title, else its name, else "The inputs" (the whole object). */
export function fieldLabel(schema: unknown, pointer: string): string {
  return fieldTitle(schema, pointer) ?? lastSegment(pointer) ?? 'The inputs';
}

/**
 * The 422 problems of an item's inputs: each ajv error as the path of its field and the sentence
 * the form shows (inputErrorMessage). `if` errors are left out: ajv also reports what failed in the branch.
 */
export function inputProblems(schema: unknown, errors: ErrorObject[]): { path: string; message: string }[] {
  return errors
    .filter((e) => e.keyword !== 'if')
    .map((e) => {
      const path = problemPath(e);
      return { path, message: inputErrorMessage(e, fieldLabel(schema, path)) };
    });
}

/** The JSON pointer of the field an error is about: for a missing or unknown field, that field. */
export function problemPath(e: { instancePath: string; keyword: string; params: Record<string, unknown> }): string {
  if (e.keyword === 'additionalProperties') return `${e.instancePath}/${String(e.params.additionalProperty)}`;
  if (e.keyword === 'required') return `${e.instancePath}/${String(e.params.missingProperty)}`;
  return e.instancePath;
}
