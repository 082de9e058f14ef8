import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, rm, symlink, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startGitApi, type GitHarness } from './fixtures/git/harness.js';
import { startGitHttpServer, type GitHttpServer } from './fixtures/git/gitHttpServer.js';
import { githubPush, gitlabTagPush, giteaPush } from './fixtures/git/payloads.js';
import { addFile, addItem, fileUrl, git, makeRepo } from './fixtures/git/repos.js';
import { asAdmin } from './helpers/shelfApi.js';

let api: GitHarness;
let httpGit: GitHttpServer;

beforeAll(async () => {
  const repos = await mkdtemp(path.join(os.tmpdir(), 'shelf-git-repos-'));
  httpGit = await startGitHttpServer(repos);
  api = await startGitApi({ repos, gitAllow: ['file://{repos}/', httpGit.url] });
});
afterAll(async () => {
  await httpGit?.close();
  await api?.close();
  if (api) await rm(api.repos, { recursive: true, force: true });
});

const tagRef = (tag: string) => `refs/tags/${tag}`;

/** A repository inside the working tree: `git add` records it as a submodule (gitlink). */
async function nestedRepo(dir: string): Promise<void> {
  await mkdir(dir, { recursive: true });
  git(dir, 'init', '--quiet');
  await writeFile(path.join(dir, 'x.txt'), 'x');
  git(dir, 'add', '.');
  git(dir, 'commit', '--quiet', '-m', 'lib');
}
const versions = (id: string) => api.versions(id);

describe('Git webhook: publishing', () => {
  it('publishes hello@1.0.0 from a GitHub tag push, with its provenance', async () => {
    const repo = await makeRepo(api.repos, 'gh');
    await addItem(repo, 'hello');
    const commit = repo.commitAndTag('hello 1.0.0', 'hello@1.0.0');
    repo.publish();

    const started = Date.now();
    const res = await api.webhook('github', githubPush({ ref: tagRef('hello@1.0.0'), after: commit, cloneUrl: fileUrl(repo.bare) }));
    expect(Date.now() - started).toBeLessThan(1000);
    expect(res.status).toBe(202);
    expect(res.body.importId).toEqual(expect.any(String));

    const record = await api.waitForImport(res.body.importId);
    expect(record).toMatchObject({ state: 'done', results: [{ id: 'hello', version: '1.0.0', status: 'created' }] });
    expect(record.source).toMatchObject({ kind: 'git', url: fileUrl(repo.bare), ref: 'hello@1.0.0', trigger: 'webhook', provider: 'github' });

    const v = await versions('hello');
    expect(v.items).toHaveLength(1);
    expect(v.items[0]?.source).toEqual({
      kind: 'git',
      url: fileUrl(repo.bare),
      commit,
      tag: 'hello@1.0.0',
      path: 'hello',
      importedAt: expect.any(String),
      importedBy: 'webhook:github',
    });
  });

  it('publishes from a GitLab Tag Push Hook over smart HTTP, finding the item in a nested folder', async () => {
    const repo = await makeRepo(api.repos, 'gl');
    await addItem(repo, 'items/platform/gl-item', { id: 'gl-item', version: '0.3.0' });
    await addItem(repo, 'items/platform/other', { id: 'other-item' });
    const commit = repo.commitAndTag('gl', 'gl-item@0.3.0');
    repo.publish();

    const res = await api.webhook('gitlab', gitlabTagPush({ ref: tagRef('gl-item@0.3.0'), after: commit, cloneUrl: `${httpGit.url}gl.git` }));
    expect(res.status).toBe(202);
    const record = await api.waitForImport(res.body.importId);
    expect(record).toMatchObject({ state: 'done', results: [{ id: 'gl-item', version: '0.3.0', status: 'created' }] });
    const v = await versions('gl-item');
    expect(v.items).toMatchObject([{ source: { url: `${httpGit.url}gl.git`, commit, path: 'items/platform/gl-item', importedBy: 'webhook:gitlab' } }]);
  });

  it('publishes from Gitea and Forgejo pushes (annotated tag, item at the repository root)', async () => {
    const repo = await makeRepo(api.repos, 'gt');
    await addItem(repo, '.', { id: 'gitea-item', version: '2.0.0' });
    const commit = repo.commitAndTag('gitea');
    git(repo.work, 'tag', '-a', '-m', 'release', 'gitea-item@2.0.0');
    const tagObject = git(repo.work, 'rev-parse', 'gitea-item@2.0.0');
    repo.publish();

    const res = await api.webhook('gitea', giteaPush({ ref: tagRef('gitea-item@2.0.0'), after: tagObject, cloneUrl: `${httpGit.url}gt.git` }));
    expect(res.status).toBe(202);
    expect(await api.waitForImport(res.body.importId)).toMatchObject({ state: 'done', results: [{ status: 'created' }] });
    expect((await versions('gitea-item')).items).toMatchObject([{ source: { commit, path: '.', importedBy: 'webhook:gitea' } }]);

    const again = await api.webhook('forgejo', giteaPush({ ref: tagRef('gitea-item@2.0.0'), after: tagObject, cloneUrl: `${httpGit.url}gt.git` }));
    expect(again.status).toBe(202);
  });
});

