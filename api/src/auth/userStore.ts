import { randomBytes } from 'node:crypto';
import type { Redis } from 'ioredis';
import { isRole, type RedisKeys, type Role, type UserInfo } from '@shelf/contract';
import { ConflictError, NotFoundError } from '../errors.js';

/** A stored user: what UserInfo shows plus what only the server sees. */
export interface UserRecord extends UserInfo {
  /** argon2id PHC string; '' for OIDC users. */
  passwordHash: string;
  groups: string[];
  /** `issuer|sub` of an OIDC user. */
  subject: string;
  /** Mail me when a job of mine ends (PATCH /api/me); decisions on my jobs are always mailed. */
  notifyOnFinish?: boolean;
}

/**
 * Claims a username and writes the user in one step, so two creations of the same name
 * (any case) cannot both succeed. KEYS[1] usernames hash · KEYS[2] user hash · KEYS[3] users
 * index · KEYS[4] subjects hash · ARGV[1] lowercase name · ARGV[2] id · ARGV[3] score ·
 * ARGV[4] OIDC subject or '' · ARGV[5..] field, value pairs.
 */
const createUserLua = `
if redis.call('HSETNX', KEYS[1], ARGV[1], ARGV[2]) == 0 then return 0 end
if ARGV[4] ~= '' then redis.call('HSET', KEYS[4], ARGV[4], ARGV[2]) end
for i = 5, #ARGV, 2 do redis.call('HSET', KEYS[2], ARGV[i], ARGV[i + 1]) end
redis.call('ZADD', KEYS[3], ARGV[3], ARGV[2])
return 1
`;

export interface NewUser {
  username: string;
  role: Role;
  email?: string;
  name?: string;
  source: 'local' | 'oidc';
  passwordHash?: string;
  groups?: string[];
  subject?: string;
}

/** Users in Redis; the one module that reads or writes their keys. */
export class UserStore {
  constructor(
    private readonly redis: Redis,
    private readonly keys: RedisKeys,
  ) {}

  /** 409 when the username (whatever its case) is taken. */
  async create(user: NewUser, now = new Date()): Promise<UserRecord> {
    const id = randomBytes(12).toString('hex');
    const record: UserRecord = {
      id,
      username: user.username,
      role: user.role,
      source: user.source,
      disabled: false,
      createdAt: now.toISOString(),
      lastLoginAt: null,
      passwordHash: user.passwordHash ?? '',
      groups: user.groups ?? [],
      subject: user.subject ?? '',
      ...(user.email ? { email: user.email } : {}),
      ...(user.name ? { name: user.name } : {}),
    };
    const pairs = Object.entries(toHash(record)).flat();
    const created = await this.redis.eval(
      createUserLua,
      4,
      this.keys.usernames,
      this.keys.user(id),
      this.keys.users,
      this.keys.userSubjects,
      user.username.toLowerCase(),
      id,
      now.getTime(),
      record.subject,
      ...pairs,
    );
    if (created !== 1) throw new ConflictError(`the username ${user.username} is taken`, { field: 'username' });
    return record;
  }

  async get(id: string): Promise<UserRecord | undefined> {
    if (!/^[0-9a-f]{24}$/.test(id)) return undefined;
    const h = await this.redis.hgetall(this.keys.user(id));
    return h.id ? fromHash(h) : undefined;
  }

  async require(id: string): Promise<UserRecord> {
    const user = await this.get(id);
    if (!user) throw new NotFoundError('user', id);
    return user;
  }

  async byUsername(username: string): Promise<UserRecord | undefined> {
    const id = await this.redis.hget(this.keys.usernames, username.toLowerCase());
    return id ? this.get(id) : undefined;
  }

  /** The user an OIDC provider's `issuer|sub` signed in before. */
  async bySubject(subject: string): Promise<UserRecord | undefined> {
    const id = await this.redis.hget(this.keys.userSubjects, subject);
    return id ? this.get(id) : undefined;
  }

  async list(): Promise<UserRecord[]> {
    const ids = await this.redis.zrange(this.keys.users, 0, -1);
    const pipeline = this.redis.pipeline();
    for (const id of ids) pipeline.hgetall(this.keys.user(id));
    const rows = (await pipeline.exec()) ?? [];
    return rows.map(([, h]) => h as Record<string, string>).filter((h) => h?.id).map(fromHash);
  }

  async count(): Promise<number> {
    return this.redis.zcard(this.keys.users);
  }

  async update(id: string, fields: Partial<Pick<UserRecord, 'role' | 'disabled' | 'passwordHash' | 'lastLoginAt' | 'groups' | 'email' | 'name' | 'notifyOnFinish'>>): Promise<UserRecord> {
    const user = await this.require(id);
    const next = { ...user, ...fields };
    await this.redis.hset(this.keys.user(id), toHash(next));
    return next;
  }
}

export function toUserInfo(u: UserRecord): UserInfo {
  const { passwordHash: _p, groups: _g, subject: _s, notifyOnFinish: _n, ...info } = u;
  return info;
}

function toHash(u: UserRecord): Record<string, string> {
  return {
    id: u.id,
    username: u.username,
    role: u.role,
    source: u.source,
    disabled: u.disabled ? '1' : '0',
    createdAt: u.createdAt,
    lastLoginAt: u.lastLoginAt ?? '',
    passwordHash: u.passwordHash,
    groups: JSON.stringify(u.groups),
    subject: u.subject,
    email: u.email ?? '',
    name: u.name ?? '',
    notifyOnFinish: u.notifyOnFinish ? '1' : '0',
  };
}

function fromHash(h: Record<string, string>): UserRecord {
  return {
    id: h.id!,
    username: h.username!,
    role: isRole(h.role) ? h.role : 'viewer',
    source: h.source === 'oidc' ? 'oidc' : 'local',
    disabled: h.disabled === '1',
    createdAt: h.createdAt!,
    lastLoginAt: h.lastLoginAt || null,
    passwordHash: h.passwordHash ?? '',
    groups: h.groups ? (JSON.parse(h.groups) as string[]) : [],
    subject: h.subject ?? '',
    ...(h.email ? { email: h.email } : {}),
    ...(h.name ? { name: h.name } : {}),
    ...(h.notifyOnFinish === '1' ? { notifyOnFinish: true } : {}),
  };
}
