// The OpenAPI document against the real server: every documented operation is called for real —
// its success and its errors (401 without credentials, 403 as a viewer, 404, 409, 422…) — and
// every answer's status, media type and body are checked against what the document says for that
// status, its schemas compiled by ajv (JSON Schema 2020-12, the dialect of OpenAPI 3.1). Objects
// are checked closed here (a field the document does not name fails), while the document itself
// leaves them open so clients keep working when a field is added.
import { createHmac } from 'node:crypto';
import path from 'node:path';
import { Ajv2020, type ValidateFunction } from 'ajv/dist/2020.js';
import addFormats from 'ajv-formats';
import * as tar from 'tar';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { WorkerRegistry } from '@shelf/records';
import { writeItem } from './catalogHarness.js';
import { apiClient } from './helpers/apiClient.js';
import { startFullApi, webhookSecret } from './helpers/openApiHarness.js';
import { asAdmin, type ShelfApi } from './helpers/shelfApi.js';
import { startReceiver, until } from './helpers/webhookReceiver.js';

/**
 * Operations no in-process test can drive to success, and why; they are still called for their
 * errors. Keep this short: today every operation reaches its success in-process.
 */
const successNotReachable: Record<string, string> = {};

const methods = ['get', 'put', 'post', 'delete', 'patch'];
const password = 'a long enough password';
const noJob = '0'.repeat(32);

interface DocResponse {
  content?: Record<string, { schema: unknown }>;
  headers?: Record<string, unknown>;
}
interface DocOperation {
  responses: Record<string, DocResponse>;
  security?: unknown[];
  'x-shelf-access': string;
}
type Doc = { paths: Record<string, Record<string, DocOperation>> };

let api: ShelfApi;
/** The API's one readiness check passes while this is true. */
let ready = true;
let receiver: Awaited<ReturnType<typeof startReceiver>>;
let doc: Doc;
let ajv: Ajv2020;
const who: Record<'admin' | 'viewer' | 'runner' | 'publisher', Record<string, string>> = { admin: asAdmin, viewer: {}, runner: {}, publisher: {} };
/** What each operation answered, validated: `GET /api/jobs/{id}` → statuses. */
const exercised = new Map<string, Set<number>>();
const ids = { hello: '', helloDigest: '', importId: '', job: '', userId: '', tokenId: '', schedule: '', preset: '', webhook: '', delivery: '' };

/** Every object schema that names its properties, closed: `additionalProperties: false` unless it says otherwise. */
function closed(node: unknown): unknown {
  if (Array.isArray(node)) return node.map(closed);
  if (typeof node !== 'object' || node === null) return node;
  const out = Object.fromEntries(Object.entries(node).map(([k, v]) => [k, k === 'example' || k === 'default' ? v : closed(v)]));
  if ('properties' in out && !('additionalProperties' in out)) out.additionalProperties = false;
  return out;
}

