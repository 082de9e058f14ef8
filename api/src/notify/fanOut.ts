import { randomUUID } from 'node:crypto';
import type { CallbackStore } from './callbackStore.js';
import type { DeliveryLog, EventPayload } from './deliveryLog.js';
import type { MailPlan } from './mail/mailPlan.js';
import type { NotifyQueue } from './notifyQueue.js';
import type { WebhookStore } from './webhookStore.js';

export interface FanOutDeps {
  webhooks: WebhookStore;
  deliveries: DeliveryLog;
  callbacks: CallbackStore;
  queue: NotifyQueue;
  /** Absent when mail is not configured. */
  mail?: MailPlan;
}

/**
 * Turns one event into its deliveries: one per webhook that asked for it, one to the job's
 * callbackUrl, one mail per recipient. Runs once per event (its queue job id is the event);
 * should it be retried half-way, the ids of what it adds make the second pass add only the rest.
 */
export async function fanOut(deps: FanOutDeps, payload: EventPayload): Promise<void> {
  for (const hook of await deps.webhooks.subscribedTo(payload.event)) {
    const delivery = randomUUID();
    await deps.deliveries.saveDelivery({ id: delivery, webhookId: hook.id, payload });
    await deps.queue.addDelivery(`wh-${hook.id}`, { target: { kind: 'webhook', webhookId: hook.id }, delivery, payload, redeliveryOf: null });
  }
  const job = payload.job;
  if (!job) return;
  if (await deps.callbacks.get(job.id)) {
    await deps.queue.addDelivery('cb', { target: { kind: 'callback', jobId: job.id }, delivery: randomUUID(), payload, redeliveryOf: null });
  }
  for (const mail of (await deps.mail?.mailsFor(payload)) ?? []) await deps.queue.addMail(mail);
}
