// Secrets (SPEC §10) through the real HTTP API: named secrets for admins (create, list, read,
// rotate, edit, delete) and their audit trail; an item that names a secret at submission and
// retry; secret inputs (`writeOnly`) masked in every answer and sealed at rest. A value goes in
// and never comes out: every answer, every audit entry and every byte under the test's Redis
// prefix is searched for each value used here.
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SECRET_MASK } from '@shelf/contract';
import { writeItem } from './catalogHarness.js';
import { apiClient, type Answer } from './helpers/apiClient.js';
import { FakeWorker } from './helpers/fakeWorker.js';
import { asAdmin, startShelfApi, type ShelfApi } from './helpers/shelfApi.js';

let api: ShelfApi;
let worker: FakeWorker;
const users: Record<'sam' | 'rita' | 'paul', Record<string, string>> = { sam: {}, rita: {}, paul: {} };

/** Every value handed to the API as a secret in this file. */
const values = {
  dbPassword: 'db-pass-Xq81-first',
  dbRotated: 'db-pass-Zt55-rotated',
  apiToken: 'api-token-Wm3k-named',
  tokenInput: 'token-input-Hy72-job',
  tooShortNamed: 'x9Q',
  tooShortInput: 'q7Z',
};
/** The values long enough to search raw Redis bytes for: three characters occur by chance in kilobytes of ciphertext. */
const storable = [values.dbPassword, values.dbRotated, values.apiToken, values.tokenInput];
/** The JSON of every answer this file received. */
const answers: string[] = [];

async function call(method: string, p: string, body?: unknown, headers: Record<string, string> = users.sam): Promise<Answer> {
  const res = await apiClient(api.url).call(method, p, body, headers);
  answers.push(JSON.stringify(res.body));
  return res;
}

/** The values (of `candidates`) that `text` contains. */
const leaked = (text: string, candidates: string[] = Object.values(values)) => candidates.filter((v) => text.includes(v));

const itemId = 'secret-demo';
const schema = JSON.stringify({
  type: 'object',
  additionalProperties: false,
  required: ['token'],
  properties: { token: { type: 'string', writeOnly: true }, note: { type: 'string', default: 'none' } },
});

async function publish(id: string, extra: string): Promise<void> {
  const manifest = [`id: ${id}`, `name: ${id}`, 'version: 1.0.0', 'runtime:', '  image: shelf/runtime-shell:1', '  command: ["bash", "main.sh"]', extra, ''].join('\n');
  const dir = await writeItem(path.join(api.root, id), { id, manifest, schema });
  expect((await call('POST', '/api/catalog/local/import', { path: dir }, asAdmin)).status).toBe(201);
}

/** The audit entries of `action` on `target`, newest first, once there is one (the record is written after the answer is sent). */
async function auditOf(action: string, target: string): Promise<Array<Record<string, string>>> {
  let items: Array<Record<string, string>> = [];
  for (let tries = 0; tries < 50 && items.length === 0; tries++) {
    if (tries) await sleep(20);
    const page = (await call('GET', `/api/audit?action=${action}&pageSize=200`, undefined, asAdmin)).body.items as Array<Record<string, string>>;
    items = page.filter((e) => e.target === target);
  }
  return items;
}

/** Every byte stored under the test's prefix, key by key: DUMP (RDB, may compress long strings) and the plain contents by type. */
async function storedBytes(): Promise<Array<{ key: string; parts: Buffer[] }>> {
  const out: Array<{ key: string; parts: Buffer[] }> = [];
  const flat = (v: unknown): Buffer[] => (Buffer.isBuffer(v) ? [v] : Array.isArray(v) ? v.flatMap(flat) : typeof v === 'string' ? [Buffer.from(v)] : []);
  let cursor = '0';
  do {
    const [next, keys] = await api.redis.scan(cursor, 'MATCH', `${api.prefix}:*`, 'COUNT', 1000);
    cursor = next;
    for (const key of keys) {
      const parts: Buffer[] = [Buffer.from(key)];
      const dump = await api.redis.dumpBuffer(key);
      if (dump) parts.push(dump);
      const type = await api.redis.type(key);
      if (type === 'string') parts.push(...flat(await api.redis.getBuffer(key)));
      if (type === 'hash') parts.push(...Object.entries(await api.redis.hgetallBuffer(key)).flatMap(([f, v]) => [Buffer.from(f), v]));
      if (type === 'list') parts.push(...(await api.redis.lrangeBuffer(key, 0, -1)));
      if (type === 'set') parts.push(...(await api.redis.smembersBuffer(key)));
      if (type === 'zset') parts.push(...(await api.redis.zrangeBuffer(key, 0, -1)));
      if (type === 'stream') parts.push(...flat(await api.redis.xrangeBuffer(key, '-', '+')));
      out.push({ key, parts });
    }
  } while (cursor !== '0');
  return out;
}

