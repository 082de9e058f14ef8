import { UnrecoverableError } from 'bullmq';
import type { DeliveryAttempt, WebhookFormat } from '@shelf/contract';
import type { AuditLog } from '../auth/auditLog.js';
import type { Logger } from '../logger.js';
import type { CallbackStore } from './callbackStore.js';
import { deliveryBody } from './deliveryBody.js';
import type { DeliveryLog } from './deliveryLog.js';
import type { NotifyKeys } from './notifyKeys.js';
import type { DeliveryJob } from './notifyQueue.js';
import type { NotifyUrlPolicy } from './notifyUrlPolicy.js';
import { postDelivery, type PostResult } from './postDelivery.js';
import type { WebhookStore } from './webhookStore.js';

export interface DeliverDeps {
  webhooks: WebhookStore;
  deliveries: DeliveryLog;
  callbacks: CallbackStore;
  policy: NotifyUrlPolicy;
  keys: NotifyKeys;
  audit: AuditLog;
  publicUrl: string;
  logger: Logger;
  /** How long a receiver has to answer (10 s). */
  timeoutMs?: number;
}

interface Resolved {
  url: string;
  secret: string;
  format: WebhookFormat;
  /** The request field the URL came from, for a refusal's message. */
  field: string;
  auditAction: string;
  auditTarget: string;
  webhookId?: string;
}

/**
 * One attempt of one delivery job: check the URL again (DNS may have changed), POST the signed
 * body, log the attempt and audit it. A failure that a later try may fix is thrown for BullMQ to
 * retry with backoff; one that it cannot (a 4xx, a redirect, the webhook deleted) ends it.
 */
export async function deliverWebhook(deps: DeliverDeps, data: DeliveryJob, tries: { number: number; of: number }): Promise<void> {
  const { delivery, payload, redeliveryOf } = data;
  const target = await resolve(deps, data);
  if (!target) throw new UnrecoverableError('the webhook or the job callback is gone');
  const attempt = tries.number;
  const started = new Date();

  let result: PostResult;
  try {
    const checked = await deps.policy.check(target.url, target.field);
    const body = deliveryBody(target.format, delivery, payload, deps.publicUrl);
    result = await postDelivery({ target: checked, event: payload.event, delivery, body, secret: target.secret }, deps.timeoutMs);
  } catch (err) {
    result = { status: null, ok: false, durationMs: Date.now() - started.getTime(), error: (err as Error).message, response: null, retryable: true };
  }
  const willRetry = !result.ok && result.retryable && attempt < tries.of;
  const entry: DeliveryAttempt = {
    delivery,
    event: payload.event,
    subject: payload.subject,
    attempt,
    at: started.toISOString(),
    durationMs: result.durationMs,
    status: result.status,
    outcome: result.ok ? 'ok' : 'failed',
    error: result.error,
    response: result.response,
    willRetry,
    redeliveryOf,
  };
  if (target.webhookId) await deps.deliveries.recordAttempt(target.webhookId, entry);
  await deps.audit
    .record({
      actor: 'system',
      action: target.auditAction,
      target: target.auditTarget,
      outcome: result.ok ? 'ok' : 'failed',
      ip: '',
      detail: `delivery ${delivery} attempt ${attempt}: ${result.status ?? 'no answer'} in ${result.durationMs} ms${result.error ? ` (${result.error})` : ''}${willRetry ? ', will retry' : ''}`,
    })
    .catch((err: Error) => deps.logger.warn({ err: err.message }, 'could not write the audit log'));

  if (result.ok) return;
  const message = `${target.auditTarget}: ${result.error ?? 'failed'}`;
  throw result.retryable ? new Error(message) : new UnrecoverableError(message);
}

async function resolve(deps: DeliverDeps, data: DeliveryJob): Promise<Resolved | undefined> {
  const { target, payload } = data;
  const about = `${payload.event} ${payload.subject}`;
  if (target.kind === 'webhook') {
    const hook = await deps.webhooks.get(target.webhookId);
    if (!hook) return undefined;
    let secret: string;
    try {
      secret = deps.webhooks.secretOf(hook);
    } catch {
      // Sealed under another key: no retry can open it.
      throw new UnrecoverableError(`the secret of webhook ${hook.id} cannot be opened (SHELF_AUTH_KEY changed since it was created); create the webhook again`);
    }
    return { url: hook.url, secret, format: hook.format, field: 'url', auditAction: 'webhook.delivery', auditTarget: `webhook ${hook.id} ${about}`, webhookId: hook.id };
  }
  const url = await deps.callbacks.get(target.jobId);
  if (!url) return undefined;
  return { url, secret: deps.keys.callbackSecret(target.jobId), format: 'shelf', field: 'callbackUrl', auditAction: 'callback.delivery', auditTarget: `callback of job ${target.jobId} ${about}` };
}
