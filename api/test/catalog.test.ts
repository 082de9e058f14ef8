import { readdir } from 'node:fs/promises';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { Redis } from 'ioredis';
import { reindex } from '../src/registry/reindex.js';
import { createLogger } from '../src/logger.js';
import { createCatalogServices } from '../src/services.js';
import { getJson, postJson, startCatalogApi, uploadBundle, writeItem, type CatalogHarness } from './catalogHarness.js';
import { rawTarGz, validItemEntries } from './rawTar.js';
import { asAdmin } from './helpers/shelfApi.js';
import { adminTokenActor } from '../src/auth/principal.js';

let api: CatalogHarness;
beforeEach(async () => {
  api = await startCatalogApi();
});
afterEach(async () => {
  await api.close();
});

const importLocal = (p: string) => postJson(`${api.url}/api/catalog/local/import`, { path: p });

describe('local folder import', () => {
  it('imports an item, lists it, and serves its versions, descriptor and bundle', async () => {
    const dir = await writeItem(path.join(api.root, 'hello'), { extra: { 'README.md': '# Hello\nSays hello.' } });
    const created = await importLocal(dir);
    expect(created.status).toBe(201);
    expect(created.body).toMatchObject({ id: 'hello', version: '1.0.0', status: 'created' });
    expect(created.body.digest).toMatch(/^[a-f0-9]{64}$/);

    const catalog = await getJson(`${api.url}/api/catalog`);
    expect(catalog.body.items).toEqual([
      { id: 'hello', name: 'Hello', description: 'Says hello.', tags: ['demo'], owner: 'platform-team', latestVersion: '1.0.0', versionCount: 1 },
    ]);

    const versions = await getJson(`${api.url}/api/catalog/hello/versions`);
    // Shown relative to its root, never as the host's absolute path.
    expect(versions.body.items[0]).toMatchObject({ version: '1.0.0', digest: created.body.digest, source: { kind: 'local', path: `${path.basename(api.root)}/hello` } });
    expect(JSON.stringify(versions.body)).not.toContain(dir);
    expect(versions.body.items[0].source.importedBy).toBe('admin-token');

    const descriptor = await getJson(`${api.url}/api/catalog/hello/latest/descriptor`);
    expect(descriptor.body.manifest.runtime.command).toEqual(['bash', 'main.sh']);
    expect(descriptor.body.schema.properties.name.default).toBe('world');
    expect(descriptor.body.readme).toContain('Says hello.');
    expect(descriptor.body.uiSchema).toEqual({});

    const bundle = await fetch(`${api.url}/api/bundles/${created.body.digest}`, { headers: asAdmin });
    const bytes = Buffer.from(await bundle.arrayBuffer());
    const { createHash } = await import('node:crypto');
    expect(createHash('sha256').update(bytes).digest('hex')).toBe(created.body.digest);
  });

  it('answers unchanged for the same content and 409 for different content, changing nothing', async () => {
    const dir = await writeItem(path.join(api.root, 'hello'));
    const first = await importLocal(dir);
    expect(first.status).toBe(201);
    const again = await importLocal(dir);
    expect(again.status).toBe(200);
    expect(again.body).toMatchObject({ status: 'unchanged', digest: first.body.digest });

    await writeItem(dir, { extra: { 'main.sh': 'echo changed\n' } });
    const conflict = await importLocal(dir);
    expect(conflict.status).toBe(409);
    expect(conflict.body.error.message).toMatch(/hello@1\.0\.0 already exists/);
    const versions = await getJson(`${api.url}/api/catalog/hello/versions`);
    expect(versions.body.items).toHaveLength(1);
    expect(versions.body.items[0].digest).toBe(first.body.digest);
  });

  it('picks the highest non-prerelease as latest, a prerelease only when nothing else exists', async () => {
    await importLocal(await writeItem(path.join(api.root, 'v2rc'), { version: '2.0.0-rc.1' }));
    let catalog = await getJson(`${api.url}/api/catalog`);
    expect(catalog.body.items[0].latestVersion).toBe('2.0.0-rc.1');

    await importLocal(await writeItem(path.join(api.root, 'v1'), { version: '1.0.0' }));
    await importLocal(await writeItem(path.join(api.root, 'v110'), { version: '1.10.0', name: 'Hello 1.10' }));
    await importLocal(await writeItem(path.join(api.root, 'v19'), { version: '1.9.0' }));
    catalog = await getJson(`${api.url}/api/catalog`);
    expect(catalog.body.items[0]).toMatchObject({ latestVersion: '1.10.0', name: 'Hello 1.10', versionCount: 4 });
    const versions = await getJson(`${api.url}/api/catalog/hello/versions`);
    expect(versions.body.items.map((v: { version: string }) => v.version)).toEqual(['2.0.0-rc.1', '1.10.0', '1.9.0', '1.0.0']);
    const latest = await getJson(`${api.url}/api/catalog/hello/latest/descriptor`);
    expect(latest.body.manifest.version).toBe('1.10.0');
  });

  it('refuses paths outside the allowed roots (403), including through a symlink, and missing ones inside (404)', async () => {
    const { symlink } = await import('node:fs/promises');
    expect((await importLocal('/etc')).status).toBe(403);
    expect((await importLocal(path.join(api.root, '..'))).status).toBe(403);
    await symlink('/etc', path.join(api.root, 'sneaky'));
    expect((await importLocal(path.join(api.root, 'sneaky'))).status).toBe(403);
    const missing = await importLocal(path.join(api.root, 'nope'));
    expect(missing.status).toBe(404);
    expect((await postJson(`${api.url}/api/catalog/local/import`, { nope: 1 })).status).toBe(400);
  });

  it('answers every path outside the roots alike, so the answer never tells which host files exist', async () => {
    const { writeFile } = await import('node:fs/promises');
    const outside = path.join(api.tmp, 'host');
    await writeFile(path.join(api.tmp, 'host-file'), 'secret');
    // An existing file used as a folder, a missing name, a directory, and the same through `..`.
    const probes = [`${api.tmp}/host-file/x`, `${api.tmp}/host-file-nope/x`, outside, `${api.root}/../host-file/x`, '/root/.bashrc/x', '/root/.bashrc-nope/x'];
    const answers = await Promise.all(probes.map((p) => importLocal(p)));
    for (const [i, answer] of answers.entries()) {
      expect(answer.status, probes[i]).toBe(403);
      expect(answer.body.error.message).toBe(`${probes[i]} is outside the allowed local roots (SHELF_LOCAL_ROOTS)`);
    }
    // Inside a root, a file used as a folder is simply not found.
    await writeFile(path.join(api.root, 'plain-file'), 'x');
    expect((await importLocal(path.join(api.root, 'plain-file', 'x'))).status).toBe(404);
  });

  it('lists every problem of an invalid item at once, by file and JSON path, and stores nothing', async () => {
    const dir = await writeItem(path.join(api.root, 'bad'), {
      manifest: 'id: ../../x\nname: Bad\nversion: one\nprivileged: true\nruntime:\n  image: shelf/runtime-shell:1\n',
      schema: '{"type":"strin","properties":{"a":{"$ref":"https://example.com/s.json"}}}',
      extra: { 'ui-schema.json': '[1]' },
    });
    const res = await importLocal(dir);
    expect(res.status).toBe(422);
    const problems = res.body.error.details.problems as { file: string; path: string; message: string }[];
    const where = problems.map((p) => `${p.file}#${p.path}`);
    expect(where).toEqual(
      expect.arrayContaining([
        'manifest.yaml#/id',
        'manifest.yaml#/privileged',
        'manifest.yaml#/version',
        'manifest.yaml#/runtime/command',
        'schema.json#/properties/a/$ref',
        'ui-schema.json#',
      ]),
    );
    expect(problems.find((p) => p.path === '/privileged')?.message).toMatch(/unknown field/);
    expect((await getJson(`${api.url}/api/catalog`)).body.items).toEqual([]);
    expect((await readdir(api.bundlesDir)).filter((f) => f.endsWith('.tar.gz'))).toEqual([]);
  });

  it('records every attempt, accepted or refused, newest first', async () => {
    await importLocal(await writeItem(path.join(api.root, 'ok')));
    await importLocal(await writeItem(path.join(api.root, 'bad'), { manifest: 'id: x\n' }));
    const imports = await getJson(`${api.url}/api/catalog/imports`);
    expect(imports.body.items.map((i: { state: string }) => i.state)).toEqual(['failed', 'done']);
    expect(imports.body.items[0].error).toMatch(/manifest\.yaml/);
    expect(imports.body.items[1].results[0]).toMatchObject({ id: 'hello', version: '1.0.0', status: 'created' });
    const one = await getJson(`${api.url}/api/catalog/imports/${imports.body.items[1].importId}`);
    expect(one.body.source).toEqual({ kind: 'local', path: path.join(api.root, 'ok') });
  });
});