/** The keys under the prefix whose stored bytes hold one of `candidates` in clear (UTF-8). */
async function keysHolding(candidates: string[]): Promise<string[]> {
  const needles = candidates.map((v) => Buffer.from(v, 'utf8'));
  return (await storedBytes()).filter(({ parts }) => parts.some((b) => needles.some((n) => b.includes(n)))).map(({ key }) => key);
}

beforeAll(async () => {
  api = await startShelfApi();
  worker = new FakeWorker(api.redis, api.catalog.keys);
  const client = apiClient(api.url);
  users.sam = await client.userWithToken('sam', 'admin');
  users.rita = await client.userWithToken('rita', 'runner');
  users.paul = await client.userWithToken('paul', 'publisher');
  await publish(itemId, 'secrets: [API_TOKEN]');
});
afterAll(async () => {
  await api?.close();
});

describe('named secrets, as an admin', () => {
  it('creates, lists, reads, rotates, edits and deletes a secret; no answer holds its value', async () => {
    const before = Date.now();
    const created = await call('POST', '/api/secrets', { name: 'DB_PASSWORD', value: values.dbPassword, items: ['provision-db', 'backup-db'], description: 'the admin password' });
    expect(created.status).toBe(201);
    expect(created.body).toEqual({
      name: 'DB_PASSWORD',
      description: 'the admin password',
      items: ['backup-db', 'provision-db'],
      createdAt: expect.any(String),
      createdBy: 'sam',
      updatedAt: created.body.createdAt,
      updatedBy: 'sam',
      rotatedAt: created.body.createdAt,
      rotatedBy: 'sam',
    });
    expect(Date.parse(created.body.createdAt)).toBeGreaterThanOrEqual(before - 1000);

    const listed = await call('GET', '/api/secrets');
    expect(listed.status).toBe(200);
    expect(listed.body.items).toEqual([created.body]);
    const read = await call('GET', '/api/secrets/DB_PASSWORD');
    expect(read.status).toBe(200);
    expect(read.body).toEqual(created.body);

    await sleep(5); // so the rotation's time differs from the creation's
    const rotated = await call('PATCH', '/api/secrets/DB_PASSWORD', { value: values.dbRotated }, asAdmin);
    expect(rotated.status).toBe(200);
    expect(rotated.body).toMatchObject({ createdAt: created.body.createdAt, createdBy: 'sam', rotatedBy: 'admin-token', updatedBy: 'admin-token', items: ['backup-db', 'provision-db'] });
    expect(Date.parse(rotated.body.rotatedAt)).toBeGreaterThan(Date.parse(created.body.rotatedAt));
    expect(rotated.body.updatedAt).toBe(rotated.body.rotatedAt);

    await sleep(5);
    const edited = await call('PATCH', '/api/secrets/DB_PASSWORD', { items: ['provision-db'], description: 'the DBA password' });
    expect(edited.status).toBe(200);
    expect(edited.body).toMatchObject({ items: ['provision-db'], description: 'the DBA password', updatedBy: 'sam', rotatedAt: rotated.body.rotatedAt, rotatedBy: 'admin-token', createdAt: created.body.createdAt });
    expect(Date.parse(edited.body.updatedAt)).toBeGreaterThan(Date.parse(rotated.body.updatedAt));
    expect((await call('GET', '/api/secrets')).body.items).toEqual([edited.body]);

    // The rotated value is the one a job of a listed item would read.
    expect(await api.secrets.named.openFor('provision-db', ['DB_PASSWORD'])).toEqual({ DB_PASSWORD: values.dbRotated });

    const deleted = await call('DELETE', '/api/secrets/DB_PASSWORD');
    expect(deleted.status).toBe(204);
    expect((await call('GET', '/api/secrets/DB_PASSWORD')).status).toBe(404);
    expect((await call('PATCH', '/api/secrets/DB_PASSWORD', { description: 'gone' })).status).toBe(404);
    expect((await call('DELETE', '/api/secrets/DB_PASSWORD')).status).toBe(404);
    expect((await call('GET', '/api/secrets')).body.items).toEqual([]);

    expect(leaked(answers.join('\n'))).toEqual([]);
  });

  it('refuses a second secret of the same name with 409, and leaves the first alone', async () => {
    expect((await call('POST', '/api/secrets', { name: 'DUP_SECRET', value: values.dbPassword, items: [] })).status).toBe(201);
    const again = await call('POST', '/api/secrets', { name: 'DUP_SECRET', value: values.dbRotated, items: ['x-item'] });
    expect(again.status).toBe(409);
    expect(again.body.error.code).toBe('CONFLICT');
    expect(leaked(JSON.stringify(again.body))).toEqual([]);
    expect(await api.secrets.named.get('DUP_SECRET')).toMatchObject({ items: [] });
    expect((await call('DELETE', '/api/secrets/DUP_SECRET')).status).toBe(204);
  });

  it.each([['lower_case'], ['1STARTS_WITH_DIGIT'], ['A'], ['HAS-DASH'], ['X'.repeat(65)]])('refuses the bad name %s, naming /name and not the value, and stores nothing', async (name) => {
    const res = await call('POST', '/api/secrets', { name, value: values.dbPassword, items: [] });
    expect(res.status).toBe(422);
    expect(res.body.error.code).toBe('VALIDATION_FAILED');
    expect(JSON.stringify(res.body.error)).toContain('/name');
    expect(leaked(JSON.stringify(res.body))).toEqual([]);
    expect((await call('GET', '/api/secrets')).body.items).toEqual([]);
  });

  it('refuses a 3-character value with 422 on create and on rotate, without quoting it', async () => {
    const created = await call('POST', '/api/secrets', { name: 'SHORT_ONE', value: values.tooShortNamed, items: [] });
    expect(created.status).toBe(422);
    expect(created.body.error).toMatchObject({ code: 'VALIDATION_FAILED', details: { problems: [{ path: '/value' }] } });
    expect(JSON.stringify(created.body)).not.toContain(values.tooShortNamed);
    expect(await api.secrets.named.get('SHORT_ONE')).toBeUndefined();

    expect((await call('POST', '/api/secrets', { name: 'SHORT_ONE', value: values.dbPassword, items: [] })).status).toBe(201);
    const rotated = await call('PATCH', '/api/secrets/SHORT_ONE', { value: values.tooShortNamed });
    expect(rotated.status).toBe(422);
    expect(JSON.stringify(rotated.body)).not.toContain(values.tooShortNamed);
    expect((await call('DELETE', '/api/secrets/SHORT_ONE')).status).toBe(204);
  });
});

