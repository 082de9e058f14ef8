import { execFile } from 'node:child_process';
import { createHmac, randomUUID } from 'node:crypto';
import { mkdir, readFile, rename, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { promisify } from 'node:util';
import type { ImportRecord } from '@shelf/contract';
import { getJson, shelfFetch } from '../client.js';
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
  for (;;) {
    const record = await getJson<ImportRecord>(`${ctx.shelf.url}/api/catalog/imports/${accepted.importId}`);
    if (record.state === 'done' || record.state === 'failed' || record.state === 'ignored') {
      const created = record.results.find((r) => r.status === 'created');
      if (!created) throw new Error(`the webhook import ended ${record.state}: ${JSON.stringify(record).slice(0, 400)}`);
      return now() - t0;
    }
    if (now() - t0 > 60_000) throw new Error('the webhook import did not finish within 60 s');
    await sleep(10);
  }
}

/**
 * 6. Imports: a bundle upload (multipart) → version created, against node:http hashing the
 * same bytes to disk and unpacking them with node-tar; a tag push webhook → version created
 * from a local bare repository, against `git clone --depth 1 --branch <tag>` of it.
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
  }
  ctx.log(`imports: upload p50 ${up.p50.toFixed(0)} ms (bare ${upBare.p50.toFixed(0)} ms)`);
  return {
    baseline: 'upload: node:http hashing the same bytes to disk and unpacking them with node-tar; webhook: `git clone --depth 1 --branch <tag>` of the same local repository',
    rows,
    details,
  };
}
