import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startGitApi, type GitHarness } from './fixtures/git/harness.js';
import { startGitHttpServer, type GitHttpServer } from './fixtures/git/gitHttpServer.js';
import { addFile, addItem, fileUrl, makeRepo } from './fixtures/git/repos.js';
import { fetchTags } from '../src/git/fetchTags.js';
import type { CheckedRepo } from '../src/git/gitUrlPolicy.js';
import { importGitTags } from '../src/git/importGitTags.js';
import type { Registry } from '../src/registry/registry.js';

let repos: string;
let api: GitHarness;
let httpGit: GitHttpServer;

beforeAll(async () => {
  repos = await mkdtemp(path.join(os.tmpdir(), 'shelf-git-repos-'));
  httpGit = await startGitHttpServer(repos);
  api = await startGitApi({ repos, gitAllow: ['file://{repos}/', httpGit.url] });
});
afterAll(async () => {
  await httpGit?.close();
  await api?.close();
  await rm(repos, { recursive: true, force: true });
});

/** Runs a sync and counts the fetches (upload-pack POSTs asking for objects) the git server saw meanwhile. */
async function syncCountingFetches(body: object) {
  const before = httpGit.fetches;
  const record = await api.waitForImport((await api.sync(body)).body.importId);
  return { record, fetches: httpGit.fetches - before };
}

describe('one fetch per sync', () => {
  it('brings every item tag of a repository in one git fetch, and a single tag in one fetch of its own', async () => {
    const repo = await makeRepo(repos, 'many');
    for (let n = 0; n < 12; n++) {
      const id = `many-${n % 4}`;
      const version = `1.0.${Math.floor(n / 4)}`;
      await addItem(repo, id, { id, version });
      repo.commitAndTag(`release ${n}`, `${id}@${version}`);
    }
    repo.publish();
    const url = `${httpGit.url}many.git`;

    const first = await syncCountingFetches({ url });
    expect(first.record.results.map((r) => r.status)).toEqual(Array(12).fill('created'));
    expect(first.fetches).toBe(1);
    expect((await api.versions('many-3')).items.map((v) => v.version)).toEqual(['1.0.2', '1.0.1', '1.0.0']);

    const again = await syncCountingFetches({ url });
    expect(again.record.results.map((r) => r.status)).toEqual(Array(12).fill('unchanged'));
    expect(again.fetches).toBeLessThanOrEqual(1);

    await addItem(repo, 'many-0', { id: 'many-0', version: '2.0.0' });
    repo.commitAndTag('release 2.0.0', 'many-0@2.0.0');
    repo.publish();
    const one = await syncCountingFetches({ url, ref: 'many-0@2.0.0' });
    expect(one.record.results).toEqual([expect.objectContaining({ id: 'many-0', version: '2.0.0', status: 'created' })]);
    expect(one.fetches).toBe(1);
  });

  it('still lets the registry refuse a force-moved tag when the whole repository is synced', async () => {
    const repo = await makeRepo(repos, 'moving-all');
    await addItem(repo, 'drift', { id: 'drift' });
    repo.commitAndTag('v1', 'drift@1.0.0');
    repo.publish();
    const url = `${httpGit.url}moving-all.git`;
    expect((await syncCountingFetches({ url })).record.results).toEqual([expect.objectContaining({ status: 'created' })]);

    await addItem(repo, 'drift', { id: 'drift', name: 'Drifted' });
    repo.commitAndTag('sneaky', 'drift@1.0.0');
    repo.publish();
    const moved = await syncCountingFetches({ url });
    expect(moved.record.results).toEqual([expect.objectContaining({ status: 'refused', error: expect.stringMatching(/versions are immutable/) })]);
    expect(moved.fetches).toBe(1);
  });
});