describe('Git webhook: authentication and limits', () => {
  it('answers 401 to bad and missing signatures and queues nothing', async () => {
    const before = { imports: (await api.imports()).length, jobs: await api.queuedJobs() };
    const payload = githubPush({ ref: tagRef('hello@9.9.9'), after: 'b'.repeat(40), cloneUrl: fileUrl(path.join(api.repos, 'gh.git')) });
    const bad = await api.webhook('github', payload, { secret: 'wrong' });
    const missing = await api.webhook('github', payload, { secret: null });
    const gitlab = await api.webhook('gitlab', gitlabTagPush({ ref: tagRef('hello@9.9.9'), after: 'b'.repeat(40), cloneUrl: 'x' }), { secret: 'wrong' });
    const anonymous = await fetch(`${api.url}/api/catalog/git/webhook`, { method: 'POST', body: '{}' });
    for (const r of [bad, missing, gitlab]) expect(r.status).toBe(401);
    expect(anonymous.status).toBe(401);
    expect(bad.body.error.code).toBe('UNAUTHENTICATED');
    expect({ imports: (await api.imports()).length, jobs: await api.queuedJobs() }).toEqual(before);
  });

  it('refuses every delivery while SHELF_WEBHOOK_SECRET is unset', async () => {
    const open = await startGitApi({ webhookSecret: null });
    try {
      const res = await open.webhook('github', { zen: 'hi' }, { event: 'ping', secret: '' });
      expect(res.status).toBe(401);
      expect(res.body.error.message).toMatch(/SHELF_WEBHOOK_SECRET/);
    } finally {
      await open.close();
    }
  });

  it('answers 400 to a signed but malformed payload, and 413 past 25 MB', async () => {
    const malformed = await api.webhook('github', { ref: 'refs/tags/x@1.0.0', after: 'zz', repository: {} });
    expect(malformed.status).toBe(400);
    const huge = Buffer.alloc(26 * 1024 * 1024, 0x20);
    const res = await fetch(`${api.url}/api/catalog/git/webhook`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'x-github-event': 'push', 'x-hub-signature-256': 'sha256=00' },
      body: huge,
    });
    expect(res.status).toBe(413);
  });

  it('answers pings, branch pushes and tag deletions with 2xx and imports nothing', async () => {
    const before = (await api.imports()).length;
    const cloneUrl = fileUrl(path.join(api.repos, 'gh.git'));
    const ping = await api.webhook('github', { zen: 'Keep it logically awesome.', hook_id: 1 }, { event: 'ping' });
    expect(ping).toMatchObject({ status: 200, body: { ok: true, message: expect.stringMatching(/^pong/) } });
    const branch = await api.webhook('github', githubPush({ ref: 'refs/heads/main', after: 'c'.repeat(40), cloneUrl }));
    const deleted = await api.webhook('github', githubPush({ ref: tagRef('hello@1.0.0'), after: '0'.repeat(40), cloneUrl }));
    const glDeleted = await api.webhook('gitlab', gitlabTagPush({ ref: tagRef('hello@1.0.0'), after: '0'.repeat(40), cloneUrl }));
    const issue = await api.webhook('github', { action: 'opened' }, { event: 'issues' });
    for (const r of [branch, deleted, glDeleted, issue]) expect(r).toMatchObject({ status: 200, body: { ok: true, ignored: true } });
    expect((await api.imports()).length).toBe(before);
  });
});

