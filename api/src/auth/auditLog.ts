import type { Redis } from 'ioredis';
import type { AuditEntry, AuditOutcome, RedisKeys } from '@shelf/contract';

export interface AuditQuery {
  actor?: string;
  action?: string;
  outcome?: AuditOutcome;
  page: number;
  pageSize: number;
}

export interface AuditRecord {
  actor: string;
  action: string;
  target: string;
  outcome: AuditOutcome;
  ip: string;
  detail?: string;
}

/** A filtered listing reads at most this many of the newest entries. */
const maxScanned = 100_000;

/**
 * Who did what, in a Redis stream capped at `maxEntries` (approximately, as XADD's `~` trims
 * whole nodes). Newest first when read; stream ids are time-ordered, so they are the entry ids.
 */
export class AuditLog {
  constructor(
    private readonly redis: Redis,
    private readonly keys: RedisKeys,
    private readonly maxEntries: number,
  ) {}

  async record(entry: AuditRecord, now = new Date()): Promise<void> {
    const fields = ['ts', now.toISOString(), 'actor', entry.actor, 'action', entry.action, 'target', entry.target, 'outcome', entry.outcome, 'ip', entry.ip];
    if (entry.detail) fields.push('detail', entry.detail.slice(0, 500));
    await this.redis.xadd(this.keys.audit, 'MAXLEN', '~', this.maxEntries, '*', ...fields);
  }

  async list(query: AuditQuery): Promise<{ items: AuditEntry[]; total: number; page: number; pageSize: number }> {
    const start = (query.page - 1) * query.pageSize;
    const filtered = Boolean(query.actor || query.action || query.outcome);
    if (!filtered) {
      const total = await this.redis.xlen(this.keys.audit);
      // XREVRANGE has no offset: read through the page's end and keep its tail.
      const rows = await this.redis.xrevrange(this.keys.audit, '+', '-', 'COUNT', start + query.pageSize);
      return { items: rows.slice(start).map(toEntry), total, page: query.page, pageSize: query.pageSize };
    }
    const rows = await this.redis.xrevrange(this.keys.audit, '+', '-', 'COUNT', maxScanned);
    const actor = query.actor?.toLowerCase();
    const matching = rows.map(toEntry).filter(
      (e) =>
        (!actor || e.actor.toLowerCase().includes(actor)) &&
        (!query.action || e.action === query.action || e.action.startsWith(`${query.action}.`)) &&
        (!query.outcome || e.outcome === query.outcome),
    );
    return { items: matching.slice(start, start + query.pageSize), total: matching.length, page: query.page, pageSize: query.pageSize };
  }
}

function toEntry([id, flat]: [string, string[]]): AuditEntry {
  const f: Record<string, string> = {};
  for (let i = 0; i < flat.length; i += 2) f[flat[i]!] = flat[i + 1]!;
  return {
    id,
    ts: f.ts!,
    actor: f.actor!,
    action: f.action!,
    target: f.target ?? '',
    outcome: (f.outcome as AuditOutcome) ?? 'ok',
    ip: f.ip ?? '',
    ...(f.detail ? { detail: f.detail } : {}),
  };
}
