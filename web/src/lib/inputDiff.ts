/** One input whose value differs between two runs; `undefined` where a run did not have it. */
export interface InputChange {
  field: string;
  before: unknown;
  after: unknown;
}

/** JSON with object keys sorted, so `{a, b}` and `{b, a}` compare equal. */
function canonical(value: unknown): string {
  return JSON.stringify(value, (_key, v: unknown) =>
    v && typeof v === 'object' && !Array.isArray(v) ? Object.fromEntries(Object.entries(v).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))) : v,
  );
}

/**
 * The top-level inputs that changed from one run to the next, in the order the new run lists them
 * (then those it dropped): a reviewer's "what is different this time", not a deep diff.
 */
export function diffInputs(before: Record<string, unknown>, after: Record<string, unknown>): InputChange[] {
  const fields = [...Object.keys(after), ...Object.keys(before).filter((k) => !(k in after))];
  return fields
    .filter((field) => !(field in before) || !(field in after) || canonical(before[field]) !== canonical(after[field]))
    .map((field) => ({ field, before: before[field], after: after[field] }));
}
