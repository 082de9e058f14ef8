// Secrets at rest against real Redis and a real key file: sealed values open only with their key
// and for their record, named secrets never answer their value, and a job's secret inputs live
// apart from the job, sealed, until retention removes them with it.
import { randomBytes } from 'node:crypto';
import { mkdtemp, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { JobState, SECRET_MASK } from '@shelf/contract';
import { JobRecords, NamedSecrets, parseSecretsKey, RegistryReader, RunRecorder, SecretBox, SecretsKeyError, type NewJob } from '../src/index.js';
import { createWorld, limits, type RecordsWorld } from './helpers.js';

const day = 24 * 60 * 60 * 1000;

/** The error `fn` throws (synchronously or by rejecting). */
async function errorOf(fn: () => unknown): Promise<Error> {
  try {
    await fn();
  } catch (err) {
    return err as Error;
  }
  throw new Error('expected an error, got none');
}

/** `sealed` with one byte of its binary part (iv · tag · ciphertext) flipped. */
function tampered(sealed: string, at: number): string {
  const [v, keyId, data] = sealed.split('.');
  const raw = Buffer.from(data!, 'base64');
  raw[at] = raw[at]! ^ 0x01;
  return `${v}.${keyId}.${raw.toString('base64')}`;
}

describe('SecretBox', () => {
  const box = SecretBox.fromKey(randomBytes(32));

  it('opens what it sealed, for the same context', () => {
    for (const plain of ['hunter22', '', 'ünïcødé 🔑', 'x'.repeat(64 * 1024)]) {
      const sealed = box.seal(plain, 'secret:DB_PASSWORD');
      expect(sealed).toMatch(new RegExp(`^s1\\.${box.keyId}\\.[A-Za-z0-9+/=]+$`));
      if (plain) expect(sealed).not.toContain(plain);
      expect(box.open(sealed, 'secret:DB_PASSWORD')).toBe(plain);
    }
    // A fresh iv each time: the same value never seals to the same text.
    expect(box.seal('hunter22', 'c')).not.toBe(box.seal('hunter22', 'c'));
  });

  it('refuses a value sealed with another key, naming both keys and never the value', () => {
    const other = SecretBox.fromKey(randomBytes(32));
    expect(other.keyId).not.toBe(box.keyId);
    expect(box.keyId).toMatch(/^[0-9a-f]{12}$/);
    const sealed = other.seal('hunter22-plain', 'job:1');
    const err = (() => {
      try {
        box.open(sealed, 'job:1');
      } catch (e) {
        return e as Error;
      }
      throw new Error('opened a value sealed with another key');
    })();
    expect(err).toBeInstanceOf(SecretsKeyError);
    expect(err.message).toContain(other.keyId);
    expect(err.message).toContain(box.keyId);
    expect(err.message).toMatch(/SHELF_SECRETS_KEY/);
    expect(err.message).not.toContain('hunter22-plain');
  });

  it('refuses a value with any byte altered: iv, tag or ciphertext', () => {
    const sealed = box.seal('hunter22', 'job:1');
    for (const at of [0, 11, 12, 27, 28, 35]) {
      expect(() => box.open(tampered(sealed, at), 'job:1'), `byte ${at}`).toThrow(SecretsKeyError);
    }
    expect(() => box.open(`${sealed}x`.replace(/=*x$/, 'AAAA'), 'job:1')).toThrow(SecretsKeyError);
    expect(() => box.open('not sealed at all', 'job:1')).toThrow(/not in a format/);
    expect(() => box.open(sealed.replace(/^s1/, 's2'), 'job:1')).toThrow(SecretsKeyError);
  });

  it('refuses a value sealed for another context', () => {
    const sealed = box.seal('hunter22', 'job:a');
    expect(() => box.open(sealed, 'job:b')).toThrow(SecretsKeyError);
    expect(() => box.open(sealed, 'secret:job:a')).toThrow(/does not open with this key/);
  });
});

describe('parseSecretsKey and SHELF_SECRETS_KEY', () => {
  const bytes = randomBytes(32);

  it('reads 32 bytes as hex (64 characters) or base64 (44), to the same key', async () => {
    const hex = parseSecretsKey(bytes.toString('hex'));
    const base64 = parseSecretsKey(`  ${bytes.toString('base64')}\n`);
    expect(hex).toEqual({ key: bytes });
    expect(base64).toEqual({ key: bytes });
    expect(parseSecretsKey(bytes.toString('hex').toUpperCase())).toEqual({ key: bytes });
    const fromHex = await SecretBox.load({ fromEnv: bytes.toString('hex'), dataDir: '/nonexistent', create: false });
    const fromBase64 = await SecretBox.load({ fromEnv: bytes.toString('base64'), dataDir: '/nonexistent', create: false });
    expect(fromHex.keyId).toBe(fromBase64.keyId);
    expect(fromBase64.open(fromHex.seal('hunter22', 'c'), 'c')).toBe('hunter22');
  });

  it.each([
    ['too short', bytes.toString('hex').slice(0, 62)],
    ['too long', `${bytes.toString('hex')}00`],
    ['31 bytes in base64', bytes.subarray(0, 31).toString('base64')],
    ['33 bytes in base64', randomBytes(33).toString('base64')],
    ['garbage', 'correct horse battery staple, not a key!!!!'],
    ['empty', ''],
  ])('refuses %s, naming the expected form', async (_what, text) => {
    const parsed = parseSecretsKey(text);
    expect(parsed).toEqual({ problem: expect.stringMatching(/base64 \(44 characters\) or hex \(64 characters\)/) });
    if (text) {
      const err = await errorOf(() => SecretBox.load({ fromEnv: text, dataDir: '/nonexistent', create: false }));
      expect(err).toBeInstanceOf(SecretsKeyError);
      expect(err.message).toMatch(/^SHELF_SECRETS_KEY must be 32 random bytes as base64 \(44 characters\) or hex \(64 characters\)/);
      expect(err.message).not.toContain(text);
    }
  });
});

describe('the key file', () => {
  let dir: string;
  beforeEach(async () => {
    dir = await mkdtemp(path.join(tmpdir(), 'shelf-secrets-'));
  });
  afterEach(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('is created 0600 on first load, and a second load reads the same key', async () => {
    const dataDir = path.join(dir, 'data');
    const first = await SecretBox.load({ dataDir, create: true });
    expect(first.ready).toBe(true);
    const file = path.join(dataDir, 'secrets.key');
    expect((await stat(file)).mode & 0o777).toBe(0o600);
    expect((await stat(dataDir)).mode & 0o777).toBe(0o700);

    const second = await SecretBox.load({ dataDir, create: false });
    expect(second.keyId).toBe(first.keyId);
    expect(second.open(first.seal('hunter22', 'secret:A'), 'secret:A')).toBe('hunter22');
    const third = await SecretBox.load({ dataDir, create: true });
    expect(third.keyId).toBe(first.keyId);
  });

  it('prefers SHELF_SECRETS_KEY to the file', async () => {
    const fromFile = await SecretBox.load({ dataDir: dir, create: true });
    const fromEnv = await SecretBox.load({ fromEnv: randomBytes(32).toString('hex'), dataDir: dir, create: true });
    expect(fromEnv.keyId).not.toBe(fromFile.keyId);
  });

  it('refuses a key file that does not hold a key, naming the file', async () => {
    await writeFile(path.join(dir, 'secrets.key'), 'not a key\n');
    const err = await errorOf(() => SecretBox.load({ dataDir: dir, create: true }));
    expect(err).toBeInstanceOf(SecretsKeyError);
    expect(err.message).toContain(path.join(dir, 'secrets.key'));
    expect(err.message).toMatch(/base64 \(44 characters\) or hex \(64 characters\)/);
  });

  it('leaves a box without a key not ready until the file appears and refresh() reads it', async () => {
    const waiting = await SecretBox.load({ dataDir: dir, create: false });
    expect(waiting.ready).toBe(false);
    for (const attempt of [() => waiting.seal('hunter22', 'c'), () => waiting.open('s1.abc.AAAA', 'c')]) {
      const err = await errorOf(attempt);
      expect(err).toBeInstanceOf(SecretsKeyError);
      expect(err.message).toMatch(/no secrets key: set SHELF_SECRETS_KEY/);
      expect(err.message).toContain(path.join(dir, 'secrets.key'));
    }
    await waiting.refresh();
    expect(waiting.ready).toBe(false);

    const api = await SecretBox.load({ dataDir: dir, create: true });
    await waiting.refresh();
    expect(waiting.ready).toBe(true);
    expect(waiting.keyId).toBe(api.keyId);
    expect(waiting.open(api.seal('hunter22', 'c'), 'c')).toBe('hunter22');
  });
});

describe('with Redis', () => {
  let world: RecordsWorld;
  const box = SecretBox.fromKey(randomBytes(32));
  beforeEach(async () => {
    world = await createWorld();
  });
  afterEach(async () => {
    await world.close();
  });

  describe('NamedSecrets', () => {
    const t0 = new Date('2025-03-01T10:00:00.000Z');
    const t1 = new Date('2025-03-02T10:00:00.000Z');
    const t2 = new Date('2025-03-03T10:00:00.000Z');
    const secrets = () => new NamedSecrets(world.redis, world.keys, box);
    const sealedOf = async (name: string) => (JSON.parse((await world.redis.hget(world.keys.secrets, name))!) as { sealed: string }).sealed;

    it('creates once, and no answer holds the value or its sealed form', async () => {
      const named = secrets();
      const created = await named.create({ name: 'DB_PASSWORD', value: 'hunter22-db', items: ['item-b', 'item-a', 'item-b'], description: 'the db' }, 'admin', t0);
      expect(created).toEqual({
        name: 'DB_PASSWORD',
        description: 'the db',
        items: ['item-a', 'item-b'],
        createdAt: t0.toISOString(),
        createdBy: 'admin',
        updatedAt: t0.toISOString(),
        updatedBy: 'admin',
        rotatedAt: t0.toISOString(),
        rotatedBy: 'admin',
      });
      expect(await named.create({ name: 'DB_PASSWORD', value: 'other-value', items: [], description: '' }, 'eve', t1)).toBeUndefined();
      await named.create({ name: 'API_TOKEN', value: 'hunter22-api', items: [], description: '' }, 'admin', t0);

      const list = await named.list();
      expect(list.map((s) => s.name)).toEqual(['API_TOKEN', 'DB_PASSWORD']);
      expect(list[1]).toEqual(created);
      expect(await named.get('DB_PASSWORD')).toEqual(created);
      expect(await named.get('NOPE')).toBeUndefined();

      const answers = JSON.stringify([created, list, await named.get('DB_PASSWORD'), await named.get('API_TOKEN')]);
      for (const leak of ['hunter22', 'other-value', 'sealed', await sealedOf('DB_PASSWORD'), await sealedOf('API_TOKEN')]) {
        expect(answers).not.toContain(leak);
      }
      // Redis holds the sealed form only.
      expect(JSON.stringify(await world.redis.hgetall(world.keys.secrets))).not.toContain('hunter22');
      expect(await named.openFor('item-a', ['DB_PASSWORD'])).toEqual({ DB_PASSWORD: 'hunter22-db' });
    });

    it('rotates the value on update, and edits items and description without rotating', async () => {
      const named = secrets();
      await named.create({ name: 'DB_PASSWORD', value: 'old-password', items: ['item-a'], description: 'd' }, 'admin', t0);
      const rotated = await named.update('DB_PASSWORD', { value: 'new-password' }, 'bob', t1);
      expect(rotated).toMatchObject({ rotatedAt: t1.toISOString(), rotatedBy: 'bob', updatedAt: t1.toISOString(), updatedBy: 'bob', createdAt: t0.toISOString(), items: ['item-a'], description: 'd' });
      expect(JSON.stringify(rotated)).not.toContain('password"');
      expect(await named.openFor('item-a', ['DB_PASSWORD'])).toEqual({ DB_PASSWORD: 'new-password' });

      const edited = await named.update('DB_PASSWORD', { items: ['item-c', 'item-b', 'item-c'], description: 'moved' }, 'carol', t2);
      expect(edited).toMatchObject({ items: ['item-b', 'item-c'], description: 'moved', updatedAt: t2.toISOString(), updatedBy: 'carol', rotatedAt: t1.toISOString(), rotatedBy: 'bob' });
      expect(await named.get('DB_PASSWORD')).toEqual(edited);
      expect(await named.openFor('item-b', ['DB_PASSWORD'])).toEqual({ DB_PASSWORD: 'new-password' });
      expect(await named.refusedFor('item-a', ['DB_PASSWORD'])).toEqual([{ name: 'DB_PASSWORD', reason: 'not-allowed' }]);

      expect(await named.update('NOPE', { value: 'whatever' }, 'bob', t1)).toBeUndefined();
    });

    it('says which secrets an item may not read, and openFor refuses naming them all', async () => {
      const named = secrets();
      await named.create({ name: 'DB_PASSWORD', value: 'hunter22-db', items: ['item-a'], description: '' }, 'admin', t0);
      await named.create({ name: 'OTHER_TOKEN', value: 'hunter22-other', items: ['item-b'], description: '' }, 'admin', t0);

      expect(await named.refusedFor('item-a', [])).toEqual([]);
      expect(await named.refusedFor('item-a', ['DB_PASSWORD'])).toEqual([]);
      expect(await named.refusedFor('item-a', ['DB_PASSWORD', 'MISSING_ONE', 'OTHER_TOKEN'])).toEqual([
        { name: 'MISSING_ONE', reason: 'missing' },
        { name: 'OTHER_TOKEN', reason: 'not-allowed' },
      ]);

      const err = await errorOf(() => named.openFor('item-a', ['DB_PASSWORD', 'MISSING_ONE', 'OTHER_TOKEN']));
      expect(err.message).toContain('MISSING_ONE (no such secret)');
      expect(err.message).toContain('OTHER_TOKEN (not allowed for item-a)');
      expect(err.message).not.toContain('DB_PASSWORD');
      expect(err.message).not.toContain('hunter22');

      expect(await named.openFor('item-a', [])).toEqual({});
      expect(await named.openFor('item-b', ['OTHER_TOKEN'])).toEqual({ OTHER_TOKEN: 'hunter22-other' });
    });

    it('does not open a record copied under another name, nor with another key', async () => {
      const named = secrets();
      await named.create({ name: 'DB_PASSWORD', value: 'hunter22-db', items: ['item-a'], description: '' }, 'admin', t0);
      const raw = (await world.redis.hget(world.keys.secrets, 'DB_PASSWORD'))!;
      await world.redis.hset(world.keys.secrets, 'STOLEN', JSON.stringify({ ...JSON.parse(raw), name: 'STOLEN' }));
      expect(await errorOf(() => named.openFor('item-a', ['STOLEN']))).toBeInstanceOf(SecretsKeyError);

      const otherKey = new NamedSecrets(world.redis, world.keys, SecretBox.fromKey(randomBytes(32)));
      const err = await errorOf(() => otherKey.openFor('item-a', ['DB_PASSWORD']));
      expect(err).toBeInstanceOf(SecretsKeyError);
      expect(err.message).toContain(box.keyId);
    });

    it('deletes', async () => {
      const named = secrets();
      await named.create({ name: 'DB_PASSWORD', value: 'hunter22-db', items: ['item-a'], description: '' }, 'admin', t0);
      expect(await named.delete('DB_PASSWORD')).toBe(true);
      expect(await named.delete('DB_PASSWORD')).toBe(false);
      expect(await named.get('DB_PASSWORD')).toBeUndefined();
      expect(await named.list()).toEqual([]);
      expect(await named.refusedFor('item-a', ['DB_PASSWORD'])).toEqual([{ name: 'DB_PASSWORD', reason: 'missing' }]);
    });
  });

  describe('job secret inputs', () => {
    const plain = 'hunter22-secret';
    const newJob = (fields: Partial<NewJob> = {}): NewJob => ({
      itemId: 'item-a',
      itemName: 'Item A',
      version: '1.0.0',
      digest: 'd'.repeat(64),
      inputs: { user: 'ada', token: SECRET_MASK },
      limits,
      submittedBy: { id: 'u1', username: 'ada' },
      ...fields,
    });
    const recordsWith = (withBox?: SecretBox) => new JobRecords(world.redis, world.keys, new RegistryReader(world.redis, world.keys), withBox);

    /** Every key under the test's prefix, with its DUMP and its value read by type. */
    async function everything(): Promise<{ key: string; dump: Buffer; value: string }[]> {
      const { redis } = world;
      const keys: string[] = [];
      let cursor = '0';
      do {
        const [next, found] = await redis.scan(cursor, 'MATCH', `${world.keys.prefix}:*`, 'COUNT', 1000);
        cursor = next;
        keys.push(...found);
      } while (cursor !== '0');
      const out = [];
      for (const key of keys) {
        const type = await redis.type(key);
        const value =
          type === 'string' ? await redis.get(key)
          : type === 'hash' ? await redis.hgetall(key)
          : type === 'list' ? await redis.lrange(key, 0, -1)
          : type === 'zset' ? await redis.zrange(key, 0, -1, 'WITHSCORES')
          : type === 'set' ? await redis.smembers(key)
          : `(${type})`;
        out.push({ key, dump: (await redis.dumpBuffer(key))!, value: JSON.stringify(value) });
      }
      return out;
    }

    it('are stored sealed beside the job, nowhere in clear, and open for the API and the worker', async () => {
      const records = recordsWith(box);
      const job = await records.create(newJob(), undefined, 0, { '/token': plain });
      const hash = await world.redis.hgetall(world.keys.job(job.id));
      expect(JSON.parse(hash.inputs!)).toEqual({ user: 'ada', token: SECRET_MASK });
      expect(JSON.stringify(hash)).not.toContain(plain);

      const sealed = await world.redis.get(world.keys.jobSecrets(job.id));
      expect(sealed).toMatch(new RegExp(`^s1\\.${box.keyId}\\.`));
      const stored = await everything();
      expect(stored.map((s) => s.key)).toContain(world.keys.jobSecrets(job.id));
      for (const { key, dump, value } of stored) {
        expect(dump.includes(plain), key).toBe(false);
        expect(value, key).not.toContain(plain);
      }
      await world.until(() => world.rawEvents.length === 1, 'the created event');
      expect(world.rawEvents.join('\n')).not.toContain(plain);

      expect(await records.secretInputs(job.id)).toEqual({ '/token': plain });
      expect(await new RunRecorder(world.redis, world.keys, box).secretInputs(job.id)).toEqual({ '/token': plain });
      const started = await new RunRecorder(world.redis, world.keys, box).start(job.id);
      expect(JSON.stringify(started)).not.toContain(plain);
    });

    it('answer {} for a job without secrets, and store nothing for it', async () => {
      const records = recordsWith(box);
      for (const secretInputs of [undefined, {}]) {
        const job = await records.create(newJob({ inputs: { user: 'ada' } }), undefined, 0, secretInputs);
        expect(await world.redis.exists(world.keys.jobSecrets(job.id))).toBe(0);
        expect(await records.secretInputs(job.id)).toEqual({});
        expect(await new RunRecorder(world.redis, world.keys, box).secretInputs(job.id)).toEqual({});
        // A process without a key still reads a job that has none.
        expect(await world.recorder.secretInputs(job.id)).toEqual({});
      }
    });

    it('are refused without a key, and do not open without it, with another key or for another job', async () => {
      const err = await errorOf(() => recordsWith(undefined).create(newJob(), undefined, 0, { '/token': plain }));
      expect(err).toBeInstanceOf(SecretsKeyError);
      expect(await world.redis.exists(world.keys.jobsAll)).toBe(0);

      const job = await recordsWith(box).create(newJob(), undefined, 0, { '/token': plain });
      const other = await recordsWith(box).create(newJob(), undefined, 0, { '/token': 'another-secret' });
      expect(await errorOf(() => world.recorder.secretInputs(job.id))).toBeInstanceOf(SecretsKeyError);
      const wrongKey = await errorOf(() => new RunRecorder(world.redis, world.keys, SecretBox.fromKey(randomBytes(32))).secretInputs(job.id));
      expect(wrongKey).toBeInstanceOf(SecretsKeyError);
      expect(wrongKey.message).not.toContain(plain);
      // Sealed for job:<id>: moved to another job, it does not open.
      await world.redis.copy(world.keys.jobSecrets(job.id), world.keys.jobSecrets(other.id), 'REPLACE');
      expect(await errorOf(() => recordsWith(box).secretInputs(other.id))).toBeInstanceOf(SecretsKeyError);
    });

    it('are deleted with the job when retention prunes it, and kept while it is not finished', async () => {
      const records = recordsWith(box);
      const recorder = new RunRecorder(world.redis, world.keys, box);
      const old = new Date(Date.now() - 40 * day);
      const finished = (await records.create(newJob(), old, 0, { '/token': plain })).id;
      const running = (await records.create(newJob(), old, 0, { '/token': plain })).id;
      const cancelled = (await records.create(newJob(), old, 0, { '/token': plain })).id;
      const orphan = (await records.create(newJob(), old, 0, { '/token': plain })).id;
      for (const id of [finished, running, orphan]) await recorder.start(id);
      await recorder.finish(finished, { state: JobState.SUCCEEDED, exitCode: 0, outputs: null });
      await recorder.finish(orphan, { state: JobState.FAILED, exitCode: 1, error: { code: 'EXIT', message: 'exited with 1' } });
      await records.cancel(cancelled, JobState.QUEUED, 'ada');
      // A finished job whose hash is already gone: retention still cleans what it left.
      await world.redis.del(world.keys.job(orphan));

      expect(await records.prune(30 * day)).toBe(2);
      for (const id of [finished, cancelled, orphan]) {
        expect(await world.redis.exists(world.keys.jobSecrets(id)), id).toBe(0);
        expect(await records.secretInputs(id)).toEqual({});
      }
      expect(await records.has(running)).toBe(true);
      expect(await recorder.secretInputs(running)).toEqual({ '/token': plain });
      expect((await everything()).filter((s) => s.key.endsWith(':secrets')).map((s) => s.key)).toEqual([world.keys.jobSecrets(running)]);
    });
  });
});
