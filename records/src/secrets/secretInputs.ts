import { SecretsKeyError, type SecretBox } from './secretBox.js';

/** Secret inputs by JSON pointer into the job's inputs. */
export type SecretInputs = Record<string, string>;

const contextOf = (jobId: string) => `job:${jobId}`;

/** The sealed form stored beside job `jobId`; '' when it has none. */
export function sealSecretInputs(box: SecretBox | undefined, jobId: string, secrets: SecretInputs | undefined): string {
  if (!secrets || Object.keys(secrets).length === 0) return '';
  if (!box) throw new SecretsKeyError('this process cannot seal secret inputs: it was started without a secrets key');
  return box.seal(JSON.stringify(secrets), contextOf(jobId));
}

/** The secret inputs of job `jobId` from their sealed form (null: it has none). */
export function openSecretInputs(box: SecretBox | undefined, jobId: string, sealed: string | null): SecretInputs {
  if (!sealed) return {};
  if (!box) throw new SecretsKeyError(`job ${jobId} has secret inputs, but this process was started without a secrets key`);
  return JSON.parse(box.open(sealed, contextOf(jobId))) as SecretInputs;
}
