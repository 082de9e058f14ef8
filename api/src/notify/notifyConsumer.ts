import { UnrecoverableError, Worker, type Job } from 'bullmq';
import type { Redis } from 'ioredis';
import { QueueName, type RedisKeys } from '@shelf/contract';
import type { AuditLog } from '../auth/auditLog.js';
import type { Logger } from '../logger.js';
import { deliverWebhook, type DeliverDeps } from './deliverWebhook.js';
import { fanOut, type FanOutDeps } from './fanOut.js';
import type { Mailer } from './mail/mailer.js';
import { sendMail } from './mail/sendMail.js';
import { parseDeliveryData, parseEventData, parseMailData } from './notifyJobData.js';

export interface NotifyConsumerDeps {
  redis: Redis;
  keys: RedisKeys;
  logger: Logger;
  audit: AuditLog;
  fanOut: FanOutDeps;
  deliver: DeliverDeps;
  mailer?: Mailer;
  /** Jobs at once in this process (8): deliveries mostly wait on the network. */
  concurrency?: number;
}

/**
 * Consumes the notify queue in this API process. Several processes may run one each: BullMQ
 * hands every job to one of them, so each delivery and mail is sent once. Resolves to the
 * function that stops it.
 */
export async function startNotifyConsumer(deps: NotifyConsumerDeps): Promise<() => Promise<void>> {
  const connection = deps.redis.duplicate({ maxRetriesPerRequest: null });
  const worker = new Worker(QueueName.notify, (job) => handle(deps, job), { connection, prefix: deps.keys.bullPrefix, concurrency: deps.concurrency ?? 8 });
  worker.on('error', (err) => deps.logger.warn({ err: err.message }, 'notify consumer problem'));
  worker.on('failed', (job, err) => deps.logger.info({ job: job?.id, attempt: job?.attemptsMade, err: err.message }, 'notification attempt failed'));
  await worker.waitUntilReady();
  return async () => {
    await worker.close();
    await connection.quit().catch(() => connection.disconnect());
  };
}

async function handle(deps: NotifyConsumerDeps, job: Job): Promise<void> {
  const attempt = { number: job.attemptsMade + 1, of: job.opts.attempts ?? 1 };
  switch (job.name) {
    case 'event':
      return fanOut(deps.fanOut, parseEventData(job.data));
    case 'delivery':
      return deliverWebhook(deps.deliver, parseDeliveryData(job.data), attempt);
    case 'mail':
      // Queued while mail was configured, taken by a process where it is not (a restart without SHELF_SMTP_URL).
      if (!deps.mailer) throw new UnrecoverableError('mail is not configured (SHELF_SMTP_URL)');
      return sendMail({ mailer: deps.mailer, audit: deps.audit, logger: deps.logger }, parseMailData(job.data), attempt);
    default:
      throw new UnrecoverableError(`unknown notify job ${job.name}`);
  }
}
