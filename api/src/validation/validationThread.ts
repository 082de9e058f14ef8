import { parentPort, workerData } from 'node:worker_threads';
import type { ValidateFunction } from 'ajv';
import { ajvProblem, compileInputSchema, validateItem, type ItemTexts, type ItemValidation, type Problem } from '@shelf/contract';
import { maxListedProblems } from '../errors.js';

/** What the pool asks a thread; one at a time, each answered with the same id. */
export type ThreadTask = { id: number } & (
  | { kind: 'checkItem'; texts: ItemTexts; tagVersion?: string }
  /** `schema` comes along unless the pool knows this thread has the digest's validator already. */
  | { kind: 'validate'; digest: string; inputs: Record<string, unknown>; schema?: unknown }
);

export type ThreadAnswer = { id: number } & (
  | { kind: 'checked'; result: ItemValidation }
  /** The stored schema does not compile (imports refuse such schemas: a record written by something else). */
  | { kind: 'unusable'; problems: Problem[] }
  /** This thread has no validator for the digest any more: send the schema along. */
  | { kind: 'missing' }
  | { kind: 'valid'; inputs: Record<string, unknown> }
  | { kind: 'invalid'; problems: Problem[]; total: number }
  | { kind: 'failed'; message: string }
);

export interface ThreadData {
  /** Compiled validators kept, by bundle digest (versions are immutable), least recently used out first. */
  cacheSize: number;
}

const { cacheSize } = workerData as ThreadData;
const validators = new Map<string, ValidateFunction>();

/** The validator of a version's schema, kept for its digest; the pool mirrors this cache's order. */
function compile(digest: string, schema: unknown): ValidateFunction | { problems: Problem[] } {
  const compiled = compileInputSchema(schema);
  if (!compiled.ok) return { problems: compiled.problems.map((p) => ({ file: 'schema.json', ...p })) };
  validators.set(digest, compiled.validate);
  if (validators.size > cacheSize) validators.delete(validators.keys().next().value!);
  return compiled.validate;
}

function answer(task: ThreadTask): ThreadAnswer {
  const { id } = task;
  switch (task.kind) {
    case 'checkItem':
      return { id, kind: 'checked', result: validateItem(task.texts, task.tagVersion === undefined ? {} : { tagVersion: task.tagVersion }) };
    case 'validate': {
      const validate = validators.get(task.digest) ?? (task.schema === undefined ? undefined : compile(task.digest, task.schema));
      if (!validate) return { id, kind: 'missing' };
      if (typeof validate !== 'function') return { id, kind: 'unusable', problems: validate.problems };
      validators.delete(task.digest);
      validators.set(task.digest, validate);
      // The inputs arrived as a copy: ajv may write the schema's defaults into them.
      if (validate(task.inputs)) return { id, kind: 'valid', inputs: task.inputs };
      const errors = validate.errors ?? [];
      const problems = errors.slice(0, maxListedProblems).map((e) => ({ file: 'inputs', ...ajvProblem(e) }));
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
