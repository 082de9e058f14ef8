import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ImportRecord } from '@shelf/contract';
import { startGitApi, type GitHarness } from './fixtures/git/harness.js';
import { startGitHttpServer, type GitHttpServer } from './fixtures/git/gitHttpServer.js';
import { addItem, makeRepo } from './fixtures/git/repos.js';
import { startTarpit, type Tarpit } from './fixtures/git/tarpit.js';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
async function until(what: string, ok: () => boolean, ms = 10_000): Promise<void> {
  const deadline = Date.now() + ms;
  while (!ok()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await sleep(20);
  }
}
const recordOf = async (api: GitHarness, importId: string): Promise<ImportRecord> => (await api.imports()).find((r) => r.importId === importId)!;

let repos: string;
let httpGit: GitHttpServer;

beforeAll(async () => {
  repos = await mkdtemp(path.join(os.tmpdir(), 'shelf-git-slow-'));
  httpGit = await startGitHttpServer(repos);
  const repo = await makeRepo(repos, 'healthy');
  await addItem(repo, 'prompt', { id: 'prompt' });
  repo.commitAndTag('prompt', 'prompt@1.0.0');
  repo.publish();
});
afterAll(async () => {
  await httpGit?.close();
  await rm(repos, { recursive: true, force: true });
});

describe('a git host that never answers', () => {
  const commandTimeoutMs = 4000;
  const hostBackoffMs = 200;
  let api: GitHarness;
  let tarpit: Tarpit;
  let stuck: string[] = [];
  beforeAll(async () => {
    tarpit = await startTarpit();
    // Two slots, as in the report: each host's share is one of them.
    api = await startGitApi({ repos, gitAllow: [httpGit.url, tarpit.url], timeoutMs: commandTimeoutMs, attempts: 1, concurrency: 2, hostLimits: { backoffMs: hostBackoffMs, busyRetryMs: 100 } });
  });
  afterAll(async () => {
    await api?.close();
    await tarpit?.close();
  });

  it('does not keep a sync of another host waiting while two syncs hang on it', { timeout: 20_000 }, async () => {
    stuck = [(await api.sync({ url: `${tarpit.url}a.git` })).body.importId, (await api.sync({ url: `${tarpit.url}b.git` })).body.importId];
    await until('the tarpit to be reached', () => tarpit.accepted.length >= 1);
    // Long enough for the consumer to have taken both tarpit jobs (into its slots, or set aside).
    await sleep(300);

    const started = Date.now();
    const { importId } = (await api.sync({ url: `${httpGit.url}healthy.git` })).body;
    let queuedMs: number | undefined;
    let healthy: ImportRecord;
    for (;;) {
      healthy = await recordOf(api, importId);
      if (queuedMs === undefined && healthy.state !== 'queued') queuedMs = Date.now() - started;
      if (healthy.state === 'done' || healthy.state === 'failed') break;
      await sleep(20);
    }
    const doneMs = Date.now() - started;
    const meanwhile = await Promise.all(stuck.map((id) => recordOf(api, id)));
    console.info(`healthy sync: queued ${queuedMs} ms, done ${doneMs} ms after it was requested (per-command timeout ${commandTimeoutMs} ms)`);

    expect(healthy).toMatchObject({ state: 'done', results: [{ id: 'prompt', status: 'created' }] });
    expect(queuedMs).toBeLessThan(1000);
    // Done while both tarpit syncs are still stuck: one hanging, the other set aside, saying why.
    for (const record of meanwhile) expect(record.error ?? '').not.toMatch(/did not answer|timed out/);
    expect(meanwhile.map((r) => r.state).sort()).toEqual(['queued', 'running']);
    expect(meanwhile.find((r) => r.state === 'queued')?.error).toMatch(/^waiting for another sync of 127\.0\.0\.1:\d+ to finish: 127\.0\.0\.1:\d+ may have 1 at a time$/);
  });

  it('fails each hanging sync saying which host did not answer, one at a time and after a pause', { timeout: 20_000 }, async () => {
    const failed = await Promise.all(stuck.map((id) => api.waitForImport(id)));
    for (const [i, name] of ['a', 'b'].entries()) {
      expect(failed[i]).toMatchObject({ state: 'failed', error: `git ls-remote: ${tarpit.url}${name}.git did not answer within 4 s` });
    }
    expect(tarpit.accepted).toHaveLength(2);
    // One sync of the host at a time, and the second only after the first timed out and a pause.
    // (Measured between connections: how long git takes to start and connect varies under load, by
    // up to a second on a busy 2-core machine, so the bound leaves that much; together they would be ~0.)
    expect(tarpit.accepted[1]! - tarpit.accepted[0]!).toBeGreaterThanOrEqual(commandTimeoutMs + hostBackoffMs - 1000);
    // git's HTTP helpers gave up too: nothing stays connected to the tarpit.
    await until('the tarpit connections to close', () => tarpit.open === 0, 3000);
  });
});

describe('the time limit of a whole sync', () => {
  const syncTimeoutMs = 1000;
  const hostBackoffMs = 300;
  let api: GitHarness;
  let tarpit: Tarpit;
  beforeAll(async () => {
    tarpit = await startTarpit();
    api = await startGitApi({ repos, gitAllow: [httpGit.url, tarpit.url], timeoutMs: 30_000, syncTimeoutMs, attempts: 3, hostLimits: { backoffMs: hostBackoffMs, busyRetryMs: 50 } });
  });
  afterAll(async () => {
    await api?.close();
    await tarpit?.close();
  });

  it('stops every git command of a sync at its limit, and retries a host that timed out only after a growing pause', { timeout: 20_000 }, async () => {
    const { importId } = (await api.sync({ url: `${tarpit.url}c.git` })).body;
    const seen = new Set<string>();
    let record: ImportRecord;
    for (;;) {
      record = await recordOf(api, importId);
      if (record.error) seen.add(record.error);
      if (record.state === 'failed' || record.state === 'done') break;
      await sleep(25);
    }
    const limit = `git ls-remote: the sync of ${tarpit.url}c.git took longer than the 1 s one sync may take in all (SHELF_GIT_SYNC_TIMEOUT_SECONDS)`;
    expect(record).toMatchObject({ state: 'failed', error: `gave up after 3 attempts: ${limit}` });
    expect([...seen]).toContainEqual(`attempt 1 of 3 failed, retrying: ${limit}`);
    expect([...seen]).toContainEqual(expect.stringMatching(/^waiting until \S+Z: 127\.0\.0\.1:\d+ timed out last time \(git ls-remote: .* took longer than the 1 s/));

    const job = (await api.jobs()).find((j) => (j.data as { importId: string }).importId === importId);
    expect(job?.attemptsMade).toBe(3);
    const [first, second, third] = tarpit.accepted;
    expect(tarpit.accepted).toHaveLength(3);
    expect(second! - first!).toBeGreaterThanOrEqual(syncTimeoutMs + hostBackoffMs - 100);
    expect(third! - second!).toBeGreaterThanOrEqual(syncTimeoutMs + 2 * hostBackoffMs - 100);
    await until('the tarpit connections to close', () => tarpit.open === 0, 3000);
  });
});
