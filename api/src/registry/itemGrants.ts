import type { Redis } from 'ioredis';
import type { Actor, RedisKeys } from '@shelf/contract';

/** What an admin may grant an item id beyond what its publisher could give it. */
export const grantNames = ['egress'] as const;
export type GrantName = (typeof grantNames)[number];

export interface Grant {
  by: Actor;
  at: string;
}

/**
 * Per-item permissions an admin grants, kept by item id rather than by version: a grant
 * covers the versions published after it, so a team can ship updates without asking again.
 */
export class ItemGrants {
  constructor(
    private readonly redis: Redis,
    private readonly keys: RedisKeys,
  ) {}

  async has(itemId: string, name: GrantName): Promise<boolean> {
    return (await this.redis.hexists(this.keys.itemGrants(itemId), name)) === 1;
  }

  async list(itemId: string): Promise<Partial<Record<GrantName, Grant>>> {
    const raw = await this.redis.hgetall(this.keys.itemGrants(itemId));
    return Object.fromEntries(Object.entries(raw).filter(([k]) => (grantNames as readonly string[]).includes(k)).map(([k, v]) => [k, JSON.parse(v) as Grant]));
  }

  async set(itemId: string, name: GrantName, granted: boolean, by: Actor): Promise<void> {
    if (granted) await this.redis.hset(this.keys.itemGrants(itemId), name, JSON.stringify({ by, at: new Date().toISOString() } satisfies Grant));
    else await this.redis.hdel(this.keys.itemGrants(itemId), name);
  }
}
