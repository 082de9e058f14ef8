import { readFile } from 'node:fs/promises';
import { CliError } from './cliError.js';

type Schema = Record<string, unknown>;

/** commander's collector for repeated `-i key=value`. */
export function collectPair(value: string, previous: string[] = []): string[] {
  return [...previous, value];
}

/** The JSON Schema type(s) a property declares (`type`, or what its `enum`/`const` values are). */
function typesOf(property: Schema | undefined): string[] {
  if (!property) return [];
  const declared = property.type;
  if (typeof declared === 'string') return [declared];
  if (Array.isArray(declared)) return declared.filter((t): t is string => typeof t === 'string');
  const values = Array.isArray(property.enum) ? property.enum : 'const' in property ? [property.const] : [];
  return [...new Set(values.map((v) => (v === null ? 'null' : Array.isArray(v) ? 'array' : typeof v)))];
}

/**
 * One `-i key=value` read by the field's type in the item's input schema: numbers, booleans and
 * null as such, JSON for objects and arrays, everything else as the string it is. A value that
 * does not read as its type is passed on as a string, so the server names the field's problem
 * exactly as the form would.
 */
export function parseInputValue(key: string, raw: string, property: Schema | undefined): unknown {
  const types = typesOf(property);
  if (types.includes('object') || types.includes('array')) {
    try {
      return JSON.parse(raw) as unknown;
    } catch (err) {
      if (!types.includes('string')) throw new CliError(`-i ${key}: the field takes ${types.join(' or ')} as JSON, e.g. -i '${key}=${types.includes('array') ? '["a","b"]' : '{"a":1}'}' (${(err as Error).message})`);
    }
  }
  if ((types.includes('number') || types.includes('integer')) && raw.trim() !== '' && Number.isFinite(Number(raw))) return Number(raw);
  if (types.includes('boolean') && (raw === 'true' || raw === 'false')) return raw === 'true';
  if (types.includes('null') && raw === 'null') return null;
  return raw;
}

/** The inputs of `-f file` (a JSON object) overlaid with each `-i key=value`. */
export async function buildInputs(schema: Schema, pairs: string[], file?: string): Promise<Record<string, unknown>> {
  let inputs: Record<string, unknown> = {};
  if (file !== undefined) {
    const text = await readFile(file, 'utf8').catch((err: NodeJS.ErrnoException) => {
      throw new CliError(`-f ${file}: cannot read it (${err.code ?? err.message})`);
    });
    let value: unknown;
    try {
      value = JSON.parse(text);
    } catch (err) {
      throw new CliError(`-f ${file}: not valid JSON (${(err as Error).message})`);
    }
    if (typeof value !== 'object' || value === null || Array.isArray(value)) throw new CliError(`-f ${file}: the inputs must be one JSON object, e.g. {"name": "Ada"}`);
    inputs = value as Record<string, unknown>;
  }
  const properties = (schema.properties ?? {}) as Record<string, Schema>;
  for (const pair of pairs) {
    const eq = pair.indexOf('=');
    if (eq <= 0) throw new CliError(`-i ${pair}: write -i key=value, e.g. -i name=Ada`);
    const key = pair.slice(0, eq);
    inputs[key] = parseInputValue(key, pair.slice(eq + 1), properties[key]);
  }
  return inputs;
}
