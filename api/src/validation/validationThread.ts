import { parentPort, workerData } from 'node:worker_threads';
import type { ValidateFunction } from 'ajv';
import { compileInputSchema, inputProblems, secretPointers, validateItem, validateWithDefaults, type ItemTexts, type ItemValidation, type Problem } from '@shelf/contract';
import { maxListedProblems } from '../errors.js';

/** What the pool asks a thread; one at a time, each answered with the same id. */
export type ThreadTask = { id: number } & (
  | { kind: 'checkItem'; texts: ItemTexts; tagVersion?: string }
  /** `schema` comes along unless the pool knows this thread has the digest's validator already. */
  | { kind: 'validate'; digest: string; inputs: Record<string, unknown>; schema?: unknown }
  /** Where the secret (writeOnly) values of inputs that need not be complete are (a preset). */
  | { kind: 'findSecrets'; schema: unknown; inputs: Record<string, unknown> }
);

export type ThreadAnswer = { id: number } & (
  | { kind: 'checked'; result: ItemValidation }
  /** The stored schema does not compile (imports refuse such schemas: a record written by something else). */
  | { kind: 'unusable'; problems: Problem[] }
  /** This thread has no validator for the digest any more: send the schema along. */
  | { kind: 'missing' }
  /** `secretPointers`: where the schema marks a value writeOnly (found here, under the same time budget as the check). */
  | { kind: 'valid'; inputs: Record<string, unknown>; secretPointers: string[] }
  | { kind: 'invalid'; problems: Problem[]; total: number }
  | { kind: 'failed'; message: string }
  | { kind: 'secrets'; pointers: string[] }
);

export interface ThreadData {
  /** Compiled validators kept, by bundle digest (versions are immutable), least recently used out first. */
  cacheSize: number;
}

const { cacheSize } = workerData as ThreadData;
/** A digest's compiled validator and its schema (the schema tells which inputs are secrets). */
interface Compiled {
  validate: ValidateFunction;
  schema: unknown;
}
const validators = new Map<string, Compiled>();

/** The validator of a version's schema, kept for its digest; the pool mirrors this cache's order. */
function compile(digest: string, schema: unknown): Compiled | { problems: Problem[] } {
  const compiled = compileInputSchema(schema);
  if (!compiled.ok) return { problems: compiled.problems.map((p) => ({ file: 'schema.json', ...p })) };
  const entry = { validate: compiled.validate, schema };
  validators.set(digest, entry);
  if (validators.size > cacheSize) validators.delete(validators.keys().next().value!);
  return entry;
}

function answer(task: ThreadTask): ThreadAnswer {
  const { id } = task;
  switch (task.kind) {
    case 'checkItem':
      return { id, kind: 'checked', result: validateItem(task.texts, task.tagVersion === undefined ? {} : { tagVersion: task.tagVersion }) };
    case 'findSecrets':
      return { id, kind: 'secrets', pointers: secretPointers(task.schema, task.inputs) };
    case 'validate': {
      const entry = validators.get(task.digest) ?? (task.schema === undefined ? undefined : compile(task.digest, task.schema));
      if (!entry) return { id, kind: 'missing' };
      if ('problems' in entry) return { id, kind: 'unusable', problems: entry.problems };
      validators.delete(task.digest);
      validators.set(task.digest, entry);
      const { validate } = entry;
      // The inputs arrived as a copy: ajv may write the schema's defaults into them.
      if (validateWithDefaults(validate, task.inputs)) return { id, kind: 'valid', inputs: task.inputs, secretPointers: secretPointers(entry.schema, task.inputs) };
      const errors = inputProblems(entry.schema, validate.errors ?? []);
      const problems = errors.slice(0, maxListedProblems).map((p) => ({ file: 'inputs', ...p }));
      return { id, kind: 'invalid', problems, total: errors.length };
    }
  }
}

const port = parentPort!;
port.on('message', (task: ThreadTask) => {
  let reply: ThreadAnswer;
  try {
    reply = answer(task);
  } catch (err) {
    reply = { id: task.id, kind: 'failed', message: err instanceof Error ? `${err.name}: ${err.message}` : String(err) };
  }
  port.postMessage(reply);
});
port.postMessage({ ready: true });