describe('bundle upload', () => {
  it('creates a version from an item at the archive root or in one top folder; same content is unchanged', async () => {
    const atRoot = await uploadBundle(api.url, rawTarGz(validItemEntries('hello', '1.0.0')), 'hello.tgz');
    expect(atRoot.status).toBe(201);
    expect(atRoot.body).toMatchObject({ id: 'hello', version: '1.0.0', status: 'created' });
    const inFolder = await uploadBundle(api.url, rawTarGz([{ name: 'hello/', type: '5' }, ...validItemEntries('hello', '1.0.0', 'hello/')]));
    expect(inFolder.status).toBe(200);
    expect(inFolder.body).toMatchObject({ status: 'unchanged', digest: atRoot.body.digest });
    const versions = await getJson(`${api.url}/api/catalog/hello/versions`);
    expect(versions.body.items[0].source).toMatchObject({ kind: 'upload', fileName: 'hello.tgz' });
  });

  it('gives a local import and an upload of the same files the same digest', async () => {
    const local = await importLocal(await writeItem(path.join(api.root, 'hello')));
    const { execFileSync } = await import('node:child_process');
    const tgz = execFileSync('tar', ['-czf', '-', '-C', path.join(api.root, 'hello'), '.']);
    const up = await uploadBundle(api.url, tgz);
    expect(up.status).toBe(200);
    expect(up.body.digest).toBe(local.body.digest);
  });

  it('refuses a bundle over the size limit with 413 while streaming, storing nothing', async () => {
    await api.close();
    api = await startCatalogApi({ maxBundleBytes: 64 * 1024 });
    const big = Buffer.alloc(512 * 1024, 7);
    const res = await uploadBundle(api.url, big);
    expect(res.status).toBe(413);
    expect(res.body.error.code).toBe('PAYLOAD_TOO_LARGE');
    expect((await readdir(path.join(api.bundlesDir))).filter((f) => f.endsWith('.tar.gz'))).toEqual([]);
    expect((await getJson(`${api.url}/healthz`)).status).toBe(200);
  });

  it('answers 400 when the multipart field is missing or the request is not multipart', async () => {
    const form = new FormData();
    form.append('other', new Blob([Buffer.from('x')]), 'x.tgz');
    const res = await fetch(`${api.url}/api/catalog/bundle/upload`, { method: 'POST', body: form, headers: asAdmin });
    expect(res.status).toBe(400);
    expect(((await res.json()) as { error: { message: string } }).error.message).toMatch(/bundle/);
    const plain = await postJson(`${api.url}/api/catalog/bundle/upload`, { bundle: 'x' });
    expect(plain.status).toBe(400);
  });

  const hostile: [string, Parameters<typeof rawTarGz>[0] | Buffer, RegExp][] = [
    ['absolute path', [...validItemEntries(), { name: '/tmp/evil.txt', body: 'x' }], /absolute/i],
    ['parent traversal', [...validItemEntries(), { name: '../evil.txt', body: 'x' }], /\.\./],
    ['symlink', [...validItemEntries(), { name: 'link', type: '2', linkname: '/etc' }], /link/i],
    ['hard link to /etc/passwd', [...validItemEntries(), { name: 'pw', type: '1', linkname: '/etc/passwd' }], /link/i],
    ['character device', [...validItemEntries(), { name: 'null', type: '3' }], /device|not a regular|type/i],
    ['FIFO', [...validItemEntries(), { name: 'fifo', type: '6' }], /fifo|not a regular|type/i],
    ['duplicate path', [...validItemEntries(), { name: 'main.sh', body: 'echo again' }], /twice|duplicate/i],
    ['names equal after case folding', [...validItemEntries(), { name: 'MAIN.sh', body: 'x' }], /twice|duplicate|case/i],
    ['truncated archive', rawTarGz(validItemEntries()).subarray(0, 60), /corrupt|truncated/i],
    ['not gzip at all', Buffer.from('this is not an archive'), /corrupt|truncated|gzip/i],
    ['negative entry size (base-256 -1)', [...validItemEntries(), { name: 'neg.bin', sizeField: Buffer.alloc(12, 0xff) }], /corrupt.*negative size/i],
    ['pax record of the wrong length', [{ name: 'PaxHeader/x', type: 'x', body: '30 path=foo\n' }, ...validItemEntries()], /corrupt.*pax header record "30 path=foo" declares 30 bytes/i],
  ];
  for (const [name, content, message] of hostile) {
    it(`refuses a bundle with a ${name} (422), stores nothing, stays up`, async () => {
      const bytes = Buffer.isBuffer(content) ? content : rawTarGz(content);
      const res = await uploadBundle(api.url, bytes);
      expect(res.status).toBe(422);
      expect(res.body.error.message).toMatch(message);
      expect((await getJson(`${api.url}/api/catalog`)).body.items).toEqual([]);
      expect((await readdir(api.bundlesDir)).filter((f) => f.endsWith('.tar.gz'))).toEqual([]);
      expect((await readdir(path.join(api.bundlesDir, '.tmp')))).toEqual([]);
      expect((await getJson(`${api.url}/healthz`)).status).toBe(200);
    });
  }
});

