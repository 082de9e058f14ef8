import { ErrorCode, roles } from '@shelf/contract';
import { z } from '../zod.js';

/** An ISO 8601 time as Shelf writes it (`new Date().toISOString()`). */
export const IsoTime = z.string().openapi({ format: 'date-time', example: '2025-01-31T12:00:00.000Z' });

export const Role = z.enum(roles).openapi('Role', { description: 'Roles, each including the ones before it.' });

/** Who acted: a user, or `admin-token` for SHELF_ADMIN_TOKEN. */
export const Actor = z.object({ id: z.string(), username: z.string() }).openapi('Actor');

export const Digest = z.string().regex(/^[a-f0-9]{64}$/).openapi({ description: 'sha256 of the bundle: 64 lowercase hex characters' });

export const JobId = z.string().regex(/^[0-9a-f]{32}$/).openapi({ description: 'A job id: 32 lowercase hex characters' });

/** One validation problem: the file, the JSON path in it, and what is wrong. */
export const Problem = z.object({ file: z.string(), path: z.string(), message: z.string() }).openapi('Problem');

/**
 * The body of every error answer (api/src/errors.ts builds it). `details` depends on the code:
 * VALIDATION_FAILED lists `problems`, BAD_REQUEST may list `fields`, RATE_LIMITED says `retryAfterSeconds`.
 */
export const ErrorBody = z
  .object({
    error: z.object({
      code: z.enum(Object.values(ErrorCode) as [ErrorCode, ...ErrorCode[]]),
      message: z.string().openapi({ description: 'One sentence for a person: what went wrong and, where possible, what to do.' }),
      details: z
        .union([
          z.object({ problems: z.array(Problem), moreProblems: z.number().int().optional() }).openapi({ title: 'Problems' }),
          z.object({ fields: z.array(z.object({ path: z.string(), message: z.string() })) }).openapi({ title: 'Fields' }),
          z.object({ retryAfterSeconds: z.number().int() }).openapi({ title: 'RetryAfter' }),
          z.record(z.string(), z.unknown()).openapi({ title: 'Other' }),
        ])
        .optional(),
    }),
  })
  .openapi('ErrorBody');

/** `{ items: [...] }`, the shape of every list Shelf answers without paging. */
export const itemsOf = <T extends z.ZodType>(item: T) => z.object({ items: z.array(item) });

/** A paged list: `{ items, total, page, pageSize }`. */
export const pageOf = <T extends z.ZodType>(item: T) => z.object({ items: z.array(item), total: z.number().int(), page: z.number().int(), pageSize: z.number().int() });