describe('who may manage secrets', () => {
  const routes: Array<[string, string, unknown]> = [
    ['GET', '/api/secrets', undefined],
    ['POST', '/api/secrets', { name: 'NOT_MINE', value: values.dbPassword, items: [itemId] }],
    ['GET', '/api/secrets/GUARDED', undefined],
    ['PATCH', '/api/secrets/GUARDED', { value: values.dbRotated }],
    ['DELETE', '/api/secrets/GUARDED', undefined],
  ];

  beforeAll(async () => {
    expect((await call('POST', '/api/secrets', { name: 'GUARDED', value: values.dbPassword, items: [] })).status).toBe(201);
  });
  afterAll(async () => {
    expect((await call('DELETE', '/api/secrets/GUARDED')).status).toBe(204);
  });

  it.each(routes)('%s %s: 403 for a runner and a publisher, 401 without credentials', async (method, p, body) => {
    for (const who of ['rita', 'paul'] as const) {
      const res = await call(method, p, body, users[who]);
      expect(res.status, who).toBe(403);
      expect(res.body.error).toMatchObject({ code: 'FORBIDDEN', message: expect.stringMatching(/needs the admin role/) });
    }
    const anonymous = await call(method, p, body, {});
    expect(anonymous.status).toBe(401);
    expect(anonymous.body.error.code).toBe('UNAUTHENTICATED');
    // Nothing changed.
    expect((await api.secrets.named.list()).map((s) => s.name)).toEqual(['GUARDED']);
    expect(await api.secrets.named.get('GUARDED')).toMatchObject({ createdBy: 'sam', rotatedBy: 'sam' });
    expect(api.secrets.box.open(JSON.parse((await api.redis.hget(api.catalog.keys.secrets, 'GUARDED'))!).sealed, 'secret:GUARDED')).toBe(values.dbPassword);
  });
});

