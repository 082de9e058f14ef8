import path from 'node:path';
import { readdir } from 'node:fs/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { defaultAllowedImages } from '@shelf/contract';
import { writeItem } from './catalogHarness.js';
import { apiClient } from './helpers/apiClient.js';
import { asAdmin, startShelfApi, type ShelfApi } from './helpers/shelfApi.js';

// The operator, not the uploader, decides which images items run on and whether they reach
// the network: through the real API, with real users and their tokens.

let api: ShelfApi;
const users: Record<string, Record<string, string>> = {};
let call: ReturnType<typeof apiClient>['call'];

async function importAs(headers: Record<string, string>, id: string, version: string, opts: { image?: string; network?: 'none' | 'egress' } = {}) {
  const manifest = [`id: ${id}`, `name: ${id}`, `version: ${version}`, 'runtime:', `  image: ${opts.image ?? 'shelf/runtime-shell:1'}`, '  command: ["bash", "main.sh"]', `network: ${opts.network ?? 'none'}`, ''].join('\n');
  const dir = await writeItem(path.join(api.root, `${id}-${version}-${Math.random().toString(16).slice(2)}`), { id, manifest });
  return call('POST', '/api/catalog/local/import', { path: dir }, headers);
}

const bundles = async () => (await readdir(api.bundlesDir)).filter((f) => f.endsWith('.tar.gz'));

beforeAll(async () => {
  api = await startShelfApi({ runtimeRules: { allowedImages: [...defaultAllowedImages, 'registry.local/team/*:*'], egressPublishers: ['user:nina'] } });
  const client = apiClient(api.url);
  call = (method, p, body, headers) => client.call(method, p, body, headers);
  users.pia = await client.userWithToken('pia', 'publisher');
  users.nina = await client.userWithToken('nina', 'publisher');
});
afterAll(async () => {
  await api?.close();
});

describe('images', () => {
  it('refuses an image outside SHELF_ALLOWED_IMAGES at import, even for an admin, storing nothing', async () => {
    const refused = await importAs(asAdmin, 'on-base', '1.0.0', { image: 'shelf/base:bookworm' });
    expect(refused.status).toBe(403);
    expect(refused.body.error.message).toBe(
      'the image shelf/base:bookworm is not allowed on this Shelf (SHELF_ALLOWED_IMAGES: shelf/runtime-shell:1, shelf/runtime-python:1, shelf/runtime-node:1, registry.local/team/*:*)',
    );
    expect(await bundles()).toEqual([]);
    expect((await call('GET', '/api/catalog/on-base/versions', undefined, asAdmin)).status).toBe(404);
    expect((await importAs(users.pia!, 'team-tool', '1.0.0', { image: 'registry.local/team/tool:2' })).status).toBe(201);
  });
});

describe('images at run time', () => {
  it('refuses to run or retry a version whose image the operator no longer allows', async () => {
    // A version published before SHELF_ALLOWED_IMAGES was narrowed (as a reindex of an old archive would restore it).
    const record = {
      id: 'legacy',
      version: '1.0.0',
      manifest: { id: 'legacy', name: 'Legacy', version: '1.0.0', runtime: { image: 'alpine:3', command: ['true'] }, network: 'none' as const },
      schema: { type: 'object' },
      uiSchema: {},
      readme: '',
      digest: 'd'.repeat(64),
      contentHash: 'c'.repeat(64),
      size: 1,
      source: { kind: 'upload' as const, fileName: 'legacy.tar.gz', importedAt: new Date().toISOString(), importedBy: 'pia' },
      createdAt: new Date().toISOString(),
    };
    await api.catalog.registry.publish(record);
    const refused = await call('POST', '/api/jobs', { itemId: 'legacy', inputs: {} }, asAdmin);
    expect(refused.status).toBe(403);
    expect(refused.body.error.message).toMatch(/^the image alpine:3 is not allowed on this Shelf \(SHELF_ALLOWED_IMAGES: /);
    expect((await call('GET', '/api/jobs?itemId=legacy', undefined, asAdmin)).body.total).toBe(0);
    // An allowed image runs as before.
    expect((await call('POST', '/api/jobs', { itemId: 'team-tool', inputs: {} }, asAdmin)).status).toBe(202);
  });
});

describe('network egress is a permission', () => {
  it('refuses egress from a publisher nobody named, until an admin grants it to the item id', async () => {
    const refused = await importAs(users.pia!, 'probe', '1.0.0', { network: 'egress' });
    expect(refused.status).toBe(403);
    expect(refused.body.error.message).toMatch(/probe asks for network: egress, which needs an admin's grant/);
    expect(await bundles()).not.toContainEqual(expect.stringContaining('probe'));

    // A publisher cannot grant it to themselves; an admin can, before the first publish.
    expect((await call('PUT', '/api/catalog/probe/grants/egress', { granted: true }, users.pia!)).status).toBe(403);
    const granted = await call('PUT', '/api/catalog/probe/grants/egress', { granted: true }, asAdmin);
    expect(granted.status).toBe(200);
    expect(granted.body.grants.egress.by.username).toBe('admin-token');
    expect((await importAs(users.pia!, 'probe', '1.0.0', { network: 'egress' })).status).toBe(201);

    // Revoked: versions already published stay, new ones are refused again.
    expect((await call('PUT', '/api/catalog/probe/grants/egress', { granted: false }, asAdmin)).body.grants).toEqual({});
    expect((await importAs(users.pia!, 'probe', '1.1.0', { network: 'egress' })).status).toBe(403);
    expect((await call('GET', '/api/catalog/probe/versions', undefined, users.pia!)).body.items.map((v: any) => v.version)).toEqual(['1.0.0']);

    const audit = await call('GET', '/api/audit?action=item.grant', undefined, asAdmin);
    expect(audit.body.items.map((e: any) => [e.target, e.outcome])).toEqual(
      expect.arrayContaining([['probe', 'ok'], ['probe', 'denied']]),
    );
  });

  it('lets a publisher named in SHELF_EGRESS_PUBLISHERS and admins publish egress', async () => {
    expect((await importAs(users.nina!, 'ninas-probe', '1.0.0', { network: 'egress' })).status).toBe(201);
    expect((await importAs(asAdmin, 'admins-probe', '1.0.0', { network: 'egress' })).status).toBe(201);
  });

  it('answers 400 for a malformed item id and 404 for an unknown grant', async () => {
    expect((await call('PUT', '/api/catalog/Not..An.Id/grants/egress', { granted: true }, asAdmin)).status).toBe(400);
    expect((await call('PUT', '/api/catalog/probe/grants/root', { granted: true }, asAdmin)).status).toBe(404);
    expect((await call('PUT', '/api/catalog/probe/grants/egress', { granted: 'yes' }, asAdmin)).status).toBe(400);
  });
});
