import { createHash } from 'node:crypto';
import type { Redis } from 'ioredis';
import { parseItemTag, type ImportRecord, type ImportSource, type RedisKeys } from '@shelf/contract';
import { ForbiddenError, NotFoundError } from '../errors.js';
import type { ImportLog } from '../imports/importLog.js';
import type { GitSyncQueue } from './gitSyncQueue.js';
import { checkTag, redactUrl, type CheckedRepo, type GitUrlPolicy } from './gitUrlPolicy.js';
import type { Delivery } from './parseDelivery.js';
import type { GitSyncJobData } from './syncRepository.js';

/** The user behind a sync request, as carried to the import (their rights when they asked). */
export type SyncRequester = NonNullable<GitSyncJobData['requestedBy']>;

export type TagPush = Extract<Delivery, { kind: 'tag-push' }>;
type GitSource = Extract<ImportSource, { kind: 'git' }>;

/** What the webhook and the sync route answer once an import is on its way (or known). */
export interface GitImportAnswer {
  importId: string;
  /** The delivery (or this tag at this commit) was seen before: no second import. */
  duplicate?: true;
  /** ...but its import had failed, so it was queued again. */
  requeued?: true;
  /** The tag is not `<item-id>@<semver>`: recorded, nothing to import. */
  ignored?: true;
  message?: string;
}

export interface GitImportsDeps {
  redis: Redis;
  keys: RedisKeys;
  importLog: ImportLog;
  policy: GitUrlPolicy;
  queue: GitSyncQueue;
  /** How long delivery ids and tag commits are remembered. */
  dedupeSeconds?: number;
}

const notItemTag = (tag: string) => `tag ${tag} is not of the form <item-id>@<semver>; nothing to import`;

/**
 * Takes Git import requests (webhook tag pushes, sync requests): checks the URL and ref,
 * records the attempt and queues it. The fetch and import happen in the sync consumer, so
 * a webhook is answered in milliseconds.
 */
export class GitImports {
  private readonly ttl: number;

  constructor(private readonly deps: GitImportsDeps) {
    this.ttl = deps.dedupeSeconds ?? 7 * 24 * 3600;
  }

  async receiveTagPush(push: TagPush): Promise<GitImportAnswer> {
    const { redis, keys } = this.deps;
    const deliveryKey = keys.delivery(`${push.provider}:${push.deliveryId}`);
    const seen = await this.redeliver(await redis.get(deliveryKey));
    if (seen) return seen;

    const source = { kind: 'git', url: push.cloneUrl, ref: push.tag, trigger: 'webhook', provider: push.provider, deliveryId: push.deliveryId } as const;
    const { repo, tag } = await this.admit(source);
    if (!parseItemTag(tag)) {
      const importId = await this.recordIgnored({ ...source, url: repo.url }, notItemTag(tag));
      await redis.set(deliveryKey, importId, 'EX', this.ttl, 'NX');
      return { importId, ignored: true, message: notItemTag(tag) };
    }

    // Two webhooks (or a webhook and its redelivery under a new id) for one tag at one commit are one import.
    const tagKey = keys.gitTagImport(createHash('sha256').update(`${repo.url}\0${tag}\0${push.commit}`).digest('hex'));
    const sameTag = await this.redeliver(await redis.get(tagKey));
    if (sameTag) {
      await redis.set(deliveryKey, sameTag.importId, 'EX', this.ttl, 'NX');
      return sameTag;
    }

    const record = await this.deps.importLog.create({ ...source, url: repo.url, ref: tag }, 'queued');
    if (!(await redis.set(deliveryKey, record.importId, 'EX', this.ttl, 'NX'))) {
      // The same delivery arrived twice at once and the other request got there first.
      const winner = (await redis.get(deliveryKey)) ?? record.importId;
      await this.deps.importLog.update(record.importId, { state: 'ignored', error: `duplicate of import ${winner} (same delivery)` });
      return { importId: winner, duplicate: true };
    }
    await redis.set(tagKey, record.importId, 'EX', this.ttl);
    await this.enqueue(record);
    return { importId: record.importId };
  }

  async requestSync(url: string, ref: string | undefined, requestedBy: SyncRequester): Promise<GitImportAnswer> {
    const source: GitSource = { kind: 'git', url, trigger: 'sync', ...(ref === undefined ? {} : { ref }) };
    const { repo, tag } = await this.admit(source);
    if (tag !== undefined && !parseItemTag(tag)) {
      const importId = await this.recordIgnored({ ...source, url: repo.url, ref: tag }, notItemTag(tag));
      return { importId, ignored: true, message: notItemTag(tag) };
    }
    const record = await this.deps.importLog.create({ ...source, url: repo.url, ...(tag === undefined ? {} : { ref: tag }) }, 'queued');
    await this.enqueue(record, requestedBy);
    return { importId: record.importId };
  }

  /**
   * The URL and ref policy (403 before any git command runs). A refusal is recorded as a
   * failed import, so it shows in the imports list with its reason; credentials never are.
   */
  private async admit(source: GitSource & { ref: string }): Promise<{ repo: CheckedRepo; tag: string }>;
  private async admit(source: GitSource): Promise<{ repo: CheckedRepo; tag?: string }>;
  private async admit(source: GitSource): Promise<{ repo: CheckedRepo; tag?: string }> {
    try {
      const repo = await this.deps.policy.check(source.url);
      return { repo, tag: source.ref === undefined ? undefined : checkTag(source.ref) };
    } catch (err) {
      if (err instanceof ForbiddenError) {
        const shown = { ...source, url: redactUrl(source.url), ...(source.ref === undefined ? {} : { ref: source.ref.slice(0, 255) }) };
        const { importId } = await this.deps.importLog.create(shown, 'failed');
        await this.deps.importLog.update(importId, { state: 'failed', error: err.message });
      }
      throw err;
    }
  }

  /** A known import answers as a duplicate; a failed one is queued again. Unknown (expired) → undefined. */
  private async redeliver(importId: string | null): Promise<GitImportAnswer | undefined> {
    if (!importId) return undefined;
    let record: ImportRecord;
    try {
      record = await this.deps.importLog.get(importId);
    } catch (err) {
      if (err instanceof NotFoundError) return undefined;
      throw err;
    }
    if (record.state !== 'failed') return { importId, duplicate: true };
    await this.deps.importLog.update(importId, { state: 'queued', results: [] });
    await this.enqueue(record);
    return { importId, duplicate: true, requeued: true };
  }

  private async recordIgnored(source: ImportSource, reason: string): Promise<string> {
    const { importId } = await this.deps.importLog.create(source, 'ignored');
    await this.deps.importLog.update(importId, { state: 'ignored', error: reason });
    return importId;
  }

  private async enqueue(record: ImportRecord, requestedBy?: SyncRequester): Promise<void> {
    const source = record.source;
    if (source.kind !== 'git') throw new Error(`import ${record.importId} is not a Git import`);
    try {
      await this.deps.queue.add({
        importId: record.importId,
        url: source.url,
        ...(source.ref === undefined ? {} : { ref: source.ref }),
        ...(source.provider === undefined ? {} : { provider: source.provider }),
        ...(source.deliveryId === undefined ? {} : { deliveryId: source.deliveryId }),
        ...(requestedBy ? { requestedBy } : {}),
      });
    } catch (err) {
      await this.deps.importLog.update(record.importId, { state: 'failed', error: `could not queue the import: ${(err as Error).message}` }).catch(() => undefined);
      throw err;
    }
  }
}
