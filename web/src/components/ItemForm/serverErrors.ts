import type { Problem } from '@shelf/contract';
import type { ErrorSchema } from '@rjsf/utils';

/** The server's 422 problems about some inputs, with the inputs it judged: a problem holds until its field changes. */
export interface ServerProblems {
  problems: Problem[];
  judged: Record<string, unknown>;
}

/** `/users/0/name` → `['users', '0', 'name']` (RFC 6901 unescaping). */
export function pointerSegments(pointer: string): string[] {
  if (!pointer || pointer === '/') return [];
  return pointer
    .replace(/^\//, '')
    .split('/')
    .map((s) => s.replace(/~1/g, '/').replace(/~0/g, '~'));
}

/** The value at a JSON pointer, or undefined. */
export function valueAt(data: unknown, pointer: string): unknown {
  let node = data;
  for (const key of pointerSegments(pointer)) {
    if (typeof node !== 'object' || node === null) return undefined;
    node = (node as Record<string, unknown>)[key];
  }
  return node;
}

/** The server's 422 problems about the inputs as an RJSF error schema, so each shows under its field. */
export function problemsToErrorSchema(problems: Problem[]): ErrorSchema {
  const root: Record<string, unknown> = {};
  for (const problem of problems) {
    if (problem.file !== 'inputs') continue;
    let node = root;
    for (const key of pointerSegments(problem.path)) {
      node[key] ??= {};
      node = node[key] as Record<string, unknown>;
    }
    const errors = (node.__errors as string[] | undefined) ?? [];
    if (!errors.includes(problem.message)) errors.push(problem.message);
    node.__errors = errors;
  }
  return root as ErrorSchema;
}

/** Drops the server problems whose field the user has changed since submitting; the others still apply. */
export function unresolvedProblems(problems: Problem[], submitted: unknown, current: unknown): Problem[] {
  return problems.filter((p) => JSON.stringify(valueAt(submitted, p.path)) === JSON.stringify(valueAt(current, p.path)));
}
