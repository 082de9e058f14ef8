import { execFile } from 'node:child_process';
import { createHmac, randomUUID } from 'node:crypto';
import { mkdir, readFile, rename, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { promisify } from 'node:util';
import type { ImportRecord } from '@shelf/contract';
import { getJson, postJson, shelfFetch } from '../client.js';
import type { BenchContext } from '../context.js';
import { writeItem, writeUploadBundle } from '../items.js';
import { row, type Row, type ScenarioResult } from '../report.js';
import { Child, childEnv } from '../shelf.js';
import { now, summarize } from '../stats.js';

const run = promisify(execFile);
const git = (cwd: string, ...args: string[]) => run('git', ['-c', 'user.name=bench', '-c', 'user.email=bench@localhost', ...args], { cwd });

/** Upload → 201 created, in ms. */
async function uploadToShelf(url: string, file: string): Promise<number> {
  const bytes = await readFile(file);
  const t0 = now();
  const form = new FormData();
  form.set('bundle', new Blob([bytes]), path.basename(file));
  const res = await shelfFetch(`${url}/api/catalog/bundle/upload`, { method: 'POST', body: form });
  const body = await res.text();
  if (res.status !== 201) throw new Error(`upload answered ${res.status}: ${body.slice(0, 300)}`);
  return now() - t0;
}

async function uploadToBare(url: string, file: string): Promise<number> {
  const bytes = await readFile(file);
  const t0 = now();
  const res = await fetch(`${url}/upload`, { method: 'POST', body: bytes });
  await res.text();
  if (res.status !== 201) throw new Error(`bare upload answered ${res.status}`);
  return now() - t0;
}

/** True once `POST /api/catalog/git/webhook` is routed (an unsigned delivery is then 401, not 404). No bearer: the webhook is signed, not signed in. */
async function webhookWired(url: string): Promise<boolean> {
  const res = await fetch(`${url}/api/catalog/git/webhook`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{}' });
  await res.arrayBuffer();
  return res.status !== 404;
}

/** A bare repository with one item per tag `<id>@<version>`, pushed like a developer would. */
async function gitFixture(ctx: BenchContext): Promise<{ repo: string; tagItem: (n: number) => Promise<{ tag: string; commit: string }> }> {
  const repo = path.join(ctx.shelf.gitDir, 'items.git');
  const work = path.join(ctx.tmp, 'git-work');
  await mkdir(repo, { recursive: true });
  await mkdir(work, { recursive: true });
  await git(repo, 'init', '--quiet', '--bare');
  await git(work, 'init', '--quiet');
  return {
    repo,
    async tagItem(n) {
      const id = 'bench-git';
      const version = `1.0.${n}`;
      const dir = await writeItem(work, { id, name: 'Bench Git item', version, command: ['true'], files: { 'main.sh': `echo ${n}\n` } });
      await rm(path.join(work, id), { recursive: true, force: true });
      await rename(dir, path.join(work, id));
      await git(work, 'add', '-A');
      await git(work, 'commit', '--quiet', '-m', `bench ${version}`);
      const tag = `${id}@${version}`;
      await git(work, 'tag', tag);
      await git(work, 'push', '--quiet', repo, 'HEAD:refs/heads/main', `refs/tags/${tag}`);
      const commit = (await git(work, 'rev-parse', 'HEAD')).stdout.trim();
      return { tag, commit };
    },
  };
}

/** Tag push webhook → import done with the version created, in ms. */
async function webhookToVersion(ctx: BenchContext, repo: string, tag: string, commit: string): Promise<number> {
  const body = Buffer.from(JSON.stringify({ ref: `refs/tags/${tag}`, after: commit, repository: { clone_url: `file://${repo}` } }));
  const signature = `sha256=${createHmac('sha256', ctx.shelf.opts.webhookSecret).update(body).digest('hex')}`;
  const t0 = now();
  const res = await fetch(`${ctx.shelf.url}/api/catalog/git/webhook`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', 'x-github-event': 'push', 'x-github-delivery': randomUUID(), 'x-hub-signature-256': signature },
    body,
  });
  const accepted = (await res.json()) as { importId?: string };
  if (res.status !== 202 || !accepted.importId) throw new Error(`webhook answered ${res.status}: ${JSON.stringify(accepted)}`);
  const record = await finishedImport(ctx, accepted.importId, 60_000);
  if (!record.results.some((r) => r.status === 'created')) throw new Error(`the webhook import ended ${record.state}: ${JSON.stringify(record).slice(0, 400)}`);
  return now() - t0;
}

/** Polls an import record until it is done, failed or ignored. */
async function finishedImport(ctx: BenchContext, importId: string, timeoutMs: number): Promise<ImportRecord> {
  const t0 = now();
  for (;;) {
    const record = await getJson<ImportRecord>(`${ctx.shelf.url}/api/catalog/imports/${importId}`);
    if (record.state === 'done' || record.state === 'failed' || record.state === 'ignored') return record;
    if (now() - t0 > timeoutMs) throw new Error(`import ${importId} did not finish within ${timeoutMs / 1000} s`);
    await sleep(10);
  }
}

/**
 * A bare repository with `count` item tags, each on its own commit, the way a catalogue
 * repository grows release by release: 20 items, each tagged again and again.
 */
async function taggedRepo(ctx: BenchContext, count: number): Promise<{ repo: string; tags: string[] }> {
  const repo = path.join(ctx.shelf.gitDir, 'catalog.git');
  const work = path.join(ctx.tmp, 'git-sync-work');
  await mkdir(repo, { recursive: true });
  await mkdir(work, { recursive: true });
  await git(repo, 'init', '--quiet', '--bare');
  await git(work, 'init', '--quiet');
  const tags: string[] = [];
  for (let n = 0; n < count; n++) {
    const id = `bench-sync-${n % 20}`;
    const version = `1.0.${Math.floor(n / 20)}`;
    const dir = await writeItem(work, { id, name: 'Bench sync item', version, command: ['true'], files: { 'main.sh': `echo ${n}\n` } });
    await rm(path.join(work, id), { recursive: true, force: true });
    await rename(dir, path.join(work, id));
    await git(work, 'add', '-A');
    await git(work, 'commit', '--quiet', '-m', `release ${id}@${version}`);
    await git(work, 'tag', `${id}@${version}`);
    tags.push(`${id}@${version}`);
  }
  await git(work, 'push', '--quiet', repo, 'HEAD:refs/heads/main', '--tags');
  return { repo, tags };
}

/** `POST /api/catalog/git/sync` of the whole repository → every tag's import ended `status`, in ms. */
async function syncRepo(ctx: BenchContext, repo: string, tags: number, status: 'created' | 'unchanged'): Promise<number> {
  const t0 = now();
  const res = await postJson(`${ctx.shelf.url}/api/catalog/git/sync`, { url: `file://${repo}` });
  if (res.status !== 202 || typeof res.body.importId !== 'string') throw new Error(`git sync answered ${res.status}: ${JSON.stringify(res.body)}`);
  const record = await finishedImport(ctx, res.body.importId, 15 * 60_000);
  const ms = now() - t0;
  const ended = record.results.filter((r) => r.status === status).length;
  if (ended !== tags) throw new Error(`git sync ended ${record.state} with ${ended} of ${tags} tags ${status}: ${JSON.stringify(record).slice(0, 400)}`);
  return ms;
}

/** Shelf's sync before issue 10, emulated with plain git: one shallow fetch per tag into a fresh bare repository, in ms. */
async function fetchEachTag(ctx: BenchContext, repo: string, tags: string[]): Promise<number> {
  const mirror = path.join(ctx.tmp, 'per-tag.git');
  await git(ctx.tmp, 'init', '--quiet', '--bare', mirror);
  const t0 = now();
  for (const tag of tags) {
    await run('git', ['fetch', '--quiet', '--depth', '1', '--no-tags', `file://${repo}`, `+refs/tags/${tag}:refs/tags/${tag}`], { cwd: mirror });
  }
  return now() - t0;
}

/** The whole repository in one `git clone --mirror`, in ms. */
async function cloneMirror(ctx: BenchContext, repo: string): Promise<number> {
  const t0 = now();
  await run('git', ['clone', '--quiet', '--mirror', `file://${repo}`, path.join(ctx.tmp, 'mirror.git')]);
  return now() - t0;
}

/** A whole-repository sync, timed against the per-tag fetches it replaced and against one mirror clone. */
async function gitSyncRows(ctx: BenchContext): Promise<{ rows: Row[]; details: Record<string, unknown> }> {
  const count = ctx.sizes.imports.syncTags;
  const { repo, tags } = await taggedRepo(ctx, count);
  const shelfMs = await syncRepo(ctx, repo, count, 'created');
  const againMs = await syncRepo(ctx, repo, count, 'unchanged');
  const perTagMs = await fetchEachTag(ctx, repo, tags);
  const mirrorMs = await cloneMirror(ctx, repo);
  ctx.log(`imports: git sync of ${count} tags ${(shelfMs / 1000).toFixed(1)} s, again ${(againMs / 1000).toFixed(1)} s (git fetch per tag ${(perTagMs / 1000).toFixed(1)} s, clone --mirror ${(mirrorMs / 1000).toFixed(2)} s)`);
  const scenario = `6 import: git sync, ${count} item tags → versions created`;
  return {
    rows: [row(`${scenario} (vs git fetch per tag)`, 's', 'lower', shelfMs / 1000, perTagMs / 1000), row(`${scenario} (vs git clone --mirror)`, 's', 'lower', shelfMs / 1000, mirrorMs / 1000)],
    details: { syncTags: count, syncMs: shelfMs, resyncUnchangedMs: againMs, gitFetchPerTagMs: perTagMs, gitCloneMirrorMs: mirrorMs },
  };
}

/**
 * 6. Imports: a bundle upload (multipart) → version created, against node:http hashing the
 * same bytes to disk and unpacking them with node-tar; a tag push webhook → version created
 * from a local bare repository, against `git clone --depth 1 --branch <tag>` of it; a sync of
 * a whole repository of item tags, against plain git fetching the same tags.
 */
export async function importsScenario(ctx: BenchContext): Promise<ScenarioResult> {
  const { uploadBytes, uploads, webhooks } = ctx.sizes.imports;
  const mb = uploadBytes / 1024 / 1024;
  const dir = path.join(ctx.tmp, 'uploads');
  await mkdir(dir, { recursive: true });
  const files: string[] = [];
  for (let i = 0; i <= uploads; i++) files.push(await writeUploadBundle(dir, `bench-upload-${i}`, uploadBytes));

  const routesFile = path.join(ctx.tmp, 'bare-upload-routes.json');
  await writeFile(routesFile, '{}');
  const bare = new Child('bare http', 'scripts/bench/bareHttp.ts', childEnv(), [routesFile]);
  const shelfMs: number[] = [];
  const bareMs: number[] = [];
  try {
    const bareUrl = `http://127.0.0.1:${(await bare.waitForLine(/listening (\d+)/, 30_000))[1]}`;
    // files[0] warms both sides up.
    await uploadToShelf(ctx.shelf.url, files[0]!);
    await uploadToBare(bareUrl, files[0]!);
    for (const file of files.slice(1)) {
      shelfMs.push(await uploadToShelf(ctx.shelf.url, file));
      bareMs.push(await uploadToBare(bareUrl, file));
    }
  } finally {
    await bare.stop();
  }
  const up = summarize(shelfMs);
  const upBare = summarize(bareMs);
  const size = mb >= 1 ? `${mb.toFixed(0)} MB` : `${(uploadBytes / 1024).toFixed(0)} KB`;
  const rows: Row[] = [row(`6 import: ${size} bundle upload → version created (p50 of ${uploads})`, 'ms', 'lower', up.p50, upBare.p50)];
  const details: Record<string, unknown> = { uploadBytes, upload: up, bareUpload: upBare };

  if (!(await webhookWired(ctx.shelf.url))) {
    ctx.log('imports: POST /api/catalog/git/webhook is not routed by this API yet; the webhook row is n/a');
    rows.push(row('6 import: tag push webhook → version created', 'ms', 'lower', null, null, 'n/a (git sync not wired)'));
    details.webhook = 'n/a (git sync not wired)';
  } else {
    const fixture = await gitFixture(ctx);
    const hookMs: number[] = [];
    const cloneMs: number[] = [];
    for (let n = 0; n <= webhooks; n++) {
      const { tag, commit } = await fixture.tagItem(n);
      const ms = await webhookToVersion(ctx, fixture.repo, tag, commit);
      const clone = path.join(ctx.tmp, `clone-${n}`);
      const t0 = now();
      await run('git', ['clone', '--quiet', '--depth', '1', '--branch', tag, `file://${fixture.repo}`, clone]);
      const cloned = now() - t0;
      await rm(clone, { recursive: true, force: true });
      // n = 0 warms up.
      if (n > 0) {
        hookMs.push(ms);
        cloneMs.push(cloned);
      }
    }
    const hook = summarize(hookMs);
    const clone = summarize(cloneMs);
    rows.push(row(`6 import: tag push webhook → version created (p50 of ${webhooks})`, 'ms', 'lower', hook.p50, clone.p50));
    details.webhook = hook;
    details.bareGitClone = clone;
    const sync = await gitSyncRows(ctx);
    rows.push(...sync.rows);
    details.gitSync = sync.details;
  }
  ctx.log(`imports: upload p50 ${up.p50.toFixed(0)} ms (bare ${upBare.p50.toFixed(0)} ms)`);
  return {
    baseline:
      'upload: node:http hashing the same bytes to disk and unpacking them with node-tar; webhook: `git clone --depth 1 --branch <tag>` of the same local repository; ' +
      'git sync: plain `git fetch --depth 1` of each tag in turn (what Shelf did before issue 10), and one `git clone --mirror` of the repository',
    rows,
    details,
  };
}
