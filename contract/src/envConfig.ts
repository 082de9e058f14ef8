import type { z } from 'zod';

/** A setting a process cannot start with; its message is one sentence naming the setting. */
export class ConfigError extends Error {
  override readonly name = 'ConfigError';
}

/**
 * Parses a process's environment with its one schema. Values are never echoed: a
 * misplaced secret must not end up in a terminal or a log collector.
 */
export function parseEnv<S extends z.ZodType>(schema: S, env: Record<string, string | undefined>, processName: string): z.output<S> {
  const parsed = schema.safeParse(env);
  if (parsed.success) return parsed.data;
  const problems = parsed.error.issues.map((i) => {
    const rule = i.code === 'invalid_type' ? `must be a ${i.expected}` : i.message;
    return `${i.path.join('.') || 'the environment'}: ${rule}`;
  });
  throw new ConfigError(`the ${processName} cannot start: ${problems.join('; ')}`);
}
