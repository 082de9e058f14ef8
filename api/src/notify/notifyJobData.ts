import { z } from 'zod';
import { notifyEvents } from '@shelf/contract';
import type { EventPayload } from './deliveryLog.js';
import type { DeliveryJob, MailJob } from './notifyQueue.js';

// The queue's job data, checked where the consumer takes it (STYLE: validate every edge). The
// job summary and item are carried as published, so only what the consumer relies on is checked.
const Payload = z.object({
  event: z.enum(notifyEvents),
  subject: z.string().min(1),
  at: z.string(),
  job: z.looseObject({ id: z.string(), state: z.string(), itemId: z.string() }).optional(),
  item: z.looseObject({ id: z.string(), version: z.string() }).optional(),
});

const Delivery = z.object({
  target: z.discriminatedUnion('kind', [z.object({ kind: z.literal('webhook'), webhookId: z.string() }), z.object({ kind: z.literal('callback'), jobId: z.string() })]),
  delivery: z.string().min(1),
  payload: Payload,
  redeliveryOf: z.string().nullable(),
});

const Mail = z.object({
  event: z.enum(notifyEvents),
  about: z.string(),
  userId: z.string(),
  message: z.object({ to: z.string().min(3), subject: z.string(), text: z.string(), html: z.string() }),
});

export const parseEventData = (data: unknown) => Payload.parse(data) as EventPayload;
export const parseDeliveryData = (data: unknown) => Delivery.parse(data) as DeliveryJob;
export const parseMailData = (data: unknown) => Mail.parse(data) as MailJob;
