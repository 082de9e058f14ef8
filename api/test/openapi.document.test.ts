// The OpenAPI document (GET /api/openapi.json): it lints clean with Redocly's recommended rules
// (redocly.yaml at the root lists the exceptions and why), and it names exactly the routes the app
// serves, each with its guard's access rule. createApp already refuses to start with a route the
// registry lacks (api/src/openapi/routeCoverage.ts); this also checks the other way round, on an
// app with every optional area wired.
import { execFile } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import type { Express } from 'express';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { listRoutes } from '../src/auth/routeTable.js';
import { assertEveryRouteDocumented } from '../src/openapi/routeCoverage.js';
import { allOperations } from '../src/openapi/allOperations.js';
import { openApiPath, pathParams } from '../src/openapi/operation.js';
import { startFullApi } from './helpers/openApiHarness.js';
import { asAdmin, type ShelfApi } from './helpers/shelfApi.js';

const root = path.resolve(import.meta.dirname, '../..');
const methods = ['get', 'put', 'post', 'delete', 'patch', 'head', 'options', 'trace'];

interface Doc {
  paths: Record<string, Record<string, { parameters?: Array<{ name: string; in: string }>; responses: Record<string, { headers?: Record<string, unknown> }>; security?: unknown[]; 'x-shelf-access': string }>>;
}

let api: ShelfApi;
let doc: Doc;
let tmp: string;

beforeAll(async () => {
  api = await startFullApi();
  const res = await fetch(`${api.url}/api/openapi.json`, { headers: asAdmin });
  expect(res.status).toBe(200);
  expect(res.headers.get('content-type')).toMatch(/^application\/json/);
  doc = (await res.json()) as Doc;
  tmp = await mkdtemp(path.join(os.tmpdir(), 'shelf-openapi-'));
});
afterAll(async () => {
  await api?.close();
  if (tmp) await rm(tmp, { recursive: true, force: true });
});

/** `GET /api/jobs/{id}` for each operation of the document. */
function documented(): Map<string, string> {
  const ops = new Map<string, string>();
  for (const [p, item] of Object.entries(doc.paths)) {
    for (const [method, op] of Object.entries(item)) if (methods.includes(method)) ops.set(`${method.toUpperCase()} ${p}`, op['x-shelf-access']);
  }
  return ops;
}

describe('the OpenAPI document', () => {
  it('lints clean with @redocly/cli: no error, no warning', async () => {
    const file = path.join(tmp, 'openapi.json');
    await writeFile(file, JSON.stringify(doc));
    const run = promisify(execFile);
    const { stdout } = await run(path.join(root, 'node_modules/.bin/redocly'), ['lint', file, '--format=json', `--config=${path.join(root, 'redocly.yaml')}`], {
      cwd: root,
      maxBuffer: 32 * 1024 * 1024,
    }).catch((err: { stdout?: string; stderr?: string }) => {
      throw new Error(`redocly lint failed:\n${err.stdout ?? ''}\n${err.stderr ?? ''}`);
    });
    const report = JSON.parse(stdout) as { totals: { errors: number; warnings: number }; problems: Array<{ ruleId: string; message: string }> };
    expect(report.problems.map((p) => `${p.ruleId}: ${p.message}`)).toEqual([]);
    expect(report.totals).toMatchObject({ errors: 0, warnings: 0 });
  }, 120_000);

  it('is OpenAPI 3.1 with both security schemes: the session cookie and bearer tokens', () => {
    const d = doc as unknown as { openapi: string; components: { securitySchemes: Record<string, unknown> } };
    expect(d.openapi).toBe('3.1.0');
    expect(d.components.securitySchemes).toEqual({
      session: expect.objectContaining({ type: 'apiKey', in: 'cookie', name: 'shelf_session' }),
      bearer: expect.objectContaining({ type: 'http', scheme: 'bearer' }),
    });
  });

  it('has every route the app serves, and no other, with the access rule of its guard', () => {
    const app = api.server.listeners('request')[0] as Express;
    const served = new Map(listRoutes(app).filter((r) => r.access !== undefined).map((r) => [`${r.method} ${openApiPath(r.path)}`, r.access]));
    expect(Object.fromEntries(documented())).toEqual(Object.fromEntries(served));
  });

  it('declares every path parameter, and the errors the stack answers on every /api route', () => {
    for (const op of allOperations) {
      const o = doc.paths[openApiPath(op.path)]![op.method]!;
      expect(o.parameters?.filter((p) => p.in === 'path').map((p) => p.name) ?? [], op.path).toEqual(pathParams(op.path));
      if (!op.path.startsWith('/api/')) continue;
      expect(Object.keys(o.responses), `${op.method} ${op.path}`).toEqual(expect.arrayContaining(['400', '401', '429']));
      expect(o.responses['429']!.headers, `${op.method} ${op.path}`).toHaveProperty('Retry-After');
      if (op.access !== 'public') expect(o.responses, `${op.method} ${op.path}`).toHaveProperty('403');
    }
  });

  it('stops the app from starting when a route is missing from the registry or disagrees with its guard', () => {
    const app = api.server.listeners('request')[0] as Express;
    const withoutJobs = allOperations.filter((op) => op.path !== '/api/jobs/:id');
    expect(() => assertEveryRouteDocumented(app, withoutJobs)).toThrow('GET /api/jobs/:id is not in the OpenAPI registry');
    const loosened = allOperations.map((op) => (op.path === '/api/audit' ? { ...op, access: 'viewer' as const } : op));
    expect(() => assertEveryRouteDocumented(app, loosened)).toThrow('GET /api/audit allows admin but the OpenAPI registry says viewer');
  });
});
