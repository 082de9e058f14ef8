import { deepEquals, toPath, type SchemaUtilsType } from '@rjsf/utils';

/** The form's data: the item's inputs. */
export type Inputs = Record<string, unknown>;

export const idPrefix = 'root';

// A one-value enum (`enum: [true]`) is how a schema asks for an explicit acknowledgement; filling it in would defeat it.
export const defaultsBehavior = { constAsDefaults: 'never' } as const;

/** `.users.0.name` (an RJSF error property) → `root_users_0_name` (the field's id). */
export function fieldId(property: string | undefined): string {
  return [idPrefix, ...toPath(property ?? '').filter(Boolean)].join('_');
}

/**
 * The defaults of the form, including those of `if`/`then` branches that a default selects: RJSF
 * picks a branch from the data, not from the defaults, so it takes a few passes to settle.
 */
export function initialInputs(utils: SchemaUtilsType): Inputs {
  const schema = utils.getRootSchema();
  let data: Inputs = {};
  for (let pass = 0; pass < 4; pass++) {
    const next = (utils.getDefaultFormState(schema, data) ?? {}) as Inputs;
    if (deepEquals(next, data)) break;
    data = next;
  }
  return data;
}

const isAcknowledgement = (s: unknown): boolean => {
  const field = s as { type?: unknown; enum?: unknown[]; const?: unknown } | undefined;
  return field?.type === 'boolean' && (field.const === true || (field.enum?.length === 1 && field.enum[0] === true));
};

/**
 * RJSF fills a field that allows one value (`enum: [true]`) with that value when its branch
 * appears. For a checkbox asking the user to acknowledge something that defeats the point, so
 * such a box stays unticked until the user ticks it.
 */
export function untickAcknowledgements(utils: SchemaUtilsType, prev: Inputs, next: Inputs, changedId?: string): Inputs {
  const retrieved = utils.retrieveSchema(utils.getRootSchema(), next);
  let out = next;
  for (const [key, field] of Object.entries(retrieved.properties ?? {})) {
    if (isAcknowledgement(field) && changedId !== `${idPrefix}_${key}` && next[key] === true && prev[key] !== true) {
      out = { ...out, [key]: false };
    }
  }
  return out;
}
