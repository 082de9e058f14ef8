/** One schema inside another: where (a JSON pointer suffix) and whether it checks the same value. */
export interface ChildSchema {
  path: string;
  schema: unknown;
  /** True for allOf/anyOf/oneOf/not/if/then/else/dependent schemas: they check the value itself, not a part of it. */
  inPlace: boolean;
}

const single = ['additionalItems', 'additionalProperties', 'contains', 'contentSchema', 'propertyNames', 'unevaluatedItems', 'unevaluatedProperties'];
const singleInPlace = ['not', 'if', 'then', 'else'];
const lists = ['prefixItems'];
const listsInPlace = ['allOf', 'anyOf', 'oneOf'];
const maps = ['$defs', 'definitions', 'patternProperties', 'properties'];
const mapsInPlace = ['dependentSchemas', 'dependencies'];

/** A JSON pointer segment for `key`. */
export const pointerSegment = (key: string | number): string => `/${String(key).replace(/~/g, '~0').replace(/\//g, '~1')}`;

const isSchema = (v: unknown): boolean => typeof v === 'boolean' || (typeof v === 'object' && v !== null && !Array.isArray(v));

/** The schemas directly inside `node`, by the keywords of draft-07 and 2020-12 that hold schemas. */
export function childSchemas(node: unknown): ChildSchema[] {
  if (typeof node !== 'object' || node === null || Array.isArray(node)) return [];
  const out: ChildSchema[] = [];
  const record = node as Record<string, unknown>;
  for (const [key, value] of Object.entries(record)) {
    const here = pointerSegment(key);
    if ((single.includes(key) || singleInPlace.includes(key)) && isSchema(value)) {
      out.push({ path: here, schema: value, inPlace: singleInPlace.includes(key) });
    } else if (key === 'items') {
      if (Array.isArray(value)) value.forEach((s, i) => out.push({ path: here + pointerSegment(i), schema: s, inPlace: false }));
      else if (isSchema(value)) out.push({ path: here, schema: value, inPlace: false });
    } else if ((lists.includes(key) || listsInPlace.includes(key)) && Array.isArray(value)) {
      value.forEach((s, i) => out.push({ path: here + pointerSegment(i), schema: s, inPlace: listsInPlace.includes(key) }));
    } else if ((maps.includes(key) || mapsInPlace.includes(key)) && isSchema(value) && typeof value === 'object') {
      for (const [name, s] of Object.entries(value as Record<string, unknown>)) {
        // dependencies: a list of property names is not a schema.
        if (isSchema(s)) out.push({ path: here + pointerSegment(name), schema: s, inPlace: mapsInPlace.includes(key) });
      }
    }
  }
  return out;
}
