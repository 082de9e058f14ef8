import { randomBytes } from 'node:crypto';
import { mkdtemp, readdir, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startGitApi, type GitHarness } from './fixtures/git/harness.js';
import { closedPort, startGitHttpServer, type GitHttpServer } from './fixtures/git/gitHttpServer.js';
import { addFile, addItem, fileUrl, makeRepo } from './fixtures/git/repos.js';
import type { CheckedRepo } from '../src/git/gitUrlPolicy.js';
import { runGit } from '../src/git/runGit.js';

let repos: string;
let api: GitHarness;
let httpGit: GitHttpServer;
let lockedGit: GitHttpServer;
let deadPort: number;

beforeAll(async () => {
  repos = await mkdtemp(path.join(os.tmpdir(), 'shelf-git-repos-'));
  httpGit = await startGitHttpServer(repos);
  lockedGit = await startGitHttpServer(repos, { basicAuth: 'bot:s3cret-token' });
  deadPort = await closedPort();
  const locked = new URL(lockedGit.url);
  api = await startGitApi({
    repos,
    attempts: 3,
    backoffMs: 20,
    gitAllow: ['file://{repos}/', httpGit.url, `http://bot:s3cret-token@${locked.host}/`, `http://127.0.0.1:${deadPort}/`],
  });
});
afterAll(async () => {
  await httpGit?.close();
  await lockedGit?.close();
  await api?.close();
  await rm(repos, { recursive: true, force: true });
});

const versions = (id: string) => api.versions(id);

