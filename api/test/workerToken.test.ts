import { createHash } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import WebSocket from 'ws';
import { ConfigError } from '@shelf/contract';
import { loadConfig } from '../src/config.js';
import { workerTokenRefusal } from '../src/auth/policy.js';
import { writeItem } from './catalogHarness.js';
import { adminToken, asAdmin, startShelfApi, type ShelfApi } from './helpers/shelfApi.js';

// SHELF_WORKER_TOKEN (issue 16): a worker fetching bundles over HTTP presents it, and it opens
// the bundle download and nothing else. auth.access.test.ts walks it over every route.

const workerToken = 'test-worker-token-fedcba9876543210fedcba9876543210';
const asWorker = { authorization: `Bearer ${workerToken}` } as const;

let api: ShelfApi;
let digest: string;

async function call(method: string, p: string, headers: Record<string, string>, body?: unknown): Promise<{ status: number; body: any }> {
  const res = await fetch(`${api.url}${p}`, {
    method,
    headers: { ...(body === undefined ? {} : { 'content-type': 'application/json' }), ...headers },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await res.text();
  return { status: res.status, body: text.startsWith('{') ? JSON.parse(text) : text };
}

/** The WebSocket upgrade's answer: 101, or the refusal's status line and body. */
function upgrade(headers: Record<string, string>): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const ws = new WebSocket(api.wsUrl, { headers });
    ws.once('open', () => {
      ws.close();
      resolve({ status: 101, body: '' });
    });
    ws.once('unexpected-response', (_req, res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (chunk: string) => (body += chunk));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
    });
    ws.once('error', reject);
  });
}

beforeAll(async () => {
  api = await startShelfApi({ auth: { workerToken } });
  const dir = await writeItem(path.join(api.root, 'hello'));
  const imported = await call('POST', '/api/catalog/local/import', asAdmin, { path: dir });
  expect(imported.status).toBe(201);
  digest = imported.body.digest;
});
afterAll(async () => {
  await api?.close();
});

describe('the worker token', () => {
  it('downloads a bundle, the bytes the store holds', async () => {
    const res = await fetch(`${api.url}/api/bundles/${digest}`, { headers: asWorker });
    expect(res.status).toBe(200);
    const bytes = Buffer.from(await res.arrayBuffer());
    expect(createHash('sha256').update(bytes).digest('hex')).toBe(digest);
    expect(bytes.equals(await readFile(path.join(api.bundlesDir, `${digest}.tar.gz`)))).toBe(true);
  });

  it('still gets the usual answers on the bundle route: 404 for an unknown digest', async () => {
    const res = await call('GET', `/api/bundles/${'0'.repeat(64)}`, asWorker);
    expect(res.status).toBe(404);
  });

  it.each([
    ['GET', '/api/catalog'],
    ['POST', '/api/jobs'],
    ['GET', '/api/jobs'],
    ['GET', '/api/workers'],
    ['GET', '/api/me'],
    ['GET', '/api/secrets'],
    ['POST', '/api/tokens'],
    ['GET', '/metrics'],
    // Public routes too: the token is refused wherever it is not let in.
    ['GET', '/api/auth/config'],
  ])('is refused on %s %s with one sentence', async (method, p) => {
    const res = await call(method, p, asWorker, method === 'GET' ? undefined : {});
    expect(res.status).toBe(403);
    expect(res.body.error).toEqual({ code: 'FORBIDDEN', message: workerTokenRefusal });
  });

  it('is refused at the WebSocket upgrade', async () => {
    expect(await upgrade(asWorker)).toEqual({ status: 403, body: `${workerTokenRefusal}\n` });
    // The same socket opens for the admin token: the refusal is the worker token's.
    expect((await upgrade(asAdmin)).status).toBe(101);
  });

  it('a wrong worker token is 401', async () => {
    const wrong = { authorization: `Bearer ${workerToken.slice(0, -1)}x` };
    const res = await call('GET', `/api/bundles/${digest}`, wrong);
    expect(res.status).toBe(401);
    expect(res.body.error.code).toBe('UNAUTHENTICATED');
    expect((await upgrade(wrong)).status).toBe(401);
  });

  it('is audited by name, never by its secret', async () => {
    await call('GET', '/api/secrets', asWorker);
    // The audit record is written once the answer is sent.
    const audit = await vi.waitFor(async () => {
      const res = await call('GET', '/api/audit?actor=worker-token', asAdmin);
      expect(res.body.items).toContainEqual(expect.objectContaining({ actor: 'worker-token', action: 'GET /api/secrets', outcome: 'denied' }));
      return res;
    });
    expect(JSON.stringify(audit.body)).not.toContain(workerToken);
  });
});

describe('an API without SHELF_WORKER_TOKEN', () => {
  it('knows no worker token: 401', async () => {
    const plain = await startShelfApi({ jobs: false });
    try {
      expect((await fetch(`${plain.url}/api/bundles/${digest}`, { headers: asWorker })).status).toBe(401);
    } finally {
      await plain.close();
    }
  });
});

describe('SHELF_WORKER_TOKEN in the configuration', () => {
  const configError = (env: NodeJS.ProcessEnv) => {
    try {
      loadConfig(env);
    } catch (err) {
      if (err instanceof ConfigError) return err.message;
      throw err;
    }
    throw new Error('loadConfig accepted the environment');
  };

  it('is read when set, and unset when empty', () => {
    expect(loadConfig({ SHELF_ADMIN_TOKEN: adminToken, SHELF_WORKER_TOKEN: workerToken }).auth.workerToken).toBe(workerToken);
    expect(loadConfig({ SHELF_WORKER_TOKEN: '' }).auth.workerToken).toBeUndefined();
  });

  it('refuses one under 32 characters, naming the variable', () => {
    expect(configError({ SHELF_WORKER_TOKEN: 'too-short' })).toBe('the API cannot start: SHELF_WORKER_TOKEN: must be at least 32 characters');
  });

  it('refuses one equal to SHELF_ADMIN_TOKEN', () => {
    expect(configError({ SHELF_ADMIN_TOKEN: adminToken, SHELF_WORKER_TOKEN: adminToken })).toBe(
      'the API cannot start: SHELF_WORKER_TOKEN must differ from SHELF_ADMIN_TOKEN, since workers run untrusted scripts and must not hold admin rights',
    );
  });

  it('never echoes the value it refuses', () => {
    expect(configError({ SHELF_WORKER_TOKEN: 'secret-but-short' })).not.toContain('secret-but-short');
    expect(configError({ SHELF_ADMIN_TOKEN: adminToken, SHELF_WORKER_TOKEN: adminToken })).not.toContain(adminToken);
  });
});
