import { randomBytes } from 'node:crypto';
import type { Redis } from 'ioredis';
import type { Actor, CreatedWebhook, NotifyEvent, RedisKeys, WebhookFormat, WebhookInfo } from '@shelf/contract';
import type { NotifyKeys } from './notifyKeys.js';

/** A webhook as stored: what the list shows plus its sealed secret. */
export interface StoredWebhook extends WebhookInfo {
  sealedSecret: string;
}

export interface NewWebhook {
  url: string;
  events: NotifyEvent[];
  format: WebhookFormat;
  /** Generated when absent. */
  secret?: string;
  createdBy: Actor;
}

/** Webhooks in one Redis hash; the one module that reads or writes their keys. */
export class WebhookStore {
  constructor(
    private readonly redis: Redis,
    private readonly keys: RedisKeys,
    private readonly secrets: NotifyKeys,
  ) {}

  /** The answer is the only place the secret appears in clear. */
  async create(fields: NewWebhook, now = new Date()): Promise<CreatedWebhook> {
    const secret = fields.secret ?? `whsec_${randomBytes(32).toString('base64url')}`;
    const info: WebhookInfo = {
      id: randomBytes(8).toString('hex'),
      url: fields.url,
      events: [...new Set(fields.events)],
      format: fields.format,
      createdAt: now.toISOString(),
      createdBy: fields.createdBy,
    };
    const stored: StoredWebhook = { ...info, sealedSecret: this.secrets.seal(secret) };
    await this.redis.hset(this.keys.webhooks, info.id, JSON.stringify(stored));
    return { ...info, secret };
  }

  async get(id: string): Promise<StoredWebhook | undefined> {
    if (!/^[0-9a-f]{16}$/.test(id)) return undefined;
    const raw = await this.redis.hget(this.keys.webhooks, id);
    return raw ? (JSON.parse(raw) as StoredWebhook) : undefined;
  }

  async list(): Promise<WebhookInfo[]> {
    const all = Object.values(await this.redis.hgetall(this.keys.webhooks)).map((raw) => JSON.parse(raw) as StoredWebhook);
    return all.sort((a, b) => a.createdAt.localeCompare(b.createdAt)).map(webhookInfo);
  }

  /** The webhooks that asked for `event`. */
  async subscribedTo(event: NotifyEvent): Promise<StoredWebhook[]> {
    const all = Object.values(await this.redis.hgetall(this.keys.webhooks)).map((raw) => JSON.parse(raw) as StoredWebhook);
    return all.filter((w) => w.events.includes(event));
  }

  secretOf(webhook: StoredWebhook): string {
    return this.secrets.open(webhook.sealedSecret);
  }

  /** Deletes the webhook and its delivery log; false when there was none. */
  async remove(id: string): Promise<boolean> {
    const [[, removed] = []] = (await this.redis.multi().hdel(this.keys.webhooks, id).del(this.keys.webhookAttempts(id)).exec()) ?? [];
    return removed === 1;
  }
}

/** A stored webhook without its secret. */
export function webhookInfo(w: StoredWebhook): WebhookInfo {
  const { sealedSecret: _s, ...info } = w;
  return info;
}
