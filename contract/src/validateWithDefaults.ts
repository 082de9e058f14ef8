import type { ValidateFunction } from 'ajv';

/** Enough for defaults that select a branch whose defaults select another; each pass is one validation. */
const maxPasses = 4;

/**
 * Validates `inputs` with a validator built with `useDefaults`, filling in the schema's defaults
 * first, wherever they are. ajv writes a `properties` default only as it evaluates that `properties`,
 * after the `allOf`/`if` next to it has judged the value without it: `backups` defaulting to true
 * arrives too late for `if backups then retentionDays` (whose own default would fill it in). So it
 * validates until the defaults stop changing the inputs, as the form fills its defaults (RJSF's,
 * in passes too), and answers the last run. Mutates `inputs`.
 */
export function validateWithDefaults(validate: ValidateFunction, inputs: Record<string, unknown>): boolean {
  let before = JSON.stringify(inputs);
  for (let pass = 1; ; pass++) {
    const valid = validate(inputs);
    const after = JSON.stringify(inputs);
    if (after === before || pass === maxPasses) return valid;
    before = after;
  }
}
