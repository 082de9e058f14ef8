import type { Redis } from 'ioredis';
import type { NamedSecret, RedisKeys } from '@shelf/contract';
import type { SecretBox } from './secretBox.js';

interface StoredSecret extends NamedSecret {
  /** The value, sealed for the context `secret:<name>`. */
  sealed: string;
}

export interface NewSecret {
  name: string;
  value: string;
  items: string[];
  description: string;
}

export interface SecretChange {
  value?: string;
  items?: string[];
  description?: string;
}

/** Why a job of an item may not read one of the secrets its manifest names. */
export interface RefusedSecret {
  name: string;
  reason: 'missing' | 'not-allowed';
}

/** Replaces the record only if it is still the one read: two admins editing at once cannot lose a change silently. */
const replaceIfUnchangedLua = `
if redis.call('HGET', KEYS[1], ARGV[1]) ~= ARGV[2] then return 0 end
redis.call('HSET', KEYS[1], ARGV[1], ARGV[3])
return 1
`;

const contextOf = (name: string) => `secret:${name}`;

/**
 * Named secrets (SPEC §10): one Redis hash, name → record with the value sealed. The API
 * writes them; the worker opens the ones a job's item may use, right before the run.
 */
export class NamedSecrets {
  constructor(
    private readonly redis: Redis,
    private readonly keys: RedisKeys,
    private readonly box: SecretBox,
  ) {}

  async list(): Promise<NamedSecret[]> {
    const all = await this.redis.hvals(this.keys.secrets);
    return all.map((raw) => publicView(JSON.parse(raw) as StoredSecret)).sort((a, b) => a.name.localeCompare(b.name));
  }

  async get(name: string): Promise<NamedSecret | undefined> {
    const stored = await this.read(name);
    return stored && publicView(stored.record);
  }

  /** Undefined when the name is taken. */
  async create(input: NewSecret, by: string, now = new Date()): Promise<NamedSecret | undefined> {
    const at = now.toISOString();
    const record: StoredSecret = {
      name: input.name,
      description: input.description,
      items: [...new Set(input.items)].sort(),
      createdAt: at,
      createdBy: by,
      updatedAt: at,
      updatedBy: by,
      rotatedAt: at,
      rotatedBy: by,
      sealed: this.box.seal(input.value, contextOf(input.name)),
    };
    const created = await this.redis.hsetnx(this.keys.secrets, input.name, JSON.stringify(record));
    return created ? publicView(record) : undefined;
  }

  /** Undefined when there is no such secret; throws when it changed under us twice in a row. */
  async update(name: string, change: SecretChange, by: string, now = new Date()): Promise<NamedSecret | undefined> {
    for (let attempt = 0; attempt < 3; attempt++) {
      const current = await this.read(name);
      if (!current) return undefined;
      const at = now.toISOString();
      const next: StoredSecret = {
        ...current.record,
        ...(change.items ? { items: [...new Set(change.items)].sort() } : {}),
        ...(change.description !== undefined ? { description: change.description } : {}),
        updatedAt: at,
        updatedBy: by,
        ...(change.value !== undefined ? { sealed: this.box.seal(change.value, contextOf(name)), rotatedAt: at, rotatedBy: by } : {}),
      };
      const done = await this.redis.eval(replaceIfUnchangedLua, 1, this.keys.secrets, name, current.raw, JSON.stringify(next));
      if (done === 1) return publicView(next);
    }
    throw new Error(`secret ${name} kept changing while it was being updated; try again`);
  }

  async delete(name: string): Promise<boolean> {
    return (await this.redis.hdel(this.keys.secrets, name)) === 1;
  }

  /** The secrets among `names` that a job of `itemId` may not read, and why. */
  async refusedFor(itemId: string, names: readonly string[]): Promise<RefusedSecret[]> {
    if (names.length === 0) return [];
    const raws = await this.redis.hmget(this.keys.secrets, ...names);
    const refused: RefusedSecret[] = [];
    names.forEach((name, i) => {
      const raw = raws[i];
      if (!raw) refused.push({ name, reason: 'missing' });
      else if (!(JSON.parse(raw) as StoredSecret).items.includes(itemId)) refused.push({ name, reason: 'not-allowed' });
    });
    return refused;
  }

  /**
   * The values of `names` for a job of `itemId`, decrypted. Throws naming every secret that is
   * missing or not allowed (an admin changed it after the job was submitted).
   */
  async openFor(itemId: string, names: readonly string[]): Promise<Record<string, string>> {
    if (names.length === 0) return {};
    const refused = await this.refusedFor(itemId, names);
    if (refused.length) throw new Error(describeRefused(itemId, refused));
    const raws = await this.redis.hmget(this.keys.secrets, ...names);
    const values: Record<string, string> = {};
    names.forEach((name, i) => {
      const record = JSON.parse(raws[i]!) as StoredSecret;
      values[name] = this.box.open(record.sealed, contextOf(name));
    });
    return values;
  }

  private async read(name: string): Promise<{ raw: string; record: StoredSecret } | undefined> {
    const raw = await this.redis.hget(this.keys.secrets, name);
    return raw ? { raw, record: JSON.parse(raw) as StoredSecret } : undefined;
  }
}

/** One sentence about the secrets an item may not use, for the submitter (422) or the failed job. */
export function describeRefused(itemId: string, refused: readonly RefusedSecret[]): string {
  const parts = refused.map(({ name, reason }) => (reason === 'missing' ? `${name} (no such secret)` : `${name} (not allowed for ${itemId})`));
  return `item ${itemId} uses secrets it may not read: ${parts.join(', ')} — an admin creates secrets and names the items that may use them on the Secrets page`;
}

function publicView(record: StoredSecret): NamedSecret {
  const { sealed: _sealed, ...rest } = record;
  return rest;
}