describe('the audit of secrets', () => {
  it('records create, rotate, update and delete with the target and the actor, and never a value', async () => {
    expect((await call('POST', '/api/secrets', { name: 'AUDITED', value: values.dbPassword, items: ['one-item'] })).status).toBe(201);
    expect((await call('PATCH', '/api/secrets/AUDITED', { value: values.dbRotated }, asAdmin)).status).toBe(200);
    expect((await call('PATCH', '/api/secrets/AUDITED', { description: 'now described', items: [] })).status).toBe(200);
    expect((await call('DELETE', '/api/secrets/AUDITED')).status).toBe(204);

    const only = (action: string) => auditOf(action, 'secret AUDITED');
    expect(await only('secret.create')).toEqual([expect.objectContaining({ actor: 'sam', outcome: 'ok', target: 'secret AUDITED' })]);
    expect(await only('secret.rotate')).toEqual([expect.objectContaining({ actor: 'admin-token', outcome: 'ok' })]);
    expect(await only('secret.update')).toEqual([expect.objectContaining({ actor: 'sam', outcome: 'ok' })]);
    expect(await only('secret.delete')).toEqual([expect.objectContaining({ actor: 'sam', outcome: 'ok' })]);

    const all = (await call('GET', '/api/audit?pageSize=200', undefined, asAdmin)).body;
    expect(all.total).toBeLessThanOrEqual(200);
    expect(leaked(JSON.stringify(all.items))).toEqual([]);
  });
});

