import type { Redis } from 'ioredis';
import { z } from 'zod';
import { secretNamePattern, secretValueProblem, type NamedSecret, type RedisKeys } from '@shelf/contract';
import { NamedSecrets, SecretBox, type SecretChange } from '@shelf/records';
import { ConflictError, NotFoundError, ValidationError } from '../errors.js';

const itemIdPattern = /^[a-z0-9][a-z0-9-]{1,62}$/;
const namePattern = new RegExp(secretNamePattern);
const Items = z.array(z.string().regex(itemIdPattern, 'an item id: lowercase letters, digits and dashes')).max(200);
const Description = z.string().trim().max(500);

/** `POST /api/secrets`. The value is checked apart, so no zod message ever quotes it. */
export const NewSecretRequest = z
  .object({
    // Checked apart too: a well-formed request with a bad name is a 422, like a bad value.
    name: z.string().max(200),
    value: z.unknown(),
    items: Items.default([]),
    description: Description.default(''),
  })
  .strict();
export type NewSecretRequest = z.infer<typeof NewSecretRequest>;

/** `PATCH /api/secrets/:name`: a value rotates the secret; items and description edit who may use it and what it is. */
export const SecretChangeRequest = z
  .object({ value: z.unknown().optional(), items: Items.optional(), description: Description.optional() })
  .strict()
  .refine((c) => c.value !== undefined || c.items !== undefined || c.description !== undefined, 'give a new value, items or a description');
export type SecretChangeRequest = z.infer<typeof SecretChangeRequest>;

export interface SecretServiceOptions {
  keys: RedisKeys;
  /** SHELF_SECRETS_KEY; without it the key in `<dataDir>/secrets.key`, made on first start. */
  secretsKey?: string;
  dataDir: string;
}

/**
 * Secrets (SPEC §10): the key that seals them at rest (shared with the jobs area, which seals
 * secret inputs) and the named secrets admins manage. No answer of this area holds a value.
 */
export async function createSecretServices(redis: Redis, opts: SecretServiceOptions) {
  const box = await SecretBox.load({ fromEnv: opts.secretsKey, dataDir: opts.dataDir, create: true });
  const named = new NamedSecrets(redis, opts.keys, box);
  const checkValue = (value: unknown): string => {
    const problem = secretValueProblem(value);
    if (problem) throw new ValidationError(`the secret's value cannot be accepted: ${problem}`, [{ file: 'request', path: '/value', message: problem }]);
    return value as string;
  };
  return {
    box,
    named,
    list: (): Promise<NamedSecret[]> => named.list(),
    get: async (name: string): Promise<NamedSecret> => (await named.get(name)) ?? notFound(name),
    create: async (request: NewSecretRequest, by: string): Promise<NamedSecret> => {
      if (!namePattern.test(request.name)) {
        const message = 'a name is 2-64 uppercase letters, digits and underscores, starting with a letter (e.g. DB_ADMIN_PASSWORD)';
        throw new ValidationError(`secret name "${request.name}" refused: ${message}`, [{ file: 'request', path: '/name', message }]);
      }
      const value = checkValue(request.value);
      const created = await named.create({ name: request.name, value, items: request.items, description: request.description }, by);
      if (!created) throw new ConflictError(`a secret named ${request.name} exists already; rotate it (PATCH /api/secrets/${request.name} with a new value) or pick another name`);
      return created;
    },
    update: async (name: string, request: SecretChangeRequest, by: string): Promise<NamedSecret> => {
      const change: SecretChange = { items: request.items, description: request.description };
      if (request.value !== undefined) change.value = checkValue(request.value);
      return (await named.update(name, change, by)) ?? notFound(name);
    },
    delete: async (name: string): Promise<void> => {
      if (!(await named.delete(name))) notFound(name);
    },
  };
}
export type SecretServices = Awaited<ReturnType<typeof createSecretServices>>;

function notFound(name: string): never {
  throw new NotFoundError('secret', name);
}
