import { randomUUID } from 'node:crypto';
import type { Redis } from 'ioredis';
import type { ImportItemResult, ImportRecord, ImportSource, ImportState, RedisKeys } from '@shelf/contract';
import { NotFoundError } from '../errors.js';

/** How many import attempts the list keeps; older ones are dropped with their records. */
const keep = 5000;
/**
 * How many of those may be failed or ignored. Refusals cost an attacker nothing, so they are
 * trimmed among themselves: 5,000 refused requests cannot push real imports out of the history.
 */
const keepRefused = 1000;

/** Every import attempt of any source, newest first, with its outcome. */
export class ImportLog {
  constructor(
    private readonly redis: Redis,
    private readonly keys: RedisKeys,
  ) {}

  async create(source: ImportSource, state: ImportState = 'queued'): Promise<ImportRecord> {
    const now = new Date().toISOString();
    const record: ImportRecord = { importId: randomUUID(), source, state, results: [], createdAt: now, updatedAt: now };
    await this.redis
      .multi()
      .set(this.keys.importRecord(record.importId), JSON.stringify(record))
      .zadd(this.keys.imports, Date.now(), record.importId)
      .exec();
    await this.trim();
    return record;
  }

  async update(importId: string, change: { state: ImportState; results?: ImportItemResult[]; error?: string }): Promise<ImportRecord> {
    const record = await this.get(importId);
    const next: ImportRecord = { ...record, ...change, updatedAt: new Date().toISOString() };
    if (change.error === undefined) delete next.error;
    const refused = change.state === 'failed' || change.state === 'ignored';
    const write = this.redis.multi().set(this.keys.importRecord(importId), JSON.stringify(next));
    if (refused) write.zadd(this.keys.importsRefused, Date.parse(record.createdAt), importId);
    await write.exec();
    if (refused) await this.trimRefused();
    return next;
  }

  async get(importId: string): Promise<ImportRecord> {
    const raw = await this.redis.get(this.keys.importRecord(importId));
    if (!raw) throw new NotFoundError('import', importId);
    return JSON.parse(raw) as ImportRecord;
  }

  async list(limit = 200): Promise<ImportRecord[]> {
    const ids = await this.redis.zrevrange(this.keys.imports, 0, limit - 1);
    if (!ids.length) return [];
    const rows = await this.redis.mget(ids.map((id) => this.keys.importRecord(id)));
    return rows.filter((r): r is string => r !== null).map((r) => JSON.parse(r) as ImportRecord);
  }

  private async trim(): Promise<void> {
    await this.drop(await this.redis.zrange(this.keys.imports, 0, -keep - 1));
  }

  private async trimRefused(): Promise<void> {
    await this.drop(await this.redis.zrange(this.keys.importsRefused, 0, -keepRefused - 1));
  }

  private async drop(stale: string[]): Promise<void> {
    if (!stale.length) return;
    await this.redis
      .multi()
      .zrem(this.keys.imports, ...stale)
      .zrem(this.keys.importsRefused, ...stale)
      .del(...stale.map((id) => this.keys.importRecord(id)))
      .exec();
  }
}
