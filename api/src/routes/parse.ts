import type { z } from 'zod';
import { BadRequestError } from '../errors.js';

/** Checks a request body against a schema; a malformed request is 400 naming each bad field. */
export function parseBody<T extends z.ZodType>(schema: T, body: unknown): z.infer<T> {
  const parsed = schema.safeParse(body ?? {});
  if (!parsed.success) {
    const fields = parsed.error.issues.map((i) => ({ path: `/${i.path.join('/')}`, message: i.message }));
    throw new BadRequestError(`invalid request body: ${fields.map((f) => `${f.path} ${f.message}`).join('; ')}`, { fields });
  }
  return parsed.data;
}