const pointer = (...parts: string[]) => parts.map((p) => p.replace(/~/g, '~0').replace(/\//g, '~1')).join('/');
const validators = new Map<string, ValidateFunction>();
function validatorFor(ref: string): ValidateFunction {
  let v = validators.get(ref);
  if (!v) validators.set(ref, (v = ajv.compile({ $ref: ref })));
  return v;
}

/** `/api/jobs/{id}` for `/api/jobs/abc…`: the documented path a concrete one calls. */
function templateOf(method: string, concrete: string): string {
  const candidates = Object.keys(doc.paths).filter((t) => doc.paths[t]![method] && new RegExp(`^${t.replace(/\{[^}]+\}/g, '[^/]+').replace(/\./g, '\\.')}$`).test(concrete));
  // A literal segment wins over a parameter (`/api/catalog/imports` over `/api/catalog/{id}/…`), as Express's order has it.
  candidates.sort((a, b) => (a.match(/\{/g)?.length ?? 0) - (b.match(/\{/g)?.length ?? 0));
  if (!candidates[0]) throw new Error(`${method.toUpperCase()} ${concrete} is no documented operation`);
  return candidates[0];
}

interface Call {
  headers?: Record<string, string>;
  json?: unknown;
  body?: RequestInit['body'];
}

/** Calls the API, expects `status`, and checks the answer against the document. */
async function check(method: string, url: string, status: number, call: Call = {}): Promise<{ body: any; headers: Headers }> {
  const m = method.toLowerCase();
  const concrete = url.split('?')[0]!;
  const template = templateOf(m, concrete);
  const res = await fetch(`${api.url}${url}`, {
    method: method.toUpperCase(),
    redirect: 'manual',
    headers: { ...(call.json === undefined ? {} : { 'content-type': 'application/json' }), ...(call.headers ?? asAdmin) },
    body: call.json === undefined ? call.body : JSON.stringify(call.json),
  });
  const text = await res.text();
  const where = `${method.toUpperCase()} ${url} → ${res.status} ${text.slice(0, 300)}`;
  expect(res.status, where).toBe(status);
  const documented = doc.paths[template]![m]!.responses[String(status)];
  expect(documented, `${where}: status not in the document`).toBeDefined();
  let body: any = text;
  if (documented!.content) {
    const type = res.headers.get('content-type') ?? '';
    const media = Object.keys(documented!.content).find((t) => type.split(';')[0] === t.split(';')[0]);
    expect(media, `${where}: content-type ${type} not in ${Object.keys(documented!.content).join(', ')}`).toBeDefined();
    if (/json/.test(media!)) {
      body = JSON.parse(text);
      const validate = validatorFor(`openapi#/${pointer('paths', template, m, 'responses', String(status), 'content', media!, 'schema')}`);
      expect(validate(body) ? [] : validate.errors, where).toEqual([]);
    }
  } else {
    expect(text, `${where}: the document says no body`).toBe('');
  }
  for (const name of Object.keys(documented!.headers ?? {})) {
    if (name === 'Set-Cookie' || name === 'ETag') continue;
    expect(res.headers.get(name), `${where}: header ${name}`).not.toBeNull();
  }
  const key = `${m.toUpperCase()} ${template}`;
  if (!exercised.has(key)) exercised.set(key, new Set());
  exercised.get(key)!.add(status);
  return { body, headers: res.headers };
}

/** A GitHub delivery signed with the webhook secret. */
function github(event: string, payload: unknown): Call {
  const body = JSON.stringify(payload);
  const signature = `sha256=${createHmac('sha256', webhookSecret).update(body).digest('hex')}`;
  return { body, headers: { 'content-type': 'application/json', 'x-github-event': event, 'x-github-delivery': `d-${Math.random()}`, 'x-hub-signature-256': signature } };
}

async function item(folder: string, spec: Parameters<typeof writeItem>[1]): Promise<string> {
  return writeItem(path.join(api.root, folder), spec);
}

beforeAll(async () => {
  receiver = await startReceiver();
  api = await startFullApi({
    notify: { allow: [`${receiver.base}/`] },
    readiness: () => [
      {
        name: 'switch',
        check: async () => {
          if (!ready) throw new Error('switched off by the test');
        },
      },
    ],
  });
  const res = await fetch(`${api.url}/api/openapi.json`, { headers: asAdmin });
  doc = (await res.json()) as Doc;
  ajv = new Ajv2020({ strict: false, allErrors: true });
  addFormats.default(ajv);
  ajv.addSchema(closed(doc) as object, 'openapi');
});
afterAll(async () => {
  await api?.close();
  await receiver?.close();
});

describe('every documented operation, called for real, answers what the document says', () => {
  it('auth: first-start set-up, sign-in and out, single sign-on, me', async () => {
    const token = api.auth.setupLink.issue();
    await check('POST', '/api/auth/setup', 422, { json: { token, username: 'first-admin', password: 'short' }, headers: {} });
    await check('POST', '/api/auth/setup', 201, { json: { token, username: 'first-admin', password }, headers: {} });
    await check('POST', '/api/auth/setup', 403, { json: { token, username: 'second-admin', password }, headers: {} });
    await check('GET', '/api/auth/config', 200, { headers: {} });

    const client = apiClient(api.url);
    for (const role of ['viewer', 'runner', 'publisher'] as const) who[role] = await client.userWithToken(`${role}-user`, role);
    await check('POST', '/api/auth/login', 200, { json: { username: 'viewer-user', password }, headers: {} });
    await check('POST', '/api/auth/login', 401, { json: { username: 'viewer-user', password: 'wrong password here' }, headers: {} });
    await check('POST', '/api/auth/login', 400, { json: { username: 'viewer-user' }, headers: {} });
    await check('POST', '/api/auth/logout', 204, { headers: {} });

    const login = await check('GET', '/api/auth/oidc/login?returnTo=/jobs', 302, { headers: {} });
    expect(login.headers.get('location')).toMatch(/^\/login\?error=/);
    await check('GET', '/api/auth/oidc/callback?code=x&state=y', 302, { headers: {} });

    await check('GET', '/api/me', 200, { headers: who.viewer });
    await check('PATCH', '/api/me', 200, { json: { notifyOnFinish: true }, headers: who.viewer });
    await check('PATCH', '/api/me', 400, { json: { notifyOnFinish: true } });
    await check('PATCH', '/api/me', 400, { json: { notifyOnFinish: 'yes' }, headers: who.viewer });
  });

  it('users, tokens and the audit log', async () => {
    const created = await check('POST', '/api/users', 201, { json: { username: 'dora', password, role: 'viewer' } });
    ids.userId = created.body.id;
    await check('POST', '/api/users', 409, { json: { username: 'dora', password, role: 'viewer' } });
    await check('POST', '/api/users', 422, { json: { username: 'dora2', password: 'short', role: 'viewer' } });
    await check('GET', '/api/users', 200);
    await check('PATCH', `/api/users/${ids.userId}`, 200, { json: { role: 'runner' } });
    await check('PATCH', '/api/users/no-such-user', 404, { json: { role: 'runner' } });

    const token = await check('POST', '/api/tokens', 201, { json: { name: 'ci', role: 'viewer' }, headers: who.runner });
    await check('POST', '/api/tokens', 403, { json: { name: 'too high', role: 'admin' }, headers: who.runner });
    await check('POST', '/api/tokens', 400, { json: { name: 'the admin token owns none' } });
    await check('GET', '/api/tokens', 200, { headers: who.runner });
    await check('DELETE', `/api/tokens/${token.body.id}`, 403, { headers: who.viewer });
    await check('DELETE', `/api/tokens/${token.body.id}`, 204, { headers: who.runner });
    await check('DELETE', `/api/tokens/${token.body.id}`, 404, { headers: who.runner });

    await check('GET', '/api/audit?pageSize=5', 200);
    await check('GET', '/api/audit?pageSize=5000', 400);
  });

  it('the catalog: imports, versions, descriptors, validators, bundles, grants', async () => {
    const dir = await item('hello', { id: 'hello' });
    const created = await check('POST', '/api/catalog/local/import', 201, { json: { path: dir }, headers: who.publisher });
    Object.assign(ids, { hello: 'hello', helloDigest: created.body.digest, importId: created.body.importId });
    await check('POST', '/api/catalog/local/import', 200, { json: { path: dir }, headers: who.publisher });
    await check('POST', '/api/catalog/local/import', 409, { json: { path: await item('hello-changed', { id: 'hello', name: 'Hello again' }) } });
    await check('POST', '/api/catalog/local/import', 422, { json: { path: await item('broken', { manifest: 'id: BROKEN\n' }) } });
    await check('POST', '/api/catalog/local/import', 403, { json: { path: '/etc' } });
    await check('POST', '/api/catalog/local/import', 404, { json: { path: path.join(api.root, 'nothing-here') } });
    await check('POST', '/api/catalog/local/import', 400, { json: { folder: dir } });
    const gated = await item('gated', { id: 'gated', manifest: ['id: gated', 'name: Gated', 'version: 1.0.0', 'runtime:', '  image: shelf/runtime-shell:1', '  command: ["bash", "main.sh"]', 'approval:', '  approvers: ["role:admin"]', ''].join('\n') });
    await check('POST', '/api/catalog/local/import', 201, { json: { path: gated } });

    const upload = await item('to-upload', { id: 'uploaded' });
    const packed = await new Promise<Buffer>((resolve, reject) => {
      const chunks: Buffer[] = [];
      tar.c({ gzip: true, cwd: upload, portable: true }, ['manifest.yaml', 'schema.json', 'main.sh']).on('data', (c: Buffer) => chunks.push(c)).on('end', () => resolve(Buffer.concat(chunks))).on('error', reject);
    });
    const form = new FormData();
    form.append('bundle', new Blob([new Uint8Array(packed)]), 'uploaded.tar.gz');
    await check('POST', '/api/catalog/bundle/upload', 201, { body: form, headers: who.publisher });
    await check('POST', '/api/catalog/bundle/upload', 400, { json: { bundle: 'not a file' } });
    const corrupt = new FormData();
    corrupt.append('bundle', new Blob([new Uint8Array(Buffer.from('not a tarball at all'))]), 'x.tar.gz');
    await check('POST', '/api/catalog/bundle/upload', 422, { body: corrupt });

    await check('GET', '/api/catalog', 200, { headers: who.viewer });
    await check('GET', '/api/catalog/hello/versions', 200, { headers: who.viewer });
    await check('GET', '/api/catalog/nothing/versions', 404);
    await check('GET', '/api/catalog/hello/latest/descriptor', 200, { headers: who.viewer });
    await check('GET', '/api/catalog/hello/9.9.9/descriptor', 404);
    const module = await check('GET', '/api/catalog/hello/1.0.0/validator.js', 200, { headers: who.viewer });
    await check('GET', '/api/catalog/hello/1.0.0/validator.js', 304, { headers: { ...who.viewer, 'if-none-match': module.headers.get('etag')!, 'cache-control': 'max-age=0' } });
    await check('GET', '/api/catalog/hello/latest/validator.js', 302, { headers: who.viewer });
    await check('GET', '/api/catalog/nothing/latest/validator.js', 404);
    await check('GET', `/api/bundles/${ids.helloDigest}`, 200, { headers: who.viewer });
    await check('GET', '/api/bundles/not-a-digest', 400);
    await check('GET', `/api/bundles/${'0'.repeat(64)}`, 404);
    await check('GET', '/api/schemas/manifest.json', 200, { headers: who.viewer });

    await check('GET', '/api/catalog/imports', 200, { headers: who.viewer });
    await check('GET', `/api/catalog/imports/${ids.importId}`, 200, { headers: who.viewer });
    await check('GET', '/api/catalog/imports/no-such-import', 404);

    await check('GET', '/api/catalog/hello/grants', 200, { headers: who.viewer });
    await check('GET', '/api/catalog/NOT_AN_ID/grants', 400);
    await check('PUT', '/api/catalog/hello/grants/egress', 200, { json: { granted: true } });
    await check('PUT', '/api/catalog/hello/grants/egress', 400, { json: { granted: 'yes' } });
    await check('PUT', '/api/catalog/hello/grants/root', 404, { json: { granted: true } });
  });

  it('Git: the webhook and a sync', async () => {
    await check('POST', '/api/catalog/git/webhook', 200, github('ping', { zen: 'Keep it logically awesome.' }));
    const repo = 'file:///nonexistent/shelf-openapi-test.git';
    await check('POST', '/api/catalog/git/webhook', 202, github('push', { ref: 'refs/tags/hello@2.0.0', after: 'a'.repeat(40), repository: { clone_url: repo } }));
    await check('POST', '/api/catalog/git/webhook', 403, github('push', { ref: 'refs/tags/hello@2.0.0', after: 'a'.repeat(40), repository: { clone_url: 'https://127.0.0.1/x.git' } }));
    await check('POST', '/api/catalog/git/webhook', 400, github('push', { ref: 'refs/tags/hello@2.0.0' }));
    const unsigned = github('push', {});
    await check('POST', '/api/catalog/git/webhook', 401, { ...unsigned, headers: { ...unsigned.headers, 'x-hub-signature-256': 'sha256=00' } });
    await check('POST', '/api/catalog/git/sync', 202, { json: { url: repo, ref: 'hello@2.0.0' }, headers: who.publisher });
    await check('POST', '/api/catalog/git/sync', 403, { json: { url: 'ext::sh -c touch% /tmp/pwned' } });
    await check('POST', '/api/catalog/git/sync', 400, { json: { ref: 'hello@2.0.0' } });
  });

  it('jobs and approvals', async () => {
    const submitted = await check('POST', '/api/jobs', 202, { json: { itemId: 'hello', inputs: { name: 'openapi' } }, headers: who.runner });
    ids.job = submitted.body.id;
    await check('POST', '/api/jobs', 422, { json: { itemId: 'hello', inputs: { name: 5 } }, headers: who.runner });
    await check('POST', '/api/jobs', 404, { json: { itemId: 'nothing', inputs: {} }, headers: who.runner });
    await check('POST', '/api/jobs', 400, { json: { itemId: 'hello', input: {} }, headers: who.runner });
    await check('POST', '/api/jobs/validate', 200, { json: { itemId: 'hello', inputs: {} }, headers: who.runner });
    await check('POST', '/api/jobs/validate', 422, { json: { itemId: 'hello', inputs: { name: [] } }, headers: who.runner });
    await check('POST', '/api/jobs/validate', 404, { json: { itemId: 'hello', version: '9.9.9', inputs: {} }, headers: who.runner });

    await check('GET', '/api/jobs?pageSize=5', 200, { headers: who.runner });
    await check('GET', '/api/jobs?state=NOPE', 400, { headers: who.runner });
    await check('GET', `/api/jobs/${ids.job}`, 200, { headers: who.runner });
    await check('GET', `/api/jobs/${ids.job}`, 403, { headers: who.viewer });
    await check('GET', `/api/jobs/${noJob}`, 404);
    await check('GET', `/api/jobs/${ids.job}/logs?after=0`, 200, { headers: who.runner });
    await check('GET', `/api/jobs/${ids.job}/logs?tail=5&stream=stderr`, 200, { headers: who.runner });
    await check('GET', `/api/jobs/${ids.job}/logs?stream=stderr`, 400, { headers: who.runner });
    await check('GET', `/api/jobs/${noJob}/logs`, 404);

    await check('POST', `/api/jobs/${ids.job}/retry`, 409, { headers: who.runner });
    await check('POST', `/api/jobs/${ids.job}/cancel`, 200, { headers: who.runner });
    await check('POST', `/api/jobs/${ids.job}/cancel`, 409, { headers: who.runner });
    await check('POST', `/api/jobs/${noJob}/cancel`, 404);
    await check('POST', `/api/jobs/${ids.job}/retry`, 202, { headers: who.runner });
    await check('POST', `/api/jobs/${noJob}/retry`, 404);

    const waiting = await check('POST', '/api/jobs', 202, { json: { itemId: 'gated', inputs: {} }, headers: who.runner });
    const waiting2 = await check('POST', '/api/jobs', 202, { json: { itemId: 'gated', inputs: {} }, headers: who.runner });
    await check('GET', '/api/approvals', 200);
    await check('POST', `/api/jobs/${waiting.body.id}/approve`, 403, { json: {}, headers: who.runner });
    await check('POST', `/api/jobs/${waiting.body.id}/approve`, 200, { json: { comment: 'fine' } });
    await check('POST', `/api/jobs/${waiting.body.id}/approve`, 409, { json: {} });
    await check('POST', `/api/jobs/${waiting.body.id}/approve`, 400, { json: { verdict: 'yes' } });
    await check('POST', `/api/jobs/${noJob}/approve`, 404, { json: {} });
    await check('POST', `/api/jobs/${waiting2.body.id}/reject`, 200, { json: { comment: 'no' } });
    await check('POST', `/api/jobs/${waiting2.body.id}/reject`, 409, { json: {} });
    await check('POST', `/api/jobs/${noJob}/reject`, 404);
  });

  it('schedules and presets', async () => {
    const created = await check('POST', '/api/schedules', 201, { json: { itemId: 'hello', cron: '0 3 * * *', inputs: { name: 'nightly' } }, headers: who.runner });
    ids.schedule = created.body.id;
    await check('POST', '/api/schedules', 422, { json: { itemId: 'hello', cron: 'every night' }, headers: who.runner });
    await check('POST', '/api/schedules', 400, { json: { cron: '0 3 * * *' }, headers: who.runner });
    await check('GET', '/api/schedules', 200, { headers: who.runner });
    await check('GET', `/api/schedules/${ids.schedule}`, 200, { headers: who.runner });
    await check('GET', `/api/schedules/${ids.schedule}`, 404, { headers: who.viewer });
    await check('PATCH', `/api/schedules/${ids.schedule}`, 200, { json: { name: 'Nightly hello' }, headers: who.runner });
    await check('PATCH', `/api/schedules/${ids.schedule}`, 422, { json: { timezone: 'Mars/Olympus' }, headers: who.runner });
    await check('PATCH', '/api/schedules/000000000000000000000000', 404, { json: { enabled: false } });
    await check('POST', `/api/schedules/${ids.schedule}/run`, 202, { headers: who.runner });
    await check('POST', `/api/schedules/${ids.schedule}/run`, 409, { headers: who.runner });
    await check('POST', '/api/schedules/000000000000000000000000/run', 404);
    await check('GET', `/api/schedules/${ids.schedule}/runs`, 200, { headers: who.runner });
    await check('GET', '/api/schedules/000000000000000000000000/runs', 404);
    await check('DELETE', `/api/schedules/${ids.schedule}`, 204, { headers: who.runner });
    await check('DELETE', `/api/schedules/${ids.schedule}`, 404, { headers: who.runner });

    const preset = await check('POST', '/api/catalog/hello/presets', 201, { json: { name: 'Friendly', inputs: { name: 'friend' } }, headers: who.runner });
    await check('POST', '/api/catalog/hello/presets', 200, { json: { name: 'Friendly', inputs: { name: 'pal' } }, headers: who.runner });
    await check('POST', '/api/catalog/nothing/presets', 404, { json: { name: 'x', inputs: {} }, headers: who.runner });
    await check('GET', '/api/catalog/hello/presets', 200, { headers: who.runner });
    await check('DELETE', `/api/catalog/hello/presets/${preset.body.id}`, 204, { headers: who.runner });
    await check('DELETE', `/api/catalog/hello/presets/${preset.body.id}`, 404, { headers: who.runner });
  });

  it('webhooks, secrets and workers (admin)', async () => {
    const hook = await check('POST', '/api/webhooks', 201, { json: { url: `${receiver.base}/hook`, events: ['item.published'] } });
    ids.webhook = hook.body.id;
    await check('POST', '/api/webhooks', 422, { json: { url: 'http://10.0.0.1/hook', events: ['item.published'] } });
    await check('POST', '/api/webhooks', 400, { json: { url: `${receiver.base}/hook`, events: ['nothing.happened'] } });
    await check('GET', '/api/webhooks', 200);
    await check('POST', '/api/catalog/local/import', 201, { json: { path: await item('hello-2', { id: 'hello', version: '1.1.0' }) } });
    let deliveries: any[] = [];
    await until(async () => (deliveries = (await check('GET', `/api/webhooks/${ids.webhook}/deliveries?limit=10`, 200)).body.items).length > 0, 10_000, 'a delivery');
    await check('GET', '/api/webhooks/0000000000000000/deliveries', 404);
    await check('POST', `/api/webhooks/${ids.webhook}/deliveries/${deliveries[0].delivery}/redeliver`, 202);
    await check('POST', `/api/webhooks/${ids.webhook}/deliveries/no-such-delivery/redeliver`, 404);
    await check('DELETE', `/api/webhooks/${ids.webhook}`, 204);
    await check('DELETE', `/api/webhooks/${ids.webhook}`, 404);

    await check('POST', '/api/secrets', 201, { json: { name: 'DB_PASSWORD', value: 'correct horse battery', items: ['hello'] } });
    await check('POST', '/api/secrets', 409, { json: { name: 'DB_PASSWORD', value: 'correct horse battery' } });
    await check('POST', '/api/secrets', 422, { json: { name: 'lowercase', value: 'correct horse battery' } });
    await check('GET', '/api/secrets', 200);
    await check('GET', '/api/secrets/DB_PASSWORD', 200);
    await check('GET', '/api/secrets/NO_SUCH_SECRET', 404);
    await check('PATCH', '/api/secrets/DB_PASSWORD', 200, { json: { description: 'the database' } });
    await check('PATCH', '/api/secrets/NO_SUCH_SECRET', 404, { json: { description: 'x' } });
    await check('PATCH', '/api/secrets/DB_PASSWORD', 400, { json: {} });
    await check('DELETE', '/api/secrets/DB_PASSWORD', 204);
    await check('DELETE', '/api/secrets/DB_PASSWORD', 404);

    const registry = new WorkerRegistry(api.redis, api.catalog.keys);
    const seenAt = new Date().toISOString();
    await registry.beat({ workerId: 'w-1', host: 'h', version: '0.1.0', runner: 'docker', labels: [], docker: true, concurrency: 2, running: [], state: 'active', startedAt: seenAt, seenAt, intervalMs: 5000 });
    await check('GET', '/api/workers', 200);
    await check('POST', '/api/workers/w-1/drain', 202);
    await check('POST', '/api/workers/w-1/resume', 202);
    await check('POST', '/api/workers/no-such-worker/drain', 404);
    await check('POST', '/api/workers/no-such-worker/resume', 404);
    await registry.remove('w-1');
  });

  it('operations and docs', async () => {
    await check('GET', '/healthz', 200, { headers: {} });
    await check('GET', '/readyz', 200, { headers: {} });
    ready = false;
    await check('GET', '/readyz', 503, { headers: {} });
    ready = true;
    await check('GET', '/metrics', 200, { headers: who.viewer });
    for (const p of ['/api/openapi.json', '/api/docs', '/api/docs/redoc.standalone.js', '/api/docs/init.js']) await check('GET', p, 200, { headers: who.viewer });
  });

  it('every operation that needs an identity: 401 without one, 401 for a bad token on the public ones, 403 below its role', async () => {
    const fill = (p: string) => p.replace(/\{digest\}/, 'a'.repeat(64)).replace(/\{[^}]+\}/g, 'x');
    for (const [template, item] of Object.entries(doc.paths)) {
      for (const [method, op] of Object.entries(item)) {
        if (!methods.includes(method) || !op.security?.length) continue;
        const json = method === 'get' || method === 'delete' ? undefined : {};
        if (op['x-shelf-access'] === 'public') {
          await check(method, fill(template), 401, { json, headers: { authorization: 'Bearer not-a-token' } });
          continue;
        }
        await check(method, fill(template), 401, { json, headers: {} });
        if (op['x-shelf-access'] !== 'viewer') await check(method, fill(template), 403, { json, headers: who.viewer });
      }
    }
  });

  it('every operation was called for a success and an error (the ones that have errors)', () => {
    const missing: string[] = [];
    for (const [template, item] of Object.entries(doc.paths)) {
      for (const [method, op] of Object.entries(item)) {
        if (!methods.includes(method)) continue;
        const key = `${method.toUpperCase()} ${template}`;
        const statuses = [...(exercised.get(key) ?? [])];
        if (!statuses.some((s) => s < 400) && !successNotReachable[key]) missing.push(`${key}: no success`);
        if (Object.keys(op.responses).some((s) => Number(s) >= 400) && !statuses.some((s) => s >= 400)) missing.push(`${key}: no error`);
      }
    }
    expect(missing).toEqual([]);
  });
});
