import { SECRET_MASK, secretNamePattern, secretValueProblem } from '@shelf/contract';
import { sentence } from './format';

/** Whether an input or output, as the API sent it, is a secret it masked. */
export const isMaskedSecret = (value: unknown): boolean => value === SECRET_MASK;

const namePattern = new RegExp(secretNamePattern);

/** Why `name` cannot name a secret, as a sentence, or undefined when it can. */
export function secretNameProblem(name: string): string | undefined {
  if (namePattern.test(name)) return undefined;
  return 'Use 2 to 64 uppercase letters, digits and underscores, starting with a letter: the job reads it as /run/secrets/NAME.';
}

/** Why `value` cannot be a secret, as a sentence, or undefined when it can. */
export function secretValueSentence(value: string): string | undefined {
  const problem = secretValueProblem(value);
  return problem && sentence(problem);
}