describe('registry', () => {
  it('is rebuilt from the bundle store after Redis lost it', async () => {
    const created = await importLocal(await writeItem(path.join(api.root, 'hello')));
    const prefix = api.services.keys.prefix;
    const keys = await api.redis.keys(`${prefix}:*`);
    await api.redis.del(...keys);
    expect((await getJson(`${api.url}/api/catalog`)).body.items).toEqual([]);

    const redis = new Redis(process.env.REDIS_URL ?? 'redis://127.0.0.1:6379');
    try {
      const services = await createCatalogServices(redis, {
        redisPrefix: prefix,
        bundlesDir: api.bundlesDir,
        localRoots: [api.root],
        maxBundleBytes: 1024,
      });
      const result = await reindex({ ...services, logger: createLogger('silent') });
      expect(result).toEqual({ restored: 1, missingBundles: 0 });
    } finally {
      await redis.quit();
    }
    const versions = await getJson(`${api.url}/api/catalog/hello/versions`);
    expect(versions.body.items[0]).toMatchObject({ version: '1.0.0', digest: created.body.digest });
    expect((await getJson(`${api.url}/api/catalog`)).body.items[0].latestVersion).toBe('1.0.0');
  });

  it('answers 404 for unknown items, versions and bundles, and 400 for a malformed digest', async () => {
    expect((await getJson(`${api.url}/api/catalog/nope/versions`)).status).toBe(404);
    expect((await getJson(`${api.url}/api/catalog/nope/1.0.0/descriptor`)).status).toBe(404);
    expect((await getJson(`${api.url}/api/bundles/${'a'.repeat(64)}`)).status).toBe(404);
    expect((await getJson(`${api.url}/api/bundles/..%2F..%2Fetc%2Fpasswd`)).status).toBe(400);
  });

  it('serves the manifest JSON Schema and health endpoints', async () => {
    const schema = await getJson(`${api.url}/api/schemas/manifest.json`);
    expect(schema.body.properties.runtime.required).toEqual(['image', 'command']);
    expect((await getJson(`${api.url}/healthz`)).body).toEqual({ status: 'ok' });
    expect((await getJson(`${api.url}/readyz`)).body.status).toBe('ready');
    const metrics = await fetch(`${api.url}/metrics`, { headers: asAdmin });
    expect(await metrics.text()).toContain('shelf_imports_total');
  });
});

