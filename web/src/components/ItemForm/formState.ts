import { deepEquals, toPath, type SchemaUtilsType } from '@rjsf/utils';
import { pointerSegments } from './serverErrors';

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
 * `data` with the form's defaults filled in around it, including those of `if`/`then` branches that
 * a default selects: RJSF picks a branch from the data, not from the defaults, so it takes a few
 * passes to settle. The form derives the same from the data it is given, so it starts with nothing
 * to report.
 */
export function withDefaults(utils: SchemaUtilsType, data: Inputs): Inputs {
  const schema = utils.getRootSchema();
  for (let pass = 0; pass < 4; pass++) {
    const next = (utils.getDefaultFormState(schema, data) ?? {}) as Inputs;
    if (deepEquals(next, data)) break;
    data = next;
  }
  return data;
}

/** The defaults of the form: what it shows before anyone types. */
export const initialInputs = (utils: SchemaUtilsType): Inputs => withDefaults(utils, {});

/**
 * The uiSchema with the secret fields at `pointers` marked for the password widget to ask for
 * them again (a job being re-run shows its secrets masked, so they must be typed anew). Fields
 * in a list are marked in every item: a uiSchema describes `items` once.
 */
export function markEnterAgain(uiSchema: Record<string, unknown>, pointers: string[]): Record<string, unknown> {
  if (!pointers.length) return uiSchema;
  const out = structuredClone(uiSchema);
  for (const pointer of pointers) {
    let node = out;
    for (const key of pointerSegments(pointer)) {
      const name = /^\d+$/.test(key) ? 'items' : key;
      node[name] = { ...(node[name] as Record<string, unknown> | undefined) };
      node = node[name] as Record<string, unknown>;
    }
    node['ui:options'] = { ...(node['ui:options'] as Record<string, unknown> | undefined), enterAgain: true };
  }
  return out;
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
