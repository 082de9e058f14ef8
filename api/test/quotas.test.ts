import { randomBytes } from 'node:crypto';
import { readdir } from 'node:fs/promises';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { reindex } from '../src/registry/reindex.js';
import { createLogger } from '../src/logger.js';
import { getJson, postJson, writeItem } from './catalogHarness.js';
import { apiClient } from './helpers/apiClient.js';
import { asAdmin, startShelfApi, type ShelfApi } from './helpers/shelfApi.js';

// What one client may store or hold, through the real API: over a quota the answer says which
// one, and nothing is half-written.

let api: ShelfApi;
afterEach(async () => {
  await api?.close();
});

describe('import history', () => {
  beforeEach(async () => {
    api = await startShelfApi({ jobs: false });
  });

  it('keeps real imports when a client floods it with refused attempts', { timeout: 60_000 }, async () => {
    const good = await postJson(`${api.url}/api/catalog/local/import`, { path: await writeItem(path.join(api.root, 'hello')) });
    expect(good.status).toBe(201);
    // More refused attempts than the whole history holds (5,000), a few at a time; each is a 403 recorded as a failed import.
    for (let i = 0; i < 5100; i += 50) {
      const batch = await Promise.all(Array.from({ length: 50 }, () => postJson(`${api.url}/api/catalog/local/import`, { path: '/etc' })));
      expect(batch.every((r) => r.status === 403)).toBe(true);
    }
    const kept = await getJson(`${api.url}/api/catalog/imports/${good.body.importId}`);
    expect(kept.status).toBe(200);
    expect(kept.body).toMatchObject({ state: 'done', results: [{ id: 'hello', status: 'created' }] });
    // Refusals are trimmed among themselves to the newest 1,000.
    expect(await api.redis.zcard(api.catalog.keys.importsRefused)).toBe(1000);
    expect(await api.redis.zcard(api.catalog.keys.imports)).toBe(1001);
  });
});

describe('bundle store quotas', () => {
  /** An item with 75 KiB of random bytes as base64 (6 bits a character), so its bundle is about 76 KiB. */
  const bulkyItem = (id: string, version = '1.0.0') =>
    writeItem(path.join(api.root, `${id}-${version}-${randomBytes(3).toString('hex')}`), { id, version, extra: { 'data.txt': randomBytes(75_000).toString('base64') } });
  const importAs = async (headers: Record<string, string>, dir: string) => {
    const res = await fetch(`${api.url}/api/catalog/local/import`, { method: 'POST', headers: { ...headers, 'content-type': 'application/json' }, body: JSON.stringify({ path: dir }) });
    return { status: res.status, body: (await res.json()) as any };
  };
  const storedBundles = async () => (await readdir(api.bundlesDir)).filter((f) => f.endsWith('.tar.gz')).length;

  it('caps the bytes one publisher stores (507), counts a re-import once, and leaves others free', async () => {
    api = await startShelfApi({ jobs: false, storeQuota: { maxStoreBytes: 10_000_000, maxPublisherStoreBytes: 200_000, maxVersionsPerItem: 100 } });
    const { userWithToken } = apiClient(api.url);
    const pia = await userWithToken('pia', 'publisher');
    const paul = await userWithToken('paul', 'publisher');
    const first = await bulkyItem('one');
    expect((await importAs(pia, first)).status).toBe(201);
    expect((await importAs(pia, first)).status).toBe(200); // unchanged: no new bytes
    expect((await importAs(pia, await bulkyItem('two'))).status).toBe(201);
    const over = await importAs(pia, await bulkyItem('three'));
    expect(over.status).toBe(507);
    expect(over.body.error).toMatchObject({ code: 'QUOTA_EXCEEDED' });
    expect(over.body.error.message).toMatch(/^pia has stored 1\d\d(\.\d)? KiB of bundles, this one \(7\d(\.\d)? KiB\) would pass their 195\.3 KiB \(SHELF_MAX_PUBLISHER_STORE_BYTES\)$/);
    expect(await storedBundles()).toBe(2);
    expect((await getJson(`${api.url}/api/catalog/three/versions`)).status).toBe(404);
    expect((await importAs(paul, await bulkyItem('four'))).status).toBe(201);

    // Redis lost the counters: the next start counts them again from the store, and the quota still holds.
    await api.redis.del(api.catalog.keys.storeBytes, api.catalog.keys.storeBytesByPublisher);
    await reindex({ ...api.catalog, logger: createLogger('silent') });
    expect((await importAs(pia, await bulkyItem('five'))).status).toBe(507);
  });

  it('caps the whole store and the versions of one item', async () => {
    api = await startShelfApi({ jobs: false, storeQuota: { maxStoreBytes: 200_000, maxPublisherStoreBytes: 10_000_000, maxVersionsPerItem: 2 } });
    expect((await importAs(asAdmin, await bulkyItem('tool', '1.0.0'))).status).toBe(201);
    expect((await importAs(asAdmin, await bulkyItem('tool', '1.1.0'))).status).toBe(201);
    const third = await importAs(asAdmin, await bulkyItem('tool', '1.2.0'));
    expect(third.status).toBe(507);
    expect(third.body.error.message).toBe('tool has 2 versions, the most SHELF_MAX_VERSIONS_PER_ITEM allows; ask an admin to raise it');
    const full = await importAs(asAdmin, await bulkyItem('other'));
    expect(full.status).toBe(507);
    expect(full.body.error.message).toMatch(/^the bundle store is full: .* of 195\.3 KiB \(SHELF_MAX_STORE_BYTES\) used, this bundle needs/);
    expect(await storedBundles()).toBe(2);
  });
});

describe('job inputs quotas', () => {
  it("caps one job's inputs (413) and what one user's stored jobs hold (507) until retention deletes them", async () => {
    api = await startShelfApi({ inputQuota: { maxJobBytes: 2000, maxUserBytes: 5000 } });
    const schema = JSON.stringify({ type: 'object', properties: { note: { type: 'string' } } });
    const dir = await writeItem(path.join(api.root, 'notes'), { id: 'notes', extra: { 'schema.json': schema } });
    expect((await postJson(`${api.url}/api/catalog/local/import`, { path: dir })).status).toBe(201);
    const submit = (note: string) => postJson(`${api.url}/api/jobs`, { itemId: 'notes', inputs: { note } });

    const tooBig = await submit('x'.repeat(2500));
    expect(tooBig.status).toBe(413);
    expect(tooBig.body.error.message).toMatch(/^the inputs weigh 2\.5 KiB; one job's inputs may weigh at most 2 KiB \(SHELF_MAX_JOB_INPUT_BYTES\)/);

    const ids: string[] = [];
    for (let i = 0; i < 3; i++) {
      const ok = await submit('y'.repeat(1500));
      expect(ok.status).toBe(202);
      ids.push(ok.body.id);
    }
    const over = await submit('z'.repeat(1500));
    expect(over.status).toBe(507);
    expect(over.body.error).toMatchObject({ code: 'QUOTA_EXCEEDED' });
    expect(over.body.error.message).toMatch(/^admin-token's stored jobs hold 4\.4 KiB of inputs; .*\(SHELF_MAX_USER_INPUT_BYTES\)/);
    expect((await getJson(`${api.url}/api/jobs?itemId=notes`)).body.total).toBe(3);

    // Retention deletes finished jobs, and their inputs stop counting.
    for (const id of ids) expect((await postJson(`${api.url}/api/jobs/${id}/cancel`, {})).status).toBe(200);
    expect(await api.jobs!.records.prune(1, Date.now() + 60_000)).toBe(3);
    expect((await submit('z'.repeat(1500))).status).toBe(202);
  });
});
