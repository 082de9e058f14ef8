import { createHmac, randomBytes, randomInt } from 'node:crypto';
import type { Redis } from 'ioredis';
import { isRole, tokenPrefix, type Actor, type CreatedToken, type RedisKeys, type Role, type TokenInfo } from '@shelf/contract';
import { NotFoundError } from '../errors.js';

const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789';

/** 40 base62 characters: about 238 bits, so a keyed fast hash is enough (no password hashing). */
function newSecret(): string {
  let s = tokenPrefix;
  for (let i = 0; i < 40; i++) s += alphabet[randomInt(alphabet.length)];
  return s;
}

/** Writing `lastUsedAt` at most this often keeps a busy token from writing on every request. */
const lastUsedResolutionMs = 30_000;

export interface StoredToken extends TokenInfo {
  expiresMs: number | null;
}

/**
 * API tokens in Redis: the record by id, and the id by a keyed hash of the secret (HMAC-SHA256
 * with the server's key), so neither a Redis copy nor a log holds a usable token. Revoking
 * deletes both at once; expiry is checked on use and also set as the keys' TTL.
 */
export class TokenStore {
  constructor(
    private readonly redis: Redis,
    private readonly keys: RedisKeys,
    private readonly key: Buffer,
  ) {}

  private hashOf(secret: string): string {
    return createHmac('sha256', this.key).update(secret).digest('hex');
  }

  async create(owner: Actor, fields: { name: string; role: Role; expiresInDays?: number }, now = new Date()): Promise<CreatedToken> {
    const id = randomBytes(8).toString('hex');
    const token = newSecret();
    const expiresMs = fields.expiresInDays ? now.getTime() + fields.expiresInDays * 86_400_000 : null;
    const info: StoredToken = {
      id,
      name: fields.name,
      role: fields.role,
      hint: `${token.slice(0, tokenPrefix.length + 4)}…`,
      owner,
      createdAt: now.toISOString(),
      expiresAt: expiresMs ? new Date(expiresMs).toISOString() : null,
      lastUsedAt: null,
      expiresMs,
    };
    const hash = this.hashOf(token);
    const multi = this.redis
      .multi()
      .hset(this.keys.token(id), { ...toHash(info), hash })
      .set(this.keys.tokenByHash(hash), id)
      .sadd(this.keys.userTokens(owner.id), id);
    if (expiresMs) multi.pexpireat(this.keys.token(id), expiresMs).pexpireat(this.keys.tokenByHash(hash), expiresMs);
    await multi.exec();
    return { ...publicInfo(info), token };
  }

  /** The live token a secret names, its last use recorded; undefined when unknown, revoked or expired. */
  async use(secret: string, now = Date.now()): Promise<StoredToken | undefined> {
    if (!secret.startsWith(tokenPrefix) || secret.length > 200) return undefined;
    const id = await this.redis.get(this.keys.tokenByHash(this.hashOf(secret)));
    if (!id) return undefined;
    const token = await this.get(id);
    if (!token || (token.expiresMs !== null && token.expiresMs <= now)) return undefined;
    if (!token.lastUsedAt || now - Date.parse(token.lastUsedAt) > lastUsedResolutionMs) {
      await this.redis.hset(this.keys.token(id), 'lastUsedAt', new Date(now).toISOString());
    }
    return token;
  }

  async get(id: string): Promise<StoredToken | undefined> {
    if (!/^[0-9a-f]{16}$/.test(id)) return undefined;
    const h = await this.redis.hgetall(this.keys.token(id));
    return h.id ? fromHash(h) : undefined;
  }

  async listOf(userId: string): Promise<TokenInfo[]> {
    const ids = await this.redis.smembers(this.keys.userTokens(userId));
    const tokens = await Promise.all(ids.map((id) => this.get(id)));
    const live = tokens.filter((t): t is StoredToken => t !== undefined);
    const gone = ids.filter((_, i) => tokens[i] === undefined);
    if (gone.length) await this.redis.srem(this.keys.userTokens(userId), ...gone);
    return live.sort((a, b) => b.createdAt.localeCompare(a.createdAt)).map(publicInfo);
  }

  /** Deletes the token; the next request with it is refused. */
  async revoke(id: string): Promise<void> {
    const h = await this.redis.hgetall(this.keys.token(id));
    if (!h.id) throw new NotFoundError('token', id);
    const owner = (JSON.parse(h.owner!) as Actor).id;
    await this.redis.multi().del(this.keys.token(id)).del(this.keys.tokenByHash(h.hash!)).srem(this.keys.userTokens(owner), id).exec();
  }

  /** Revokes every token of a user (the user was disabled). */
  async revokeAll(userId: string): Promise<void> {
    for (const id of await this.redis.smembers(this.keys.userTokens(userId))) await this.revoke(id).catch(() => undefined);
  }
}

function publicInfo(t: StoredToken): TokenInfo {
  const { expiresMs: _e, ...info } = t;
  return info;
}

function toHash(t: StoredToken): Record<string, string> {
  return {
    id: t.id,
    name: t.name,
    role: t.role,
    hint: t.hint,
    owner: JSON.stringify(t.owner),
    createdAt: t.createdAt,
    expiresAt: t.expiresAt ?? '',
    lastUsedAt: t.lastUsedAt ?? '',
  };
}

function fromHash(h: Record<string, string>): StoredToken {
  const expiresAt = h.expiresAt || null;
  return {
    id: h.id!,
    name: h.name!,
    role: isRole(h.role) ? h.role : 'viewer',
    hint: h.hint!,
    owner: JSON.parse(h.owner!) as Actor,
    createdAt: h.createdAt!,
    expiresAt,
    lastUsedAt: h.lastUsedAt || null,
    expiresMs: expiresAt ? Date.parse(expiresAt) : null,
  };
}
