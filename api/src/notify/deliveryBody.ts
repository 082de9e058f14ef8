import type { DeliveryPayload, WebhookFormat } from '@shelf/contract';
import type { EventPayload } from './deliveryLog.js';

/**
 * The exact bytes a delivery sends, and signs. Built the same way on every attempt, so a retry
 * carries the same body and signature as the first try.
 */
export function deliveryBody(format: WebhookFormat, delivery: string, payload: EventPayload, publicUrl: string): string {
  if (format === 'slack') return JSON.stringify({ text: slackText(payload, publicUrl) });
  const body: DeliveryPayload = {
    event: payload.event,
    delivery,
    at: payload.at,
    ...(payload.job ? { job: payload.job } : {}),
    ...(payload.item ? { item: payload.item } : {}),
  };
  return JSON.stringify(body);
}

const what: Record<string, string> = {
  'job.awaiting_approval': 'is waiting for approval',
  'job.approved': 'was approved',
  'job.rejected': 'was rejected',
  'job.expired': 'expired without a decision',
  'job.succeeded': 'succeeded',
  'job.failed': 'failed',
  'job.cancelled': 'was cancelled',
};

/** One line of Slack mrkdwn; user-provided text is escaped as Slack asks (&, <, >). */
function slackText(payload: EventPayload, publicUrl: string): string {
  const base = publicUrl.replace(/\/$/, '');
  if (payload.item) {
    const item = payload.item;
    return `Published *${slackEscape(item.name)}* ${slackEscape(item.version)} (${slackEscape(item.id)}) by ${slackEscape(item.publishedBy)}`;
  }
  const job = payload.job!;
  const by = job.submittedBy ? ` by ${slackEscape(job.submittedBy.username)}` : '';
  const error = payload.event === 'job.failed' && job.error ? `: ${slackEscape(job.error.message)}` : '';
  return `Job <${base}/jobs/${encodeURIComponent(job.id)}|${slackEscape(job.id)}> of *${slackEscape(job.itemName)}* ${slackEscape(job.version)}${by} ${what[payload.event] ?? payload.event}${error}`;
}

function slackEscape(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}
