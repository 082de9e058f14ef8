import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ImportRecord } from '@shelf/contract';
import { startGitApi, type GitHarness } from './fixtures/git/harness.js';
import { startGitHttpServer, type GitHttpServer } from './fixtures/git/gitHttpServer.js';
import { addItem, makeRepo } from './fixtures/git/repos.js';
import { asAdmin } from './helpers/shelfApi.js';
import { mirrorDir } from '../src/git/fetchTags.js';

let repos: string;
let httpGit: GitHttpServer;
let api: GitHarness;

beforeAll(async () => {
  repos = await mkdtemp(path.join(os.tmpdir(), 'shelf-git-paths-'));
  httpGit = await startGitHttpServer(repos);
  // A slow first retry, to read the record while it says why the first attempt failed.
  api = await startGitApi({ repos, gitAllow: [httpGit.url], attempts: 2, backoffMs: 1500 });
});
afterAll(async () => {
  await api?.close();
  await httpGit?.close();
  await rm(repos, { recursive: true, force: true });
});

/** What the API answers about an import: one record, and the list it is in. */
async function answers(importId: string): Promise<{ record: ImportRecord; text: string }> {
  const one = await (await fetch(`${api.url}/api/catalog/imports/${importId}`, { headers: asAdmin })).text();
  const list = await (await fetch(`${api.url}/api/catalog/imports`, { headers: asAdmin })).text();
  return { record: JSON.parse(one) as ImportRecord, text: `${one}\n${list}` };
}

function expectNoHostPath(text: string): void {
  for (const hostPath of [api.api.bundlesDir, api.api.tmp, os.tmpdir(), '/tmp/', '.git-cache', 'shelf-git-home-']) expect(text).not.toContain(hostPath);
}

describe('git errors in import records', () => {
  it('name the mirror, not where it lives on this host, and the retry starts from a fresh mirror', { timeout: 20_000 }, async () => {
    const repo = await makeRepo(repos, 'locked');
    await addItem(repo, 'locked', { id: 'locked', version: '1.0.0' });
    repo.commitAndTag('v1', 'locked@1.0.0');
    repo.publish();
    const url = `${httpGit.url}locked.git`;
    expect(await api.waitForImport((await api.sync({ url, ref: 'locked@1.0.0' })).body.importId)).toMatchObject({ state: 'done' });

    // A git killed mid-fetch leaves its lock behind; the next fetch of that tag trips on it,
    // and git's message names the lock file by its absolute path in the mirror.
    await addItem(repo, 'locked', { id: 'locked', version: '1.1.0' });
    repo.commitAndTag('v1.1', 'locked@1.1.0');
    repo.publish();
    const mirror = mirrorDir(path.join(api.api.bundlesDir, '.git-cache'), { url, protocol: 'http' });
    await mkdir(path.join(mirror, 'refs', 'tags'), { recursive: true });
    await writeFile(path.join(mirror, 'refs', 'tags', 'locked@1.1.0.lock'), '');

    const { importId } = (await api.sync({ url, ref: 'locked@1.1.0' })).body;
    let seen: { record: ImportRecord; text: string };
    const deadline = Date.now() + 10_000;
    do {
      seen = await answers(importId);
      if (Date.now() > deadline) throw new Error(`never saw the failed first attempt: ${seen.text}`);
    } while (!seen.record.error?.startsWith('attempt 1 of 2 failed'));
    expect(seen.record.error).toMatch(/cannot lock ref 'refs\/tags\/locked@1\.1\.0': Unable to create '<mirror>\/refs\/tags\/locked@1\.1\.0\.lock': File exists/);
    expectNoHostPath(seen.text);

    const done = await api.waitForImport(importId);
    expect(done).toMatchObject({ state: 'done', results: [{ id: 'locked', version: '1.1.0', status: 'created' }] });
    expectNoHostPath((await answers(importId)).text);
  });
});
