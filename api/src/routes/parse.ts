import type { z } from 'zod';
import { BadRequestError } from '../errors.js';

/** Checks a request body or query against a schema; a malformed request is 400 naming each bad field. */
export function parseRequest<T extends z.ZodType>(schema: T, value: unknown, what: 'body' | 'query' = 'body'): z.infer<T> {
  const parsed = schema.safeParse(value ?? {});
  if (!parsed.success) {
    const fields = parsed.error.issues.map((i) => ({ path: `/${i.path.join('/')}`, message: i.message }));
    throw new BadRequestError(`invalid request ${what}: ${fields.map((f) => `${f.path} ${f.message}`).join('; ')}`, { fields });
  }
  return parsed.data;
}
