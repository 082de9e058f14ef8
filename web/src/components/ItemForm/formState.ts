import { deepEquals, toPath, type RJSFSchema, type SchemaUtilsType } from '@rjsf/utils';
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

const isPlainObject = (v: unknown): v is Inputs => typeof v === 'object' && v !== null && !Array.isArray(v);

/**
 * The inputs after an edit in the form, from what RJSF reports (`next`) and what they were (`prev`).
 *
 * When an edit switches the branch of an `if`/`then`/`else` (or `dependencies`), RJSF empties the
 * fields of the branch it leaves and sets a field the new branch allows one value (`enum: [true]`)
 * to that value. When that value selects the old branch again — unticking "backups" where
 * production requires them: the box snaps back — the old branch is shown again with its fields
 * emptied, and RJSF's defaults do not refill a field it holds as empty. So a field the user did not
 * edit gets back the value it lost if the branch the data settles in shows it, and a field RJSF
 * added that this branch does not show is dropped (it would come back pre-filled later, an
 * acknowledgement ticked by nobody). Then acknowledgements are unticked (untickAcknowledgements).
 */
export function settleChange(utils: SchemaUtilsType, prev: Inputs, next: Inputs, changedId?: string): Inputs {
  return untickAcknowledgements(utils, prev, keepValues(utils, utils.getRootSchema(), prev, next, idPrefix, changedId), changedId);
}

function keepValues(utils: SchemaUtilsType, schema: RJSFSchema, prev: Inputs, next: Inputs, id: string, changedId?: string): Inputs {
  const settled = utils.retrieveSchema(schema, next);
  const shown = settled.properties ?? {};
  const open = settled.additionalProperties !== undefined && settled.additionalProperties !== false;
  const out: Inputs = { ...next };
  for (const key of Object.keys(out)) {
    if (!(key in shown) && !open && prev[key] === undefined && out[key] !== undefined) delete out[key];
  }
  for (const [key, field] of Object.entries(shown)) {
    const keyId = `${id}_${key}`;
    if (keyId === changedId) continue;
    const before = prev[key];
    const after = out[key];
    if (after === undefined && before !== undefined) out[key] = before;
    else if (isPlainObject(before) && isPlainObject(after) && typeof field === 'object') {
      out[key] = keepValues(utils, utils.retrieveSchema(field, after), before, after, keyId, changedId);
    }
  }
  return out;
}

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
