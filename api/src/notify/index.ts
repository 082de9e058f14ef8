import { randomUUID } from 'node:crypto';
import type { Redis } from 'ioredis';
import type { Actor, CreatedWebhook, DeliveryAttempt, NotifyEvent, RedisKeys, WebhookFormat, WebhookInfo } from '@shelf/contract';
import type { AuditLog } from '../auth/auditLog.js';
import type { UserStore } from '../auth/userStore.js';
import { NotFoundError } from '../errors.js';
import type { Publications } from '../imports/publications.js';
import type { Logger } from '../logger.js';
import type { LookupAll } from '../net/resolveHost.js';
import { CallbackStore } from './callbackStore.js';
import { DeliveryLog } from './deliveryLog.js';
import { startEventFeed } from './eventFeed.js';
import { Mailer, type MailSettings } from './mail/mailer.js';
import { MailPlan } from './mail/mailPlan.js';
import { startNotifyConsumer } from './notifyConsumer.js';
import { NotifyKeys } from './notifyKeys.js';
import { defaultNotifyQueueOptions, NotifyQueue, type NotifyQueueOptions } from './notifyQueue.js';
import { NotifyUrlPolicy } from './notifyUrlPolicy.js';
import { webhookInfo, WebhookStore } from './webhookStore.js';

export interface NotifyOptions {
  keys: RedisKeys;
  logger: Logger;
  audit: AuditLog;
  users: UserStore;
  /** SHELF_PUBLIC_URL: links in mails and Slack messages. */
  publicUrl: string;
  /** SHELF_AUTH_KEY and SHELF_DATA_DIR: the notify keys derive from the installation's auth key. */
  authKey: string | undefined;
  dataDir: string;
  /** SHELF_NOTIFY_ALLOW */
  allow: string[];
  /** SHELF_SMTP_URL and SHELF_MAIL_FROM; no mail when absent. */
  mail?: MailSettings;
  /** The catalog's publications, for `item.published`. */
  publications?: Publications;
  /** Retries of deliveries and mails: 8 tries, the first retry after 10 s, doubling. */
  queue?: Partial<NotifyQueueOptions>;
  /** How long a job event waits before it fans out, so a new job's callback is registered first (1 s). */
  jobEventDelayMs?: number;
  /** How long a receiver has to answer (10 s). */
  timeoutMs?: number;
  concurrency?: number;
  /** Tests replace DNS. */
  lookup?: LookupAll;
}

export interface NewWebhookRequest {
  url: string;
  events: NotifyEvent[];
  format: WebhookFormat;
  secret?: string;
}

/** What the jobs area needs to give a job a callbackUrl: check it before the job exists, store it after. */
export interface JobCallbacks {
  /** 422 (ValidationError) naming the reason when the URL may not be called. */
  checkCallbackUrl(url: string): Promise<void>;
  /** Stores the job's callbackUrl; answers the secret that signs its deliveries, for the 202. */
  registerCallback(jobId: string, url: string): Promise<{ callbackSecret: string }>;
}

/**
 * Notifications wired together (SPEC §8): admin webhooks, per-job callbacks and e-mail, all sent
 * through one BullMQ queue. `start()` runs this process's share (the event feed and a consumer);
 * main.ts and the tests build it the same way.
 */
export async function createNotifyServices(redis: Redis, opts: NotifyOptions) {
  const keys = await NotifyKeys.load(opts.authKey, opts.dataDir);
  const policy = new NotifyUrlPolicy({ allow: opts.allow, lookup: opts.lookup });
  const webhooks = new WebhookStore(redis, opts.keys, keys);
  const deliveries = new DeliveryLog(redis, opts.keys);
  const callbacks = new CallbackStore(redis, opts.keys);
  const queue = new NotifyQueue(redis, opts.keys, { ...defaultNotifyQueueOptions, ...opts.queue }, opts.logger);
  const mailer = opts.mail ? new Mailer(opts.mail) : undefined;
  const mailPlan = mailer ? new MailPlan(opts.users, opts.publicUrl) : undefined;

  const jobCallbacks: JobCallbacks = {
    checkCallbackUrl: async (url) => void (await policy.check(url, 'callbackUrl')),
    registerCallback: async (jobId, url) => {
      await policy.check(url, 'callbackUrl');
      await callbacks.set(jobId, url);
      return { callbackSecret: keys.callbackSecret(jobId) };
    },
  };

  const webhookOf = async (id: string) => {
    const hook = await webhooks.get(id);
    if (!hook) throw new NotFoundError('webhook', id);
    return hook;
  };

  return {
    ...jobCallbacks,
    callbacks,
    mailEnabled: mailer !== undefined,

    /** Registers a webhook; the answer is the only one that shows its secret. */
    async createWebhook(request: NewWebhookRequest, by: Actor): Promise<CreatedWebhook> {
      const checked = await policy.check(request.url, 'url');
      return webhooks.create({ ...request, url: checked.url, createdBy: by });
    },
    listWebhooks: (): Promise<WebhookInfo[]> => webhooks.list(),
    async deleteWebhook(id: string): Promise<WebhookInfo> {
      const hook = await webhookOf(id);
      await webhooks.remove(id);
      return webhookInfo(hook);
    },
    async attempts(id: string, limit?: number): Promise<DeliveryAttempt[]> {
      await webhookOf(id);
      return deliveries.attempts(id, limit);
    },
    /** Sends a past delivery's event again, as a new delivery (a new id) of the same webhook. */
    async redeliver(webhookId: string, deliveryId: string): Promise<{ delivery: string }> {
      await webhookOf(webhookId);
      const past = await deliveries.delivery(deliveryId);
      if (!past || past.webhookId !== webhookId) throw new NotFoundError('delivery', deliveryId);
      const delivery = randomUUID();
      await deliveries.saveDelivery({ id: delivery, webhookId, payload: past.payload });
      await queue.addDelivery(`wh-${webhookId}`, { target: { kind: 'webhook', webhookId }, delivery, payload: past.payload, redeliveryOf: deliveryId });
      return { delivery };
    },

    /** Runs this process's share: the event feed and a queue consumer. Resolves to the function that stops both. */
    async start(): Promise<() => Promise<void>> {
      const stopFeed = await startEventFeed({ redis, keys: opts.keys, queue, logger: opts.logger, publications: opts.publications, jobEventDelayMs: opts.jobEventDelayMs ?? 1000 });
      const stopConsumer = await startNotifyConsumer({
        redis,
        keys: opts.keys,
        logger: opts.logger,
        audit: opts.audit,
        concurrency: opts.concurrency,
        mailer,
        fanOut: { webhooks, deliveries, callbacks, queue, mail: mailPlan },
        deliver: { webhooks, deliveries, callbacks, policy, keys, audit: opts.audit, publicUrl: opts.publicUrl, logger: opts.logger, timeoutMs: opts.timeoutMs },
      });
      return async () => {
        await stopFeed();
        await stopConsumer();
      };
    },
    /** Closes the queue and the mail transport; the shared Redis connection stays open for its owner. */
    async close(): Promise<void> {
      await queue.close();
      mailer?.close();
    },
  };
}
export type NotifyServices = Awaited<ReturnType<typeof createNotifyServices>>;