describe('submitting an item that names a secret and has a secret input', () => {
  let jobId = '';

  it('is refused with 422 naming API_TOKEN while the secret does not exist', async () => {
    const res = await call('POST', '/api/jobs', { itemId, inputs: { token: values.tokenInput, note: 'hello note' } }, users.rita);
    expect(res.status).toBe(422);
    expect(res.body.error.code).toBe('VALIDATION_FAILED');
    expect(res.body.error.message).toContain('API_TOKEN');
    expect(res.body.error.details.problems).toEqual([{ file: 'manifest', path: '/secrets/0', message: 'secret API_TOKEN does not exist' }]);
    expect(leaked(JSON.stringify(res.body))).toEqual([]);
  });

  it('is refused with 422 while the secret does not list the item', async () => {
    expect((await call('POST', '/api/secrets', { name: 'API_TOKEN', value: values.apiToken, items: ['some-other-item'] })).status).toBe(201);
    const res = await call('POST', '/api/jobs', { itemId, inputs: { token: values.tokenInput, note: 'hello note' } }, users.rita);
    expect(res.status).toBe(422);
    expect(res.body.error.message).toContain('API_TOKEN');
    expect(res.body.error.details.problems).toEqual([{ file: 'manifest', path: '/secrets/0', message: `secret API_TOKEN does not list item ${itemId} among the items that may use it` }]);
    expect(leaked(JSON.stringify(res.body))).toEqual([]);
  });

  it('is accepted once the secret lists the item; the token is masked in every answer and sealed at rest', async () => {
    expect((await call('PATCH', '/api/secrets/API_TOKEN', { items: ['some-other-item', itemId] })).status).toBe(200);
    const res = await call('POST', '/api/jobs', { itemId, inputs: { token: values.tokenInput, note: 'hello note' } }, users.rita);
    expect(res.status).toBe(202);
    jobId = res.body.id;

    for (const who of [users.rita, users.sam]) {
      const detail = await call('GET', `/api/jobs/${jobId}`, undefined, who);
      expect(detail.status).toBe(200);
      expect(detail.body.inputs).toEqual({ token: SECRET_MASK, note: 'hello note' });
      const listing = await call('GET', '/api/jobs', undefined, who);
      expect(listing.body.items.map((j: { id: string }) => j.id)).toContain(jobId);
      expect(leaked(JSON.stringify(listing.body))).toEqual([]);
    }

    const hash = await api.redis.hgetallBuffer(api.catalog.keys.job(jobId));
    expect(Object.keys(hash).length).toBeGreaterThan(0);
    const needle = Buffer.from(values.tokenInput, 'utf8');
    expect(Object.entries(hash).filter(([field, v]) => field.includes(values.tokenInput) || v.includes(needle))).toEqual([]);
    expect(await api.redis.exists(api.catalog.keys.jobSecrets(jobId))).toBe(1);
    expect(await api.jobs!.records.secretInputs(jobId)).toEqual({ '/token': values.tokenInput });
    expect(await keysHolding(storable)).toEqual([]);
  });

  it('refuses a 3-character token with 422 naming /token, not the value', async () => {
    const res = await call('POST', '/api/jobs', { itemId, inputs: { token: values.tooShortInput, note: 'short' } }, users.rita);
    expect(res.status).toBe(422);
    expect(res.body.error.details.problems).toEqual([expect.objectContaining({ path: '/token' })]);
    expect(JSON.stringify(res.body)).not.toContain(values.tooShortInput);
  });

  it('a retry of the failed job carries the same secret inputs, sealed again for the new job', async () => {
    expect(jobId).not.toBe('');
    await worker.run(jobId, 'FAILED');
    const retried = await call('POST', `/api/jobs/${jobId}/retry`, undefined, users.rita);
    expect(retried.status).toBe(202);
    const newId: string = retried.body.id;
    expect(newId).not.toBe(jobId);
    expect(await api.jobs!.records.secretInputs(newId)).toEqual(await api.jobs!.records.secretInputs(jobId));
    expect(await api.jobs!.records.secretInputs(newId)).toEqual({ '/token': values.tokenInput });
    // Sealed for its own job: the two stored forms differ.
    const [oldSealed, newSealed] = await Promise.all([api.redis.get(api.catalog.keys.jobSecrets(jobId)), api.redis.get(api.catalog.keys.jobSecrets(newId))]);
    expect(newSealed).not.toBe(oldSealed);

    const detail = await call('GET', `/api/jobs/${newId}`, undefined, users.rita);
    expect(detail.body).toMatchObject({ retryOf: jobId, state: 'QUEUED', inputs: { token: SECRET_MASK, note: 'hello note' } });
    expect(await keysHolding(storable)).toEqual([]);
  });

  it('a retry is refused with 422 naming API_TOKEN once the secret no longer lists the item', async () => {
    const failed = (await call('POST', '/api/jobs', { itemId, inputs: { token: values.tokenInput } }, users.rita)).body.id as string;
    await worker.run(failed, 'FAILED');
    expect((await call('PATCH', '/api/secrets/API_TOKEN', { items: ['some-other-item'] })).status).toBe(200);
    const res = await call('POST', `/api/jobs/${failed}/retry`, undefined, users.rita);
    expect(res.status).toBe(422);
    expect(res.body.error.message).toContain('API_TOKEN');
  });
});

describe('after all of the above', () => {
  it('the search of stored bytes finds a value planted in a hash, a list or a long string', async () => {
    const planted = [`${api.prefix}:probe:hash`, `${api.prefix}:probe:list`, `${api.prefix}:probe:string`];
    await api.redis.hset(planted[0]!, 'field', `{"token":"${values.tokenInput}"}`);
    await api.redis.rpush(planted[1]!, `line with ${values.apiToken} in it`);
    await api.redis.set(planted[2]!, `${'a'.repeat(500)}${values.dbRotated}${'a'.repeat(500)}`);
    try {
      expect((await keysHolding(storable)).sort()).toEqual(planted.sort());
    } finally {
      await api.redis.del(...planted);
    }
  });

  it('no answer, no audit entry and no stored byte held a secret value', async () => {
    expect(leaked(answers.join('\n'))).toEqual([]);
    const audit = await call('GET', '/api/audit?pageSize=200', undefined, asAdmin);
    expect(audit.body.total).toBeGreaterThan(0);
    expect(leaked(JSON.stringify(audit.body.items))).toEqual([]);
    expect(await keysHolding(storable)).toEqual([]);
  });
});
