import type { RJSFSchema, ValidatorType } from '@rjsf/utils';
import { createPrecompiledValidator, type ValidatorFunctions } from '@rjsf/validator-ajv8';
import { importValidatorModule } from './importValidatorModule';

/**
 * The validator of an item version's form, from the module the API precompiles for that version
 * (api/src/validators): the server's dialect, formats and rules, with nothing compiled in the
 * browser, so the page's CSP can forbid eval.
 */
export async function loadValidator(url: string, schema: Record<string, unknown>): Promise<ValidatorType> {
  const module = await importValidatorModule(url);
  const functions = (module as { default?: unknown } | null)?.default;
  if (typeof functions !== 'object' || functions === null) throw new Error(`${url} is not a validator module`);
  // Throws if the module has no function for this schema: it was built for another version.
  const precompiled = createPrecompiledValidator(functions as ValidatorFunctions, schema as RJSFSchema);
  return {
    validateFormData: (...args) => precompiled.validateFormData(...args),
    rawValidation: (...args) => precompiled.rawValidation(...args),
    isValid: (...args) => {
      try {
        return precompiled.isValid(...args);
      } catch (err) {
        // RJSF derives some schemas as it goes; one the API did not foresee has no function. Treating
        // it as "does not match" picks a branch by other means, where throwing would break the form.
        console.warn('Shelf form: no precompiled check for a derived schema; treating it as not matching.', err);
        return false;
      }
    },
  };
}

/**
 * Stands in when the module could not be loaded: it reports no errors, so the server's checks on
 * submit decide. It cannot evaluate conditions either, so fields that depend on other answers may
 * not follow them; the form says so.
 */
export const noBrowserValidation: ValidatorType = {
  validateFormData: () => ({ errors: [], errorSchema: {} }),
  isValid: () => false,
  rawValidation: () => ({ errors: [] }),
};
