import { guardInputs, type VersionRecord } from '@shelf/contract';
import { ValidationError } from '../errors.js';
import { sharedValidationPool, type ValidatedInputs, type ValidationPool } from '../validation/validationPool.js';

/**
 * Checks job inputs against a version's input schema, the same schema the form uses, with
 * defaults applied: first their size (contract's inputLimits), then the schema on the
 * validation pool's threads, with a time budget, so that no input holds the API's event loop.
 * Each thread caches compiled validators per bundle digest.
 */
export class InputValidator {
  private readonly pool: ValidationPool;

  /** `cacheSize`: compiled validators each thread keeps (the process's pool takes the first one given). */
  constructor(cacheSize?: number, pool?: ValidationPool) {
    this.pool = pool ?? sharedValidationPool(cacheSize === undefined ? {} : { cacheSize });
  }

  /** The inputs with the schema's defaults filled in, and where the secret ones are; 422 listing the problems otherwise. */
  async validate(version: VersionRecord, inputs: Record<string, unknown>): Promise<ValidatedInputs> {
    const guard = guardInputs(inputs);
    if (guard.length) throw new ValidationError('the inputs are too large, too many or too deeply nested', guard);
    // The thread validates a copy, so the caller's object stays as it was.
    return this.pool.validateInputs(version, inputs);
  }

  /** Where the secret values of inputs that need not be complete are (a preset): off the event loop, within a time budget. */
  async secretPointers(version: VersionRecord, inputs: Record<string, unknown>): Promise<string[]> {
    const guard = guardInputs(inputs);
    if (guard.length) throw new ValidationError('the inputs are too large, too many or too deeply nested', guard);
    return this.pool.findSecretPointers(version.schema, inputs);
  }
}
