import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { getJson, postJson, writeItem } from './catalogHarness.js';
import { startShelfApi, type ShelfApi } from './helpers/shelfApi.js';

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
