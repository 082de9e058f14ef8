import { z } from '../zod.js';

export const Health = z.object({ status: z.literal('ok') }).openapi('Health');

export const Readiness = z
  .object({
    status: z.enum(['ready', 'unavailable']),
    checks: z.array(z.object({ name: z.string(), ok: z.boolean(), error: z.string().optional() })),
  })
  .openapi('Readiness', { description: '200 when every check passed, 503 otherwise (the same body).' });
