import type { Actor } from './auth.js';
import type { SourceKind } from './catalog.js';
import type { JobSummary } from './jobs.js';

/** What outbound webhooks, job callbacks and e-mails tell about (SPEC §8). */
export const notifyEvents = [
  'job.awaiting_approval',
  'job.approved',
  'job.rejected',
  'job.expired',
  'job.succeeded',
  'job.failed',
  'job.cancelled',
  'item.published',
] as const;
export type NotifyEvent = (typeof notifyEvents)[number];

/** `shelf`: the signed JSON payload below; `slack`: a Slack incoming-webhook body `{ text }`. */
export const webhookFormats = ['shelf', 'slack'] as const;
export type WebhookFormat = (typeof webhookFormats)[number];

/** The headers of every delivery; the signature is `sha256=<hex HMAC-SHA256 of the exact body>`. */
export const DeliveryHeader = {
  event: 'X-Shelf-Event',
  delivery: 'X-Shelf-Delivery',
  signature: 'X-Shelf-Signature-256',
} as const;

/** A webhook as `GET /api/webhooks` lists it: never its secret. */
export interface WebhookInfo {
  id: string;
  url: string;
  events: NotifyEvent[];
  format: WebhookFormat;
  createdAt: string;
  createdBy: Actor;
}

/** `POST /api/webhooks` → 201: the only answer that shows the secret. */
export interface CreatedWebhook extends WebhookInfo {
  secret: string;
}

/** A published version as `item.published` tells it. */
export interface PublishedItem {
  id: string;
  name: string;
  version: string;
  digest: string;
  /** How it was published; a local path or a repository URL is not told. */
  source: SourceKind;
  publishedBy: string;
  createdAt: string;
}

/** The JSON body of a `shelf`-format delivery. */
export interface DeliveryPayload {
  event: NotifyEvent;
  /** The delivery id, also in `X-Shelf-Delivery`; automatic retries keep it, a redelivery gets a new one. */
  delivery: string;
  /** When the event happened (ISO). */
  at: string;
  job?: JobSummary;
  item?: PublishedItem;
}

/** One attempt of one delivery, as `GET /api/webhooks/:id/deliveries` lists it (newest first). */
export interface DeliveryAttempt {
  delivery: string;
  event: NotifyEvent;
  /** The job id or `item@version` the event is about. */
  subject: string;
  /** 1 for the first try. */
  attempt: number;
  at: string;
  durationMs: number;
  /** The receiver's HTTP status; null when none came (refused URL, network error, timeout). */
  status: number | null;
  outcome: 'ok' | 'failed';
  error: string | null;
  /** The first bytes of the receiver's answer. */
  response: string | null;
  /** Whether another attempt follows this failure. */
  willRetry: boolean;
  /** The delivery this one was redelivered from, if any. */
  redeliveryOf: string | null;
}
