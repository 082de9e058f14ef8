import { ApiError } from '../api/client';

/**
 * The per-field messages of a refused form, keyed by the field's name: a 422 lists `problems`,
 * a 400 from the request schema lists `fields`; both point at the field with a JSON path.
 */
export function fieldErrors(error: unknown): Record<string, string> {
  if (!(error instanceof ApiError)) return {};
  const fields = (error.details as { fields?: unknown } | undefined)?.fields;
  const listed: unknown[] = [...error.problems, ...(Array.isArray(fields) ? fields : [])];
  const byField: Record<string, string> = {};
  for (const entry of listed) {
    const { path, message } = entry as { path?: unknown; message?: unknown };
    const name = typeof path === 'string' ? path.split('/').find(Boolean) : undefined;
    if (name && typeof message === 'string' && !(name in byField)) byField[name] = message;
  }
  return byField;
}