describe('catalog listing cache', () => {
  it('shows an item published by another API process at once, and one dropped from Redis by hand too', async () => {
    await importLocal(await writeItem(path.join(api.root, 'hello')));
    expect((await getJson(`${api.url}/api/catalog`)).body.items.map((i: { id: string }) => i.id)).toEqual(['hello']);

    // A second API process on the same Redis: its own services, its own cache.
    const redis = new Redis(process.env.REDIS_URL ?? 'redis://127.0.0.1:6379');
    try {
      const other = await createCatalogServices(redis, { redisPrefix: api.services.keys.prefix, bundlesDir: api.bundlesDir, localRoots: [api.root], maxBundleBytes: 1 << 20 });
      expect((await other.registry.catalogItems()).map((i) => i.id)).toEqual(['hello']);
      const dir = await writeItem(path.join(api.root, 'second'), { id: 'second', name: 'Another' });
      await other.imports.importLocal(dir, { principal: { ...adminTokenActor, role: 'admin', groups: [], via: 'token' } });
      expect((await getJson(`${api.url}/api/catalog`)).body.items.map((i: { id: string }) => i.id)).toEqual(['second', 'hello']);
    } finally {
      await redis.quit();
    }
    // Redis emptied under a running API (a restart without persistence): the listing follows.
    await api.redis.del(api.services.keys.catalog, api.services.keys.catalogGeneration);
    expect((await getJson(`${api.url}/api/catalog`)).body.items).toEqual([]);
  });
});

