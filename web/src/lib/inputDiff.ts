import { isMaskedSecret } from './secrets';

/**
 * One input whose value differs between two runs; `undefined` where a run did not have it. A secret
 * input (masked by the API on either side) is listed with neither value: both are masks, so
 * whether it changed cannot be told, and nothing about it is claimed.
 */
export type InputChange = { field: string; secret: false; before: unknown; after: unknown } | { field: string; secret: true };

/** JSON with object keys sorted, so `{a, b}` and `{b, a}` compare equal. */
function canonical(value: unknown): string {
  return JSON.stringify(value, (_key, v: unknown) =>
    v && typeof v === 'object' && !Array.isArray(v) ? Object.fromEntries(Object.entries(v).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))) : v,
  );
}

/**
 * The top-level inputs that changed from one run to the next, in the order the new run lists them
 * (then those it dropped): a reviewer's "what is different this time", not a deep diff. Secret
 * inputs are always listed, as not compared.
 */
export function diffInputs(before: Record<string, unknown>, after: Record<string, unknown>): InputChange[] {
  const fields = [...Object.keys(after), ...Object.keys(before).filter((k) => !(k in after))];
  const changes: InputChange[] = [];
  for (const field of fields) {
    if (isMaskedSecret(before[field]) || isMaskedSecret(after[field])) changes.push({ field, secret: true });
    else if (!(field in before) || !(field in after) || canonical(before[field]) !== canonical(after[field])) {
      changes.push({ field, secret: false, before: before[field], after: after[field] });
    }
  }
  return changes;
}