describe('POST /api/catalog/git/sync', () => {
  it('imports every <id>@<semver> tag of a repository, and again finds them unchanged', async () => {
    const repo = await makeRepo(repos, 'multi');
    await addItem(repo, 'alpha', { id: 'alpha', version: '1.0.0' });
    await addItem(repo, 'nested/beta', { id: 'beta', version: '0.1.0' });
    repo.commitAndTag('first', 'alpha@1.0.0', 'beta@0.1.0', 'v1.0.0', 'not-semver@1');
    await addItem(repo, 'alpha', { id: 'alpha', version: '1.1.0', name: 'Alpha' });
    repo.commitAndTag('second', 'alpha@1.1.0');
    repo.publish();

    const res = await api.sync({ url: `${httpGit.url}multi.git` });
    expect(res.status).toBe(202);
    const record = await api.waitForImport(res.body.importId);
    expect(record.state).toBe('done');
    expect(record.source).toMatchObject({ kind: 'git', url: `${httpGit.url}multi.git`, trigger: 'sync' });
    expect(record.results).toEqual([
      expect.objectContaining({ id: 'alpha', version: '1.0.0', status: 'created' }),
      expect.objectContaining({ id: 'alpha', version: '1.1.0', status: 'created' }),
      expect.objectContaining({ id: 'beta', version: '0.1.0', status: 'created' }),
    ]);
    expect((await versions('alpha')).items.map((v) => v.version)).toEqual(['1.1.0', '1.0.0']);
    expect((await versions('beta')).items).toMatchObject([{ source: { kind: 'git', tag: 'beta@0.1.0', path: 'nested/beta', importedBy: 'admin-token' } }]);

    const again = await api.waitForImport((await api.sync({ url: `${httpGit.url}multi.git` })).body.importId);
    expect(again.results.map((r) => r.status)).toEqual(['unchanged', 'unchanged', 'unchanged']);
  });

  it('imports one tag when a ref is given, and refuses a tag the repository does not have', async () => {
    const repo = await makeRepo(repos, 'single');
    await addItem(repo, 'solo', { id: 'solo' });
    repo.commitAndTag('solo', 'solo@1.0.0');
    repo.publish();
    const one = await api.waitForImport((await api.sync({ url: fileUrl(repo.bare), ref: 'refs/tags/solo@1.0.0' })).body.importId);
    expect(one).toMatchObject({ state: 'done', results: [{ id: 'solo', version: '1.0.0', status: 'created' }] });
    const missing = await api.waitForImport((await api.sync({ url: fileUrl(repo.bare), ref: 'solo@9.0.0' })).body.importId);
    expect(missing).toMatchObject({ state: 'done', results: [{ id: 'solo', version: '9.0.0', status: 'refused', error: expect.stringMatching(/not in the repository/) }] });
    const notItem = await api.sync({ url: fileUrl(repo.bare), ref: 'release-1' });
    expect(notItem).toMatchObject({ status: 202, body: { ignored: true } });
    expect(await api.waitForImport(notItem.body.importId)).toMatchObject({ state: 'ignored' });
  });

  it('records a repository without item tags as ignored', async () => {
    const repo = await makeRepo(repos, 'plain');
    await addFile(repo, 'README.md', 'nothing here');
    repo.commitAndTag('plain', 'v1.0.0');
    repo.publish();
    const record = await api.waitForImport((await api.sync({ url: fileUrl(repo.bare) })).body.importId);
    expect(record).toMatchObject({ state: 'ignored', error: expect.stringMatching(/no <item-id>@<semver> tags/) });
  });

  it('answers 400 to a malformed request and 403 to a refused URL or ref', async () => {
    expect((await api.sync({})).status).toBe(400);
    expect((await api.sync({ url: 42 })).status).toBe(400);
    expect((await api.sync({ url: 'http://169.254.169.254/' })).status).toBe(403);
    expect((await api.sync({ url: `${httpGit.url}multi.git`, ref: '-x' })).status).toBe(403);
  });

  it('retries a network failure with backoff, then records the import as failed', async () => {
    const res = await api.sync({ url: `http://127.0.0.1:${deadPort}/gone.git`, ref: 'gone@1.0.0' });
    const record = await api.waitForImport(res.body.importId);
    expect(record.state).toBe('failed');
    expect(record.error).toMatch(/Failed to connect|Connection refused|Couldn't connect/i);
    const job = (await api.jobs()).find((j) => (j.data as { importId: string }).importId === res.body.importId);
    expect(job?.attemptsMade).toBe(3);
  });

  it('fails at once, without retrying, when the server refuses access', async () => {
    const repo = await makeRepo(repos, 'private');
    await addItem(repo, 'secret-item', { id: 'secret-item' });
    repo.commitAndTag('private', 'secret-item@1.0.0');
    repo.publish();
    const res = await api.sync({ url: `${httpGit.url.replace(/\/$/, '')}/nope/private.git` });
    const record = await api.waitForImport(res.body.importId);
    expect(record.state).toBe('failed');
    const job = (await api.jobs()).find((j) => (j.data as { importId: string }).importId === res.body.importId);
    expect(job?.attemptsMade).toBe(1);
  });

  it('fetches with credentials from SHELF_GIT_ALLOW and never stores or shows them', async () => {
    const locked = new URL(lockedGit.url);
    const res = await api.sync({ url: `http://${locked.host}/private.git`, ref: 'secret-item@1.0.0' });
    expect(res.status).toBe(202);
    const record = await api.waitForImport(res.body.importId);
    expect(record).toMatchObject({ state: 'done', results: [{ id: 'secret-item', status: 'created' }] });
    expect((await versions('secret-item')).items).toMatchObject([{ source: { url: `http://${locked.host}/private.git` } }]);

    const withOtherCredentials = await api.sync({ url: `http://bot:guess@${locked.host}/private.git` });
    expect(withOtherCredentials.status).toBe(403);
    expect(JSON.stringify(withOtherCredentials.body)).not.toContain('guess');

    // Nothing in Redis (import records, registry, BullMQ job data) holds the secret.
    const keys = await api.redis.keys(`${api.prefix}:*`);
    for (const key of keys) {
      const type = await api.redis.type(key);
      const dump =
        type === 'string' ? await api.redis.get(key) : type === 'hash' ? JSON.stringify(await api.redis.hgetall(key)) : type === 'list' ? JSON.stringify(await api.redis.lrange(key, 0, -1)) : '';
      expect(dump ?? '', key).not.toContain('s3cret-token');
      expect(dump ?? '', key).not.toContain('guess');
    }
  });
});

describe('item ownership across sources', () => {
  it('binds an id first published from Git to its repository: another repository is refused, the first one goes on', async () => {
    const first = await makeRepo(repos, 'bound-first');
    await addItem(first, 'bound', { id: 'bound', version: '1.0.0' });
    first.commitAndTag('first', 'bound@1.0.0');
    first.publish();
    const created = await api.waitForImport((await api.sync({ url: fileUrl(first.bare) })).body.importId);
    expect(created.results).toEqual([expect.objectContaining({ id: 'bound', status: 'created' })]);

    const rival = await makeRepo(repos, 'bound-rival');
    await addItem(rival, 'bound', { id: 'bound', version: '2.0.0' });
    rival.commitAndTag('rival', 'bound@2.0.0');
    rival.publish();
    const refused = await api.waitForImport((await api.sync({ url: fileUrl(rival.bare) })).body.importId);
    expect(refused.results).toEqual([
      expect.objectContaining({ id: 'bound', version: '2.0.0', status: 'refused', error: expect.stringMatching(/bound is published from .*bound-first\.git; other sources may not publish it/) }),
    ]);

    await addItem(first, 'bound', { id: 'bound', version: '1.1.0' });
    first.commitAndTag('second', 'bound@1.1.0');
    first.publish();
    const again = await api.waitForImport((await api.sync({ url: fileUrl(first.bare), ref: 'bound@1.1.0' })).body.importId);
    expect(again.results).toEqual([expect.objectContaining({ id: 'bound', version: '1.1.0', status: 'created' })]);
    expect((await versions('bound')).items.map((v) => v.version)).toEqual(['1.1.0', '1.0.0']);
  });
});

describe('hardened git runner', () => {
  it('pins the addresses the policy checked (http.curloptResolve): a name that never resolves reaches our server', async () => {
    const port = new URL(httpGit.url).port;
    const repo: CheckedRepo = { url: `http://shelf-pinned.invalid:${port}/multi.git`, protocol: 'http', resolve: `shelf-pinned.invalid:${port}:127.0.0.1` };
    const out = await runGit(['ls-remote', '--tags', '--', repo.url], { cwd: repos, home: repos, repo, timeoutMs: 10_000 });
    expect(out).toContain('refs/tags/alpha@1.0.0');
  });

  it('keeps simple-git refusing option injection even with the hardening allowances', async () => {
    const repo: CheckedRepo = { url: fileUrl(path.join(repos, 'multi.git')), protocol: 'file' };
    await expect(runGit(['ls-remote', '--upload-pack=touch /tmp/shelf-x', '--', repo.url], { cwd: repos, home: repos, repo, timeoutMs: 10_000 })).rejects.toThrow(
      /refused by simple-git/,
    );
  });

  it('lets git use only the transport of the checked URL', async () => {
    const repo: CheckedRepo = { url: fileUrl(path.join(repos, 'multi.git')), protocol: 'https' };
    await expect(runGit(['ls-remote', '--', repo.url], { cwd: repos, home: repos, repo, timeoutMs: 10_000 })).rejects.toMatchObject({
      failure: 'repository-unavailable',
    });
  });
});

describe('repository size limit', () => {
  let small: GitHarness;
  beforeAll(async () => {
    small = await startGitApi({ maxRepoBytes: 64 * 1024 });
  });
  afterAll(async () => {
    await small?.close();
  });

  it('refuses a repository larger than the limit and keeps no mirror of it', async () => {
    const repo = await makeRepo(small.repos, 'big');
    await addItem(repo, 'big', { id: 'big', extra: { 'data.bin': randomBytes(400 * 1024).toString('base64') } });
    repo.commitAndTag('big', 'big@1.0.0');
    repo.publish();
    const record = await small.waitForImport((await small.sync({ url: fileUrl(repo.bare), ref: 'big@1.0.0' })).body.importId);
    expect(record).toMatchObject({ state: 'done', results: [{ id: 'big', status: 'refused', error: expect.stringMatching(/larger than 64 KiB/) }] });
    expect(await readdir(path.join(small.api.bundlesDir, '.git-cache')).catch(() => [])).toEqual([]);

    // A whole-repository sync fetches every tag at once: each is refused for the same reason.
    await addFile(repo, 'README.md', 'small');
    repo.commitAndTag('small', 'small@1.0.0');
    repo.publish();
    const all = await small.waitForImport((await small.sync({ url: fileUrl(repo.bare) })).body.importId);
    expect(all.results).toEqual([
      expect.objectContaining({ id: 'big', status: 'refused', error: expect.stringMatching(/larger than 64 KiB/) }),
      expect.objectContaining({ id: 'small', status: 'refused', error: expect.stringMatching(/larger than 64 KiB/) }),
    ]);
    expect(await readdir(path.join(small.api.bundlesDir, '.git-cache')).catch(() => [])).toEqual([]);
  });
});