describe('Git webhook: deduplication', () => {
  it('imports a redelivery once and answers duplicate: true with the same importId', async () => {
    const repo = await makeRepo(api.repos, 'dup');
    await addItem(repo, 'dup-item', { id: 'dup-item' });
    const commit = repo.commitAndTag('dup', 'dup-item@1.0.0');
    repo.publish();
    const payload = githubPush({ ref: tagRef('dup-item@1.0.0'), after: commit, cloneUrl: fileUrl(repo.bare) });

    const first = await api.webhook('github', payload, { deliveryId: 'delivery-dup-1' });
    const second = await api.webhook('github', payload, { deliveryId: 'delivery-dup-1' });
    expect(second).toMatchObject({ status: 202, body: { importId: first.body.importId, duplicate: true } });
    await api.waitForImport(first.body.importId);
    const third = await api.webhook('github', payload, { deliveryId: 'delivery-dup-1' });
    expect(third.body).toEqual({ importId: first.body.importId, duplicate: true });
    // Same repository, tag and commit under another delivery id (a second webhook): the same import.
    const other = await api.webhook('github', payload, { deliveryId: 'delivery-dup-2' });
    expect(other.body).toEqual({ importId: first.body.importId, duplicate: true });

    const records = (await api.imports()).filter((r) => r.source.kind === 'git' && r.source.ref === 'dup-item@1.0.0');
    expect(records).toHaveLength(1);
    expect((await versions('dup-item')).items).toHaveLength(1);
  });

  it('re-queues a redelivery whose import failed', async () => {
    const missing = path.join(api.repos, 'late.git');
    const payload = githubPush({ ref: tagRef('late@1.0.0'), after: 'd'.repeat(40), cloneUrl: fileUrl(missing) });
    const first = await api.webhook('github', payload, { deliveryId: 'delivery-late' });
    const failed = await api.waitForImport(first.body.importId);
    expect(failed.state).toBe('failed');
    expect(failed.error).toMatch(/not appear to be a git repository|not found/i);

    const repo = await makeRepo(api.repos, 'late');
    await addItem(repo, 'late', { id: 'late' });
    repo.commitAndTag('late', 'late@1.0.0');
    repo.publish();
    const again = await api.webhook('github', payload, { deliveryId: 'delivery-late' });
    expect(again).toMatchObject({ status: 202, body: { importId: first.body.importId, duplicate: true, requeued: true } });
    expect(await api.waitForImport(first.body.importId)).toMatchObject({ state: 'done', results: [{ id: 'late', status: 'created' }] });
  });
});

