import { createHash, randomBytes } from 'node:crypto';
import { mkdirSync, writeFileSync } from 'node:fs';
import { readdir, readFile, stat } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { Redis } from 'ioredis';
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { launchChromium, seriousAxeViolations, signIn } from './browser.js';
import { asAdmin, startShelf, type RunningShelf } from './shelfProcess.js';

// A secret reaches the job's container and nowhere else (SPEC §10, issue 13), on a real Shelf
// (API and worker processes, Redis, Docker, Chromium): a job echoes its secret input and its
// named secret in the ways scripts print things, and no plaintext is left in any API answer,
// WebSocket frame, the stored log, the outputs, the audit, any Redis key, the run folder, or
// the browser's URL and storage.

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const shots = path.join(root, 'test-results', 'screenshots');
const sha256 = (s: string) => createHash('sha256').update(s).digest('hex');

const token = `tok-${randomBytes(10).toString('hex')} "x"/y+z`;
const echoKey = `key-${randomBytes(10).toString('hex')}`;
const rotatedKey = `rot-${randomBytes(10).toString('hex')}`;
const ownerPassword = `owner-${randomBytes(8).toString('hex')}`;
/** What must never be found: each secret and the encodings the job prints it in. */
const forms = (value: string) => [value, Buffer.from(value).toString('base64'), encodeURIComponent(value), JSON.stringify(value).slice(1, -1)];
const secretForms = [...forms(token), ...forms(echoKey), ...forms(rotatedKey), ...forms(ownerPassword)];
const leaked = (text: string | Buffer) => secretForms.filter((f) => (typeof text === 'string' ? text.includes(f) : text.includes(Buffer.from(f))));

const script = `#!/bin/bash
set -euo pipefail
T=$(jq -r .token "$SHELF_INPUT")
K=$(cat /run/secrets/ECHO_KEY)
echo "plain $T and $K"
printf 'split %s' "\${T:0:7}"; sleep 0.2; printf '%s\\n' "\${T:7}"
echo "b64 $(printf '%s' "$T" | base64 -w0) $(printf '%s' "$K" | base64 -w0)"
echo "json $(jq -cn --arg t "$T" --arg k "$K" '{t: $t, k: $k}')"
echo "url $(jq -rn --arg t "$T" '$t|@uri')"
echo "err $T" >&2
echo "::progress 60 working with $K"
echo "sha-token $(printf '%s' "$T" | sha256sum | cut -d' ' -f1)"
echo "sha-key $(printf '%s' "$K" | sha256sum | cut -d' ' -f1)"
jq -n --arg t "$T" --arg k "$K" '{token: $t, key: $k}' > "$SHELF_OUTPUT"
if [ "$(jq -r .fail "$SHELF_INPUT")" = true ]; then echo "failing as asked" >&2; exit 3; fi
`;

let shelf: RunningShelf;
let browser: Browser;
let itemsDir: string;