describe('a tag that spoils the shared fetch', () => {
  it("gives each tag its own verdict when git's object checks refuse one of them", async () => {
    const repo = await makeRepo(repos, 'one-bad');
    await addItem(repo, 'fine', { id: 'fine' });
    repo.commitAndTag('fine', 'fine@1.0.0');
    await addFile(repo, '.gitmodules', '[submodule "lib"]\n\tpath = lib\n\turl = https://example.invalid/lib.git\n\tupdate = !true\n');
    await addItem(repo, 'spoilt', { id: 'spoilt' });
    repo.commitAndTag('spoilt', 'spoilt@1.0.0');
    repo.publish();
    const record = await api.waitForImport((await api.sync({ url: fileUrl(repo.bare) })).body.importId);
    expect(record.results).toEqual([
      expect.objectContaining({ id: 'fine', status: 'created' }),
      expect.objectContaining({ id: 'spoilt', status: 'refused', error: expect.stringMatching(/object checks/) }),
    ]);
  });

  it('refuses a tag deleted since it was listed, and imports the others', async () => {
    const repo = await makeRepo(repos, 'gone-tag');
    await addItem(repo, 'kept', { id: 'kept' });
    repo.commitAndTag('kept', 'kept@1.0.0');
    repo.publish();
    const checked: CheckedRepo = { url: fileUrl(repo.bare), protocol: 'file' };
    const deps = { ...api.services, fetch: { cacheDir: path.join(api.tmp, 'direct-cache'), timeoutMs: 30_000, maxRepoBytes: 64 * 1024 * 1024 } };
    const by = { importedBy: 'test', publisher: { principal: null, repository: checked.url } };
    expect(await importGitTags(deps, checked, ['gone@1.0.0', 'kept@1.0.0'], by)).toEqual([
      expect.objectContaining({ id: 'gone', status: 'refused', error: 'tag gone@1.0.0 is not in the repository' }),
      expect.objectContaining({ id: 'kept', status: 'created' }),
    ]);
  });
});

describe('a mirror shared by two syncs', () => {
  it('stays in place while one sync reads tags from it, even when another fetch of it fails and deletes it', async () => {
    const repo = await makeRepo(repos, 'shared-mirror');
    await addItem(repo, 'race-first', { id: 'race-first' });
    repo.commitAndTag('first', 'race-first@1.0.0');
    await addItem(repo, 'race-second', { id: 'race-second' });
    repo.commitAndTag('second', 'race-second@1.0.0');
    repo.publish();
    const checked: CheckedRepo = { url: fileUrl(repo.bare), protocol: 'file' };
    const fetch = { cacheDir: path.join(api.tmp, 'race-cache'), timeoutMs: 30_000, maxRepoBytes: 64 * 1024 * 1024 };
    const by = { importedBy: 'test', publisher: { principal: null, repository: checked.url } };

    // The sync pauses between its two tags (inside the import of the first) until a rival fetch
    // of the same mirror, under a size limit it cannot meet, has failed and deleted the mirror,
    // or for 1 s if the rival is kept waiting for the reader to finish.
    const events: string[] = [];
    let rival: Promise<unknown> | undefined;
    const registry = Object.create(api.services.registry) as Registry;
    registry.owners = async (id) => {
      if (id === 'race-first' && !rival) {
        rival = fetchTags(checked, ['race-second@1.0.0'], { ...fetch, maxRepoBytes: 1 }, async () => undefined).catch((err: Error) => {
          events.push('rival failed');
          return err;
        });
        await Promise.race([rival, new Promise((r) => setTimeout(r, 1000))]);
      }
      return api.services.registry.owners(id);
    };

    const results = await importGitTags({ ...api.services, registry, fetch }, checked, ['race-first@1.0.0', 'race-second@1.0.0'], by);
    events.push('sync read both tags');
    expect(results).toEqual([expect.objectContaining({ id: 'race-first', status: 'created' }), expect.objectContaining({ id: 'race-second', status: 'created' })]);
    expect(await rival).toMatchObject({ message: expect.stringMatching(/larger than 1 bytes/) });
    expect(events).toEqual(['sync read both tags', 'rival failed']);
  });
});
