import { notifyEvents, webhookFormats } from '@shelf/contract';
import { z } from '../zod.js';
import { Actor, IsoTime } from './common.js';

const webhookShape = {
  id: z.string(),
  url: z.string(),
  events: z.array(z.enum(notifyEvents)),
  format: z.enum(webhookFormats),
  createdAt: IsoTime,
  createdBy: Actor,
};
export const WebhookInfo = z.object(webhookShape).openapi('Webhook');
export const CreatedWebhook = z.object({ ...webhookShape, secret: z.string().openapi({ description: 'The signing secret: shown in this answer only.' }) }).openapi('CreatedWebhook');

export const DeliveryAttempt = z
  .object({
    delivery: z.string(),
    event: z.enum(notifyEvents),
    subject: z.string(),
    attempt: z.number().int(),
    at: IsoTime,
    durationMs: z.number(),
    status: z.number().int().nullable(),
    outcome: z.enum(['ok', 'failed']),
    error: z.string().nullable(),
    response: z.string().nullable(),
    willRetry: z.boolean(),
    redeliveryOf: z.string().nullable(),
  })
  .openapi('DeliveryAttempt');

export const Redelivered = z.object({ delivery: z.string() }).openapi('Redelivered');

export const NamedSecret = z
  .object({
    name: z.string(),
    description: z.string(),
    items: z.array(z.string()),
    createdAt: IsoTime,
    createdBy: z.string(),
    updatedAt: IsoTime,
    updatedBy: z.string(),
    rotatedAt: IsoTime,
    rotatedBy: z.string(),
  })
  .openapi('NamedSecret', { description: 'A named secret as listed: never its value.' });

export const WorkerSummary = z
  .object({
    id: z.string(),
    host: z.string(),
    version: z.string(),
    runner: z.string(),
    labels: z.array(z.string()),
    concurrency: z.number().int(),
    running: z.array(z.string()).openapi({ description: 'The ids of the jobs it is processing.' }),
    state: z.enum(['active', 'draining', 'drained', 'stale']),
    startedAt: z.string(),
    lastSeenAt: z.string(),
  })
  .openapi('WorkerSummary');