async function api(method: string, pathname: string, body?: unknown): Promise<{ status: number; text: string; json: any }> {
  const res = await fetch(`${shelf.url}${pathname}`, {
    method,
    headers: { ...asAdmin, ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await res.text();
  return { status: res.status, text, json: text ? JSON.parse(text) : undefined };
}

async function finished(id: string): Promise<any> {
  await expect.poll(async () => (await api('GET', `/api/jobs/${id}`)).json.state, { timeout: 60_000, interval: 200 }).toMatch(/SUCCEEDED|FAILED|CANCELLED/);
  return (await api('GET', `/api/jobs/${id}`)).json;
}

/** Every value under the installation's prefix, read by type, plus DUMP of each key. */
async function redisContents(prefix: string): Promise<Buffer[]> {
  const redis = new Redis(process.env.REDIS_URL ?? 'redis://127.0.0.1:6379');
  const out: Buffer[] = [];
  try {
    let cursor = '0';
    do {
      const [next, keys] = await redis.scan(cursor, 'MATCH', `${prefix}:*`, 'COUNT', 1000);
      cursor = next;
      for (const key of keys) {
        const dump = await redis.dumpBuffer(key);
        if (dump) out.push(dump);
        const type = await redis.type(key);
        if (type === 'string') out.push((await redis.getBuffer(key)) ?? Buffer.alloc(0));
        else if (type === 'hash') out.push(...Object.values(await redis.hgetallBuffer(key)));
        else if (type === 'list') out.push(...(await redis.lrangeBuffer(key, 0, -1)));
        else if (type === 'set') out.push(...(await redis.smembersBuffer(key)));
        else if (type === 'zset') out.push(...(await redis.zrangeBuffer(key, 0, -1)));
        else if (type === 'stream') out.push(Buffer.from(JSON.stringify(await redis.xrange(key, '-', '+'))));
      }
    } while (cursor !== '0');
  } finally {
    await redis.quit();
  }
  return out;
}

/** Every regular file under `dir` (its contents). */
async function filesUnder(dir: string): Promise<Buffer[]> {
  const out: Buffer[] = [];
  for (const entry of await readdir(dir, { withFileTypes: true, recursive: true }).catch(() => [])) {
    const full = path.join(entry.parentPath, entry.name);
    if (entry.isFile() && (await stat(full)).size < 50 * 1024 * 1024) out.push(await readFile(full));
  }
  return out;
}

beforeAll(async () => {
  mkdirSync(shots, { recursive: true });
  itemsDir = path.join(os.tmpdir(), `shelf-secrets-e2e-${randomBytes(4).toString('hex')}`);
  const item = path.join(itemsDir, 'secret-echo');
  mkdirSync(item, { recursive: true });
  writeFileSync(path.join(item, 'manifest.yaml'), 'id: secret-echo\nname: Secret echo\nversion: 1.0.0\nruntime:\n  image: shelf/runtime-shell:1\n  command: ["./run.sh"]\nsecrets: [ECHO_KEY]\n');
  writeFileSync(
    path.join(item, 'schema.json'),
    JSON.stringify({ type: 'object', required: ['token'], properties: { token: { type: 'string', title: 'Token', writeOnly: true }, fail: { type: 'boolean', default: false } } }),
  );
  writeFileSync(path.join(item, 'run.sh'), script, { mode: 0o755 });
  shelf = await startShelf({ SHELF_LOCAL_ROOTS: `${itemsDir},catalog-examples` });
  expect((await api('POST', '/api/catalog/local/import', { path: item })).status).toBe(201);
  browser = await launchChromium();
}, 120_000);

afterAll(async () => {
  await browser?.close();
  await shelf?.stop();
}, 60_000);

describe('secrets end to end', () => {
  it('refuses the item until it may read its secret, then runs it with no plaintext left anywhere', async () => {
    const missing = await api('POST', '/api/jobs', { itemId: 'secret-echo', inputs: { token } });
    expect(missing.status).toBe(422);
    expect(missing.json.error.message).toContain('ECHO_KEY (no such secret)');
    expect(missing.text).not.toContain(token);
    expect((await api('POST', '/api/secrets', { name: 'ECHO_KEY', value: echoKey, items: [] })).status).toBe(201);
    const notAllowed = await api('POST', '/api/jobs', { itemId: 'secret-echo', inputs: { token } });
    expect(notAllowed.status).toBe(422);
    expect(notAllowed.json.error.message).toContain('ECHO_KEY (not allowed for secret-echo)');
    expect((await api('PATCH', '/api/secrets/ECHO_KEY', { items: ['secret-echo'] })).status).toBe(200);
    const tooShort = await api('POST', '/api/jobs', { itemId: 'secret-echo', inputs: { token: 'abc' } });
    expect(tooShort.status).toBe(422);
    expect(tooShort.json.error.details.problems).toEqual([expect.objectContaining({ path: '/token', message: expect.stringContaining('at least 4 characters') })]);

    // Everything a live client receives, raw.
    const frames: string[] = [];
    const ws = new WebSocket(`${shelf.url.replace('http', 'ws')}/ws/jobs`, { headers: asAdmin });
    ws.on('message', (data) => frames.push(data.toString()));
    await new Promise((resolve, reject) => ws.once('open', resolve).once('error', reject));

    const submitted = await api('POST', '/api/jobs', { itemId: 'secret-echo', inputs: { token } });
    expect(submitted.status).toBe(202);
    expect(submitted.text).not.toContain(token);
    const id = submitted.json.id as string;
    ws.send(JSON.stringify({ subscribe: id, after: 0 }));
    const job = await finished(id);
    const logs = await api('GET', `/api/jobs/${id}/logs?after=0`);
    const log = (logs.json.items as { line: string }[]).map((l) => l.line).join('\n');
    expect(job.state, log).toBe('SUCCEEDED');
    await expect.poll(() => frames.some((f) => f.includes('sha-key')), { timeout: 10_000 }).toBe(true);
    ws.close();

    // The values reached the container, and came out masked.
    expect(log).toContain(`sha-token ${sha256(token)}`);
    expect(log).toContain(`sha-key ${sha256(echoKey)}`);
    expect(log).toContain('plain ******** and ********');
    expect(log).toContain('split ********');
    expect(log).toContain('err ********');
    expect(job.inputs).toEqual({ token: '********', fail: false });
    expect(job.outputs).toEqual({ token: '********', key: '********' });
    expect(job.progress.message).toBe('working with ********');

    // A retry reuses the stored secret input (and reads the rotated named secret).
    expect((await api('PATCH', '/api/secrets/ECHO_KEY', { value: rotatedKey })).status).toBe(200);
    const failing = await api('POST', '/api/jobs', { itemId: 'secret-echo', inputs: { token, fail: true } });
    expect((await finished(failing.json.id)).state).toBe('FAILED');
    const retried = await api('POST', `/api/jobs/${failing.json.id}/retry`);
    expect(retried.status).toBe(202);
    expect((await finished(retried.json.id)).state).toBe('FAILED');
    const retryLog = (await api('GET', `/api/jobs/${retried.json.id}/logs?after=0`)).text;
    expect(retryLog).toContain(`sha-token ${sha256(token)}`);
    expect(retryLog).toContain(`sha-key ${sha256(rotatedKey)}`);

    // No plaintext anywhere: API answers, frames, audit, Redis, the files Shelf keeps.
    const answers = [
      JSON.stringify(job),
      logs.text,
      retryLog,
      (await api('GET', '/api/jobs?pageSize=100')).text,
      (await api('GET', `/api/jobs/${retried.json.id}`)).text,
      (await api('GET', '/api/secrets')).text,
      (await api('GET', '/api/secrets/ECHO_KEY')).text,
      ...frames,
    ];
    const audit = await api('GET', '/api/audit?pageSize=100');
    expect(audit.json.items.map((e: any) => `${e.action} ${e.target} ${e.actor}`)).toEqual(
      expect.arrayContaining([expect.stringMatching(/^secret\.rotate secret ECHO_KEY /), expect.stringMatching(/^secret\.create secret ECHO_KEY /)]),
    );
    for (const text of [...answers, audit.text]) expect(leaked(text)).toEqual([]);
    const stored = await redisContents(shelf.prefix);
    // The scan reads what matters (the stored log), so finding nothing means something.
    expect(stored.some((value) => value.includes(`sha-token ${sha256(token)}`))).toBe(true);
    for (const value of stored) expect(leaked(value)).toEqual([]);
    const files = await filesUnder(shelf.tmp);
    expect(files.some((file) => file.includes('sha-token'))).toBe(true); // the item's script, unpacked in the worker cache
    for (const file of files) expect(leaked(file)).toEqual([]);
    const runDir = `/dev/shm/shelf-runs-${process.getuid?.() ?? 0}`;
    expect((await readdir(runDir).catch(() => [] as string[])).filter((n) => [id, failing.json.id, retried.json.id].some((j) => n.startsWith(j)))).toEqual([]);
    expect(leaked(shelf.output())).toEqual([]);
  }, 180_000);

  it('takes a secret input in a password field and keeps it out of the URL, storage and the job page', async () => {
    const username = 'ada';
    const password = 'ada keeps the secrets';
    expect((await api('POST', '/api/users', { username, password, role: 'admin' })).status).toBe(201);
    const context = await browser.newContext({ viewport: { width: 1280, height: 900 } });
    const page = await context.newPage();
    const urls: string[] = [];
    page.on('framenavigated', (frame) => urls.push(frame.url()));
    page.on('request', (request) => urls.push(request.url()));
    await page.goto(`${shelf.url}/catalog/provision-database`);
    await signIn(page, username, password, /\/catalog\/provision-database/);

    const field = page.getByLabel(/^Owner password/);
    await field.waitFor({ timeout: 15_000 });
    expect(await field.getAttribute('type')).toBe('password');
    await field.fill(ownerPassword);
    await page.getByRole('button', { name: /^Show/ }).first().click();
    expect(await field.getAttribute('type')).toBe('text');
    await page.getByRole('button', { name: /^Hide/ }).first().click();
    expect(await field.getAttribute('type')).toBe('password');
    await page.getByLabel(/^Database name/).fill('orders');
    await page.getByLabel(/^Owning team/).fill('payments');
    await page.getByLabel(/^Owner contact/).fill('lead@example.com');
    await page.screenshot({ path: path.join(shots, '30-secret-input.png'), fullPage: true });
    expect(await seriousAxeViolations(page)).toEqual([]);
    await page.getByRole('button', { name: 'Run', exact: true }).click();
    await page.waitForURL(/\/jobs\/[0-9a-f]{32}$/, { timeout: 15_000 });
    await expect.poll(() => page.getByTestId('job-state').getAttribute('data-state'), { timeout: 60_000 }).toBe('SUCCEEDED');
    await page.getByText('(Shelf masks secrets in this log').first().waitFor({ timeout: 15_000 });
    await page.screenshot({ path: path.join(shots, '31-secret-masked-job.png'), fullPage: true });
    expect(await seriousAxeViolations(page)).toEqual([]);

    const body = await page.locator('body').innerText();
    expect(body).toContain('postgresql://dbmaster:********@');
    expect(leaked(body)).toEqual([]);
    const storage = await page.evaluate(() => {
      const g = globalThis as any;
      return JSON.stringify({ local: { ...g.localStorage }, session: { ...g.sessionStorage }, href: g.location.href });
    });
    expect(leaked(storage)).toEqual([]);
    expect(leaked(urls.join('\n'))).toEqual([]);
    expect(leaked(await page.content())).toEqual([]);
    await context.close();
  }, 120_000);
});
