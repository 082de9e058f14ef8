import type { Redis } from 'ioredis';
import type { DeliveryAttempt, JobSummary, NotifyEvent, PublishedItem, RedisKeys } from '@shelf/contract';

/** What an event says, without the delivery id each delivery adds. */
export interface EventPayload {
  event: NotifyEvent;
  /** The job id or `item@version`. */
  subject: string;
  at: string;
  job?: JobSummary;
  item?: PublishedItem;
}

/** A delivery to a webhook, kept so that it can be redelivered. */
export interface StoredDelivery {
  id: string;
  webhookId: string;
  payload: EventPayload;
}

/** How many attempts a webhook's log keeps, and how long a delivery stays redeliverable. */
export const deliveryLogLimits = { attemptsKept: 200, deliveryTtlSeconds: 30 * 86_400 };

/** Webhook deliveries and each attempt's outcome; the one module that reads or writes their keys. */
export class DeliveryLog {
  constructor(
    private readonly redis: Redis,
    private readonly keys: RedisKeys,
  ) {}

  async saveDelivery(delivery: StoredDelivery): Promise<void> {
    await this.redis.set(this.keys.webhookDelivery(delivery.id), JSON.stringify(delivery), 'EX', deliveryLogLimits.deliveryTtlSeconds);
  }

  async delivery(id: string): Promise<StoredDelivery | undefined> {
    if (!/^[0-9a-f-]{36}$/.test(id)) return undefined;
    const raw = await this.redis.get(this.keys.webhookDelivery(id));
    return raw ? (JSON.parse(raw) as StoredDelivery) : undefined;
  }

  /** Newest first; the list is capped, so a flood of failures cannot grow it. */
  async recordAttempt(webhookId: string, attempt: DeliveryAttempt): Promise<void> {
    const key = this.keys.webhookAttempts(webhookId);
    await this.redis.multi().lpush(key, JSON.stringify(attempt)).ltrim(key, 0, deliveryLogLimits.attemptsKept - 1).exec();
  }

  async attempts(webhookId: string, limit = deliveryLogLimits.attemptsKept): Promise<DeliveryAttempt[]> {
    const rows = await this.redis.lrange(this.keys.webhookAttempts(webhookId), 0, limit - 1);
    return rows.map((row) => JSON.parse(row) as DeliveryAttempt);
  }
}