describe('an import that loses a race', () => {
  it('leaves no bundle behind: the losing content is neither stored nor served', async () => {
    const { readdir: list } = await import('node:fs/promises');
    const { walkItemFolder } = await import('@shelf/contract/itemFolder');
    const { importFolder } = await import('../src/imports/importFolder.js');
    const { Registry } = await import('../src/registry/registry.js');
    // Both imports check for an existing version before either publishes — the window a real race hits.
    let checks = 0;
    let release!: () => void;
    const bothChecked = new Promise<void>((resolve) => (release = resolve));
    class RacingRegistry extends Registry {
      override async findVersion(id: string, version: string) {
        const found = await super.findVersion(id, version);
        if (++checks === 2) release();
        await bothChecked;
        return found;
      }
    }
    const registry = new RacingRegistry(api.redis, api.services.keys);
    const deps = { ...api.services, registry };
    const admin = { principal: { ...adminTokenActor, role: 'admin' as const, groups: [], via: 'token' as const } };
    const folders = [await writeItem(path.join(api.root, 'one'), { name: 'One' }), await writeItem(path.join(api.root, 'two'), { name: 'Two' })];
    const outcomes = await Promise.allSettled(
      folders.map(async (dir) => importFolder(deps, dir, await walkItemFolder(dir), { kind: 'local', path: dir, importedAt: new Date().toISOString(), importedBy: 'test' }, admin)),
    );
    const won = outcomes.find((o) => o.status === 'fulfilled');
    const lost = outcomes.find((o) => o.status === 'rejected');
    expect(won?.value).toMatchObject({ id: 'hello', status: 'created' });
    expect((lost?.reason as Error).message).toMatch(/already exists with different content/);
    const stored = (await list(api.bundlesDir)).filter((f) => f.endsWith('.tar.gz'));
    expect(stored).toEqual([`${won!.value.digest}.tar.gz`]);
  });

  it('a bundle a crashed import left unpublished is removed at the next start, once it is old', async () => {
    const { utimes, writeFile } = await import('node:fs/promises');
    const created = await importLocal(await writeItem(path.join(api.root, 'hello')));
    const orphan = 'f'.repeat(64);
    const orphanFile = path.join(api.bundlesDir, `${orphan}.tar.gz`);
    await writeFile(orphanFile, 'left by a crash');
    const young = 'e'.repeat(64);
    await writeFile(path.join(api.bundlesDir, `${young}.tar.gz`), 'an import still publishing');
    const twoHoursAgo = new Date(Date.now() - 2 * 3600_000);
    await utimes(orphanFile, twoHoursAgo, twoHoursAgo);
    await reindex({ ...api.services, logger: createLogger('silent') });
    expect((await fetch(`${api.url}/api/bundles/${orphan}`, { headers: asAdmin })).status).toBe(404);
    expect((await fetch(`${api.url}/api/bundles/${young}`, { headers: asAdmin })).status).toBe(200);
    expect((await fetch(`${api.url}/api/bundles/${created.body.digest}`, { headers: asAdmin })).status).toBe(200);
  });
});
