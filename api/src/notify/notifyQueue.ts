import { Queue, type JobsOptions } from 'bullmq';
import type { Redis } from 'ioredis';
import { QueueName, type NotifyEvent, type RedisKeys } from '@shelf/contract';
import type { Logger } from '../logger.js';
import type { EventPayload } from './deliveryLog.js';

/** Where a delivery goes: a registered webhook, or the callbackUrl of the job it is about. */
export type DeliveryTarget = { kind: 'webhook'; webhookId: string } | { kind: 'callback'; jobId: string };

export interface DeliveryJob {
  target: DeliveryTarget;
  delivery: string;
  payload: EventPayload;
  redeliveryOf: string | null;
}

export interface MailJob {
  event: NotifyEvent;
  /** The job the mail is about. */
  about: string;
  /** Who it goes to: a user id, for the audit record. */
  userId: string;
  message: { to: string; subject: string; text: string; html: string };
}

export interface NotifyQueueOptions {
  /** The first retry's delay; each next one doubles (BullMQ's exponential backoff). */
  backoffMs: number;
  /** Tries of one delivery or mail, the first included. */
  attempts: number;
}

export const defaultNotifyQueueOptions: NotifyQueueOptions = { backoffMs: 10_000, attempts: 8 };

// Finished jobs are kept for a week: their ids are what makes a second API process's add of
// the same event (or a fan-out's retry) a no-op, so they must outlive any such duplicate.
const kept = { removeOnComplete: { age: 7 * 24 * 3600 }, removeOnFail: { age: 14 * 24 * 3600 } };

/**
 * The notification queue: `event` jobs fan an event out, once, into one `delivery` job per
 * webhook or callback and one `mail` job per recipient. Every id is derived from what the job
 * is (target, event, subject), so adding the same thing twice, from any process, adds it once.
 */
export class NotifyQueue {
  readonly queue: Queue;

  constructor(
    redis: Redis,
    keys: RedisKeys,
    private readonly opts: NotifyQueueOptions,
    logger: Logger,
  ) {
    this.queue = new Queue(QueueName.notify, { connection: redis, prefix: keys.bullPrefix });
    this.queue.on('error', (err) => logger.warn({ err: err.message }, 'notify queue problem'));
  }

  async addEvent(payload: EventPayload, delayMs = 0): Promise<void> {
    await this.queue.add('event', payload, { ...kept, jobId: jobId('event', payload.event, payload.subject), delay: delayMs, attempts: 5, backoff: { type: 'exponential', delay: 1000 } });
  }

  /** `key` names the target (`wh-<id>`, `cb`); a redelivery passes its new delivery id. */
  async addDelivery(key: string, job: DeliveryJob): Promise<void> {
    const id = job.redeliveryOf ? jobId('redeliver', job.delivery) : jobId(key, job.payload.event, job.payload.subject);
    await this.queue.add('delivery', job, { ...kept, ...this.retries(), jobId: id });
  }

  async addMail(job: MailJob): Promise<void> {
    await this.queue.add('mail', job, { ...kept, ...this.retries(), jobId: jobId('mail', job.userId, job.event, job.about) });
  }

  close(): Promise<void> {
    return this.queue.close();
  }

  private retries(): JobsOptions {
    return { attempts: this.opts.attempts, backoff: { type: 'exponential', delay: this.opts.backoffMs } };
  }
}

/** BullMQ refuses `:` in custom ids; none of the parts should have one, but an item version may. */
function jobId(...parts: string[]): string {
  return parts.map((p) => p.replace(/[:~]/g, '_')).join('~');
}
