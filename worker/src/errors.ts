import { UnrecoverableError } from 'bullmq';

/**
 * Shelf could not run the job and trying again cannot help (a bundle that fails its
 * digest check, a version record that is not there). The job ends FAILED with INFRA at once.
 * Any other thrown error is taken as transient: BullMQ retries it with back-off.
 */
export class PermanentInfraError extends UnrecoverableError {
  constructor(message: string) {
    super(message);
    this.name = 'PermanentInfraError';
  }
}