describe('Git webhook: refusals', () => {
  const marker = (name: string) => path.join(api.tmp, `marker-${name}`);

  it('refuses dangerous URLs with 403 before any git command runs', async () => {
    const pwned = marker('ext');
    const requestsBefore = httpGit.requests;
    for (const cloneUrl of [
      `ext::sh -c touch% ${pwned}`,
      `--upload-pack=touch ${marker('opt')}`,
      'http://127.0.0.1/',
      'http://169.254.169.254/latest/meta-data/',
      'https://10.0.0.1/acme/catalog.git',
      'https://[::ffff:127.0.0.1]/acme/catalog.git',
      'ssh://git@127.0.0.1/acme/catalog.git',
    ]) {
      const res = await api.webhook('github', githubPush({ ref: tagRef('hello@1.0.0'), after: 'e'.repeat(40), cloneUrl }));
      expect(res.status, cloneUrl).toBe(403);
      expect(res.body.error.code).toBe('FORBIDDEN');
    }
    const optionRef = await api.webhook('github', githubPush({ ref: tagRef('--upload-pack=touch'), after: 'e'.repeat(40), cloneUrl: `${httpGit.url}gh.git` }));
    expect(optionRef.status).toBe(403);
    const sync = await api.sync({ url: `ext::sh -c touch% ${pwned}` });
    expect(sync.status).toBe(403);
    const syncRef = await api.sync({ url: `${httpGit.url}gh.git`, ref: `--upload-pack=touch ${marker('ref')}` });
    expect(syncRef.status).toBe(403);

    await new Promise((r) => setTimeout(r, 200));
    expect(httpGit.requests).toBe(requestsBefore);
    for (const m of ['ext', 'opt', 'ref']) expect(existsSync(marker(m))).toBe(false);
    const refused = (await api.imports()).filter((r) => r.state === 'failed' && /refused/.test(r.error ?? ''));
    expect(refused.length).toBeGreaterThanOrEqual(8);
    expect(refused.some((r) => /not a public address/.test(r.error ?? ''))).toBe(true);
  });

  it('never runs code from .gitmodules, hooks, filters or the served repository config', async () => {
    const repo = await makeRepo(api.repos, 'evil');
    const m = marker('evil');
    await addItem(repo, 'evil-item', { id: 'evil-item', extra: { '.gitattributes': '* filter=evil\n' } });
    await addFile(repo, '.gitmodules', `[submodule "lib"]\n\tpath = lib\n\turl = ext::sh -c touch% ${m}\n`);
    await addFile(repo, '.husky/post-checkout', `#!/bin/sh\ntouch ${m}\n`);
    await nestedRepo(path.join(repo.work, 'lib'));
    const commit = repo.commitAndTag('evil', 'evil-item@1.0.0');
    repo.publish();
    // The served repository's own hooks and config would run code if git honoured them.
    for (const hook of ['post-checkout', 'reference-transaction', 'post-update', 'pre-upload-pack', 'post-index-change', 'fsmonitor-watchman']) {
      await writeFile(path.join(repo.bare, 'hooks', hook), `#!/bin/sh\ntouch ${m}\n`, { mode: 0o755 });
    }
    git(repo.bare, 'config', 'uploadpack.packObjectsHook', `touch ${m}`);
    git(repo.bare, 'config', 'core.fsmonitor', `touch ${m}`);
    git(repo.bare, 'config', 'filter.evil.smudge', `touch ${m}`);

    const res = await api.webhook('github', githubPush({ ref: tagRef('evil-item@1.0.0'), after: commit, cloneUrl: fileUrl(repo.bare) }));
    const record = await api.waitForImport(res.body.importId);
    expect(record).toMatchObject({ state: 'done', results: [{ id: 'evil-item', status: 'created' }] });
    expect(existsSync(m)).toBe(false);
  });

  it("refuses a repository whose .gitmodules carries a command (git's object checks), running nothing", async () => {
    const repo = await makeRepo(api.repos, 'evil-update');
    const m = marker('evil-update');
    await addItem(repo, 'evil-update', { id: 'evil-update' });
    await addFile(repo, '.gitmodules', `[submodule "lib"]\n\tpath = lib\n\turl = https://example.invalid/lib.git\n\tupdate = !touch ${m}\n`);
    await nestedRepo(path.join(repo.work, 'lib'));
    const commit = repo.commitAndTag('evil', 'evil-update@1.0.0');
    repo.publish();
    const res = await api.webhook('github', githubPush({ ref: tagRef('evil-update@1.0.0'), after: commit, cloneUrl: fileUrl(repo.bare) }));
    const record = await api.waitForImport(res.body.importId);
    expect(record).toMatchObject({ state: 'done', results: [{ id: 'evil-update', status: 'refused', error: expect.stringMatching(/submodule update/) }] });
    expect(existsSync(m)).toBe(false);
  });

  it('refuses an item folder holding a symlink or a submodule, with the reason', async () => {
    const repo = await makeRepo(api.repos, 'links');
    await addItem(repo, 'linky', { id: 'linky' });
    await symlink('/etc/passwd', path.join(repo.work, 'linky', 'passwd'));
    repo.commitAndTag('link', 'linky@1.0.0');
    await addItem(repo, 'subby', { id: 'subby' });
    await nestedRepo(path.join(repo.work, 'subby', 'vendor'));
    repo.commitAndTag('sub', 'subby@1.0.0');
    repo.publish();

    for (const [tag, why] of [['linky@1.0.0', /symbolic link/], ['subby@1.0.0', /submodule/]] as const) {
      const res = await api.sync({ url: fileUrl(repo.bare), ref: tag });
      const record = await api.waitForImport(res.body.importId);
      expect(record.state).toBe('done');
      expect(record.results[0]).toMatchObject({ status: 'refused', error: expect.stringMatching(why) });
    }
  });

  it('refuses a manifest version that disagrees with the tag, with the reason', async () => {
    const repo = await makeRepo(api.repos, 'mismatch');
    await addItem(repo, 'mm', { id: 'mm', version: '1.0.0' });
    const commit = repo.commitAndTag('mm', 'mm@2.0.0');
    repo.publish();
    const res = await api.webhook('github', githubPush({ ref: tagRef('mm@2.0.0'), after: commit, cloneUrl: fileUrl(repo.bare) }));
    const record = await api.waitForImport(res.body.importId);
    expect(record).toMatchObject({ state: 'done', results: [{ id: 'mm', version: '2.0.0', status: 'refused' }] });
    expect(record.results[0]?.error).toMatch(/manifest version 1\.0\.0 disagrees with the tag's version 2\.0\.0/);
    expect((await fetch(`${api.url}/api/catalog/mm/versions`, { headers: asAdmin })).status).toBe(404);
  });

  it('refuses a tag whose item id is in two folders, or in none', async () => {
    const repo = await makeRepo(api.repos, 'twice');
    await addItem(repo, 'a/twin', { id: 'twin' });
    await addItem(repo, 'b/twin-copy', { id: 'twin' });
    const commit = repo.commitAndTag('twins', 'twin@1.0.0', 'ghost@1.0.0');
    repo.publish();
    const twin = await api.webhook('github', githubPush({ ref: tagRef('twin@1.0.0'), after: commit, cloneUrl: fileUrl(repo.bare) }));
    const ghost = await api.webhook('github', githubPush({ ref: tagRef('ghost@1.0.0'), after: commit, cloneUrl: fileUrl(repo.bare) }));
    expect((await api.waitForImport(twin.body.importId)).results[0]).toMatchObject({ status: 'refused', error: expect.stringMatching(/2 folders .*a\/twin\/, b\/twin-copy\//) });
    expect((await api.waitForImport(ghost.body.importId)).results[0]).toMatchObject({ status: 'refused', error: expect.stringMatching(/no folder .* id "ghost"/) });
  });

  it('refuses a force-moved tag with different content: versions are immutable', async () => {
    const repo = await makeRepo(api.repos, 'moved');
    await addItem(repo, 'moving', { id: 'moving' });
    const first = repo.commitAndTag('v1', 'moving@1.0.0');
    repo.publish();
    const r1 = await api.webhook('github', githubPush({ ref: tagRef('moving@1.0.0'), after: first, cloneUrl: fileUrl(repo.bare) }));
    expect((await api.waitForImport(r1.body.importId)).results).toMatchObject([{ status: 'created' }]);

    await addItem(repo, 'moving', { id: 'moving', name: 'Moved' });
    const second = repo.commitAndTag('sneaky', 'moving@1.0.0');
    repo.publish();
    const r2 = await api.webhook('github', githubPush({ ref: tagRef('moving@1.0.0'), after: second, before: first, cloneUrl: fileUrl(repo.bare) }));
    expect(r2.body.importId).not.toBe(r1.body.importId);
    const record = await api.waitForImport(r2.body.importId);
    expect(record.results[0]).toMatchObject({ status: 'refused', error: expect.stringMatching(/versions are immutable/) });
    const v = await versions('moving');
    expect(v.items).toMatchObject([{ source: { commit: first } }]);
  });

  it('records a tag that is not <item-id>@<semver> as ignored', async () => {
    const res = await api.webhook('github', githubPush({ ref: tagRef('v1.0.0'), after: 'a'.repeat(40), cloneUrl: fileUrl(path.join(api.repos, 'gh.git')) }));
    expect(res.status).toBe(202);
    expect(res.body).toMatchObject({ ignored: true });
    const record = await api.waitForImport(res.body.importId);
    expect(record).toMatchObject({ state: 'ignored', error: expect.stringMatching(/not of the form <item-id>@<semver>/) });
  });
});
