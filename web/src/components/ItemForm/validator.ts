import type { ValidatorType } from '@rjsf/utils';
import { customizeValidator } from '@rjsf/validator-ajv8';
import { Ajv2020 } from 'ajv/dist/2020.js';

/**
 * Ajv compiles each schema into a function, which a Content Security Policy without
 * 'unsafe-eval' forbids. Then nothing can be validated in the browser (and conditional fields
 * cannot be resolved), so the form says so instead of failing silently.
 */
export const canCompileSchemas: boolean = (() => {
  try {
    return new Function('return true')() as boolean;
  } catch {
    return false;
  }
})();

const draft07 = customizeValidator();
let draft2020: ValidatorType | undefined;

/**
 * The validator for an item's input schema, of the dialect its `$schema` names — the same two
 * dialects (draft-07 and 2020-12) and the same formats the server's ajv checks.
 */
export function validatorFor(schema: Record<string, unknown>): ValidatorType {
  const declared = typeof schema.$schema === 'string' ? schema.$schema : '';
  if (/json-schema\.org\/draft\/2020-12\/schema/.test(declared)) {
    draft2020 ??= customizeValidator({ AjvClass: Ajv2020 as unknown as NonNullable<Parameters<typeof customizeValidator>[0]>['AjvClass'] });
    return draft2020;
  }
  return draft07;
}
