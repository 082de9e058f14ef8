import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { writeItem } from './catalogHarness.js';
import { apiClient } from './helpers/apiClient.js';
import { asAdmin, startShelfApi, type ShelfApi } from './helpers/shelfApi.js';

// Who sees and acts on which job, who may run an item, and who may publish an id: through
// the real HTTP API (no worker runs here, so jobs stay QUEUED).

let api: ShelfApi;
const users: Record<string, Record<string, string>> = {};
let call: ReturnType<typeof apiClient>['call'];

async function importAs(headers: Record<string, string>, id: string, version: string, manifestExtra = ''): Promise<{ status: number; body: any }> {
  const manifest = [`id: ${id}`, `name: ${id}`, `version: ${version}`, 'owner: platform-team', 'runtime:', '  image: shelf/runtime-shell:1', '  command: ["bash", "main.sh"]', manifestExtra, ''].join('\n');
  const dir = await writeItem(path.join(api.root, `${id}-${version}-${Math.random().toString(16).slice(2)}`), { id, manifest });
  return call('POST', '/api/catalog/local/import', { path: dir }, headers);
}

beforeAll(async () => {
  api = await startShelfApi();
  const client = apiClient(api.url);
  call = (method, p, body, headers) => client.call(method, p, body, headers);
  const user = client.userWithToken;
  for (const [name, role] of [['alice', 'runner'], ['bob', 'runner'], ['carol', 'runner'], ['vera', 'viewer'], ['pia', 'publisher'], ['paul', 'publisher']] as const) {
    users[name] = await user(name, role);
  }
  expect((await importAs(asAdmin, 'open-item', '1.0.0')).status).toBe(201);
  expect((await importAs(asAdmin, 'carols-item', '1.0.0', 'access:\n  run: ["user:carol", "group:dba"]')).status).toBe(201);
});
afterAll(async () => {
  await api?.close();
});

describe('jobs belong to their submitter', () => {
  it('lists, shows and cancels a job for its submitter and admins only', async () => {
    const submitted = await call('POST', '/api/jobs', { itemId: 'open-item', inputs: {} }, users.alice!);
    expect(submitted.status).toBe(202);
    const id = submitted.body.id as string;

    const own = await call('GET', '/api/jobs', undefined, users.alice!);
    expect(own.body.items.map((j: any) => j.id)).toContain(id);
    expect(own.body.items[0].submittedBy).toMatchObject({ username: 'alice' });
    const others = await call('GET', '/api/jobs', undefined, users.bob!);
    expect(others.body.items.map((j: any) => j.id)).not.toContain(id);
    expect((await call('GET', `/api/jobs/${id}`, undefined, users.bob!)).status).toBe(403);
    expect((await call('GET', `/api/jobs/${id}/logs`, undefined, users.bob!)).status).toBe(403);
    expect((await call('POST', `/api/jobs/${id}/cancel`, undefined, users.bob!)).status).toBe(403);

    const everything = await call('GET', '/api/jobs?pageSize=100', undefined, asAdmin);
    expect(everything.body.items.map((j: any) => j.id)).toContain(id);
    const cancelled = await call('POST', `/api/jobs/${id}/cancel`, undefined, users.alice!);
    expect(cancelled.body).toMatchObject({ state: 'CANCELLED', error: { message: 'cancelled by alice' } });
    const retried = await call('POST', `/api/jobs/${id}/retry`, undefined, users.bob!);
    expect(retried.status).toBe(403);
  });

  it('a search by item name still shows only your own jobs', async () => {
    await call('POST', '/api/jobs', { itemId: 'open-item', inputs: {} }, users.bob!);
    const found = await call('GET', '/api/jobs?q=open', undefined, users.alice!);
    expect(found.body.items.length).toBeGreaterThan(0);
    expect(found.body.items.every((j: any) => j.submittedBy.username === 'alice')).toBe(true);
  });

  it('mine=true narrows an admin to their own jobs (and changes nothing for others)', async () => {
    const ada = await apiClient(api.url).userWithToken('ada', 'admin');
    const adas = (await call('POST', '/api/jobs', { itemId: 'open-item', inputs: {} }, ada)).body.id as string;
    const alices = (await call('POST', '/api/jobs', { itemId: 'open-item', inputs: {} }, users.alice!)).body.id as string;
    const all = await call('GET', '/api/jobs?itemId=open-item&pageSize=100', undefined, ada);
    expect(all.body.items.map((j: any) => j.id)).toEqual(expect.arrayContaining([adas, alices]));
    const mine = await call('GET', '/api/jobs?itemId=open-item&mine=true&pageSize=100', undefined, ada);
    expect(mine.body.items.map((j: any) => j.id)).toEqual([adas]);
    const alicesOwn = await call('GET', '/api/jobs?itemId=open-item&mine=true&pageSize=100', undefined, users.alice!);
    expect(alicesOwn.body.items.map((j: any) => j.id)).toContain(alices);
    expect(alicesOwn.body.items.every((j: any) => j.submittedBy.username === 'alice')).toBe(true);
    expect((await call('GET', '/api/jobs?mine=yes', undefined, ada)).status).toBe(400);
  });

  it('a viewer may not submit', async () => {
    const res = await call('POST', '/api/jobs', { itemId: 'open-item', inputs: {} }, users.vera!);
    expect(res.status).toBe(403);
    expect(res.body.error.message).toMatch(/runner role/);
  });
});

describe("the item's access.run", () => {
  it('lets only the listed principals run it, and says so on the descriptor', async () => {
    const refused = await call('POST', '/api/jobs', { itemId: 'carols-item', inputs: {} }, users.alice!);
    expect(refused.status).toBe(403);
    expect(refused.body.error.message).toBe('only user:carol, group:dba may run carols-item');
    expect((await call('POST', '/api/jobs', { itemId: 'carols-item', inputs: {} }, users.carol!)).status).toBe(202);
    expect((await call('GET', '/api/catalog/carols-item/latest/descriptor', undefined, users.alice!)).body.canRun).toEqual({
      allowed: false,
      reason: 'only user:carol, group:dba may run carols-item',
    });
    expect((await call('GET', '/api/catalog/carols-item/latest/descriptor', undefined, users.carol!)).body.canRun).toEqual({ allowed: true });
  });

  it('refuses a principal that is not role:, group: or user: at import', async () => {
    const res = await importAs(asAdmin, 'bad-access', '1.0.0', 'access:\n  run: ["everyone"]');
    expect(res.status).toBe(422);
    expect(res.body.error.details.problems[0].path).toBe('/access/run/0');
  });
});

describe('item ownership', () => {
  it('lets only the first publisher (and admins) publish further versions of an id', async () => {
    expect((await importAs(users.pia!, 'pias-tool', '1.0.0')).status).toBe(201);
    const takeover = await importAs(users.paul!, 'pias-tool', '9.9.9');
    expect(takeover.status).toBe(403);
    expect(takeover.body.error.message).toMatch(/pias-tool belongs to pia, group platform-team; only its owners and admins publish new versions/);
    expect((await call('GET', '/api/catalog/pias-tool/versions', undefined, asAdmin)).body.items.map((v: any) => v.version)).toEqual(['1.0.0']);
    expect((await importAs(users.pia!, 'pias-tool', '1.1.0')).status).toBe(201);
    expect((await importAs(asAdmin, 'pias-tool', '1.2.0')).status).toBe(201);
  });

  it('refuses runners any import', async () => {
    expect((await importAs(users.alice!, 'runner-item', '1.0.0')).status).toBe(403);
  });
});
