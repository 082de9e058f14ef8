import { readdir, readFile, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { createSchemaUtils, type RJSFSchema, type ValidatorType } from '@rjsf/utils';
import { createPrecompiledValidator, type ValidatorFunctions } from '@rjsf/validator-ajv8';
import type { ErrorObject } from 'ajv';
import { ajvProblem } from '@shelf/contract';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { BundleStore } from '../src/bundles/bundleStore.js';
import { ValidatorModules } from '../src/validators/validatorModules.js';
import { writeItem } from './catalogHarness.js';
import { asAdmin, startShelfApi, type ShelfApi } from './helpers/shelfApi.js';

// The module GET /api/catalog/:id/:version/validator.js serves, imported the way the browser
// imports it, must accept and refuse what POST /api/jobs accepts and refuses.

const schema2020 = {
  $schema: 'https://json-schema.org/draft/2020-12/schema',
  type: 'object',
  additionalProperties: false,
  required: ['name', 'email', 'size'],
  properties: {
    name: { type: 'string', pattern: '^[a-z][a-z0-9_]{2,19}$' },
    email: { type: 'string', format: 'email' },
    start: { type: 'string', format: 'date' },
    site: { type: 'string', format: 'uri' },
    size: { type: 'integer', minimum: 20, maximum: 200, multipleOf: 10 },
    tags: { type: 'array', items: { type: 'string', minLength: 2 }, uniqueItems: true, maxItems: 3 },
    engine: { enum: ['postgres', 'mysql'] },
  },
  dependentRequired: { site: ['start'] },
  if: { properties: { engine: { const: 'mysql' } }, required: ['engine'] },
  then: { properties: { size: { maximum: 100 } } },
};

const agreementCases: [string, Record<string, unknown>][] = [
  ['all fields valid', { name: 'orders', email: 'a@example.com', size: 50, start: '2025-02-28', site: 'https://example.com/x', tags: ['ab', 'cd'], engine: 'postgres' }],
  ['only the required fields', { name: 'orders', email: 'a@example.com', size: 20 }],
  ['a name that breaks the pattern', { name: 'Orders!', email: 'a@example.com', size: 50 }],
  ['an email that is not one', { name: 'orders', email: 'not-an-email', size: 50 }],
  ['a date that does not exist', { name: 'orders', email: 'a@example.com', size: 50, start: '2025-02-30' }],
  ['a relative URI', { name: 'orders', email: 'a@example.com', size: 50, site: '/x', start: '2025-01-01' }],
  ['a missing required field', { name: 'orders', size: 50 }],
  ['nothing at all', {}],
  ['a size off the step', { name: 'orders', email: 'a@example.com', size: 55 }],
  ['a size below the minimum', { name: 'orders', email: 'a@example.com', size: 10 }],
  ['a string where a number belongs', { name: 'orders', email: 'a@example.com', size: '50' }],
  ['an unknown field', { name: 'orders', email: 'a@example.com', size: 50, extra: true }],
  ['repeated tags', { name: 'orders', email: 'a@example.com', size: 50, tags: ['ab', 'ab'] }],
  ['a dependentRequired field missing (2020-12 only)', { name: 'orders', email: 'a@example.com', size: 50, site: 'https://example.com' }],
  ['the if/then branch refusing a size', { name: 'orders', email: 'a@example.com', size: 150, engine: 'mysql' }],
  ['the if/then branch allowing it', { name: 'orders', email: 'a@example.com', size: 150, engine: 'postgres' }],
  ['a value outside the enum', { name: 'orders', email: 'a@example.com', size: 50, engine: 'oracle' }],
];

let api: ShelfApi;
const digests: Record<string, string> = {};

async function importItem(id: string, schema: unknown, version = '1.0.0'): Promise<string> {
  const dir = await writeItem(path.join(api.root, `${id}-${version}`), { id, version, schema: JSON.stringify(schema) });
  const res = await fetch(`${api.url}/api/catalog/local/import`, { method: 'POST', headers: { 'content-type': 'application/json', ...asAdmin }, body: JSON.stringify({ path: dir }) });
  expect(res.status).toBe(201);
  return ((await res.json()) as { digest: string }).digest;
}

const get = (p: string, headers: Record<string, string> = asAdmin) => fetch(`${api.url}${p}`, { headers, redirect: 'manual' });

/** Imports module source as the browser would: as an ES module from its own file. */
async function importModule(source: string): Promise<{ default: ValidatorFunctions }> {
  const file = path.join(api.tmp, `validator-${Math.random().toString(36).slice(2)}.mjs`);
  await writeFile(file, source);
  return (await import(pathToFileURL(file).href)) as { default: ValidatorFunctions };
}

/** Where a validation failed, named as the server's 422 names it (which, as the form, leaves out `if`: the branch's own errors say what failed). */
const failedPaths = (errors: ErrorObject[]): string[] => [...new Set(errors.filter((e) => e.keyword !== 'if').map((e) => ajvProblem(e).path))].sort();

beforeAll(async () => {
  api = await startShelfApi();
  digests.forms = await importItem('forms', schema2020);
  digests.hello = await importItem('hello', { type: 'object', properties: { name: { type: 'string', default: 'world' } } });
}, 60_000);
afterAll(async () => {
  await api?.close();
});

describe('GET /api/catalog/:id/:version/validator.js', () => {
  let source: string;
  let validator: ValidatorType;

  beforeAll(async () => {
    const res = await get('/api/catalog/forms/1.0.0/validator.js');
    expect(res.status).toBe(200);
    source = await res.text();
    validator = createPrecompiledValidator((await importModule(source)).default, schema2020 as RJSFSchema);
  }, 60_000);

  it('serves one self-contained ES module that never evaluates code from strings', () => {
    expect(source).toMatch(/export\s*\{[^}]*as default\s*\}/);
    // (re2js, the pattern engine bundled in, has a method named eval: defining or calling it evaluates no code.)
    expect(source).not.toMatch(/\bnew Function\b|\bFunction\(|(?<![.\w$])eval\((?![^)]*\)\{)/);
    // Only a runtime helper's `code` string mentions require; nothing calls it.
    expect(source.match(/\brequire\(/g)?.length ?? 0).toBe(source.match(/code\s*[=:]\s*'require\(/g)?.length ?? 0);
    expect(source).not.toMatch(/\bimport\s*\(|\bimport\s+[\w{*]|\bfrom\s*['"]/);
  });

  it.each(agreementCases)('agrees with POST /api/jobs on %s', async (_, inputs) => {
    const res = await fetch(`${api.url}/api/jobs`, { method: 'POST', headers: { 'content-type': 'application/json', ...asAdmin }, body: JSON.stringify({ itemId: 'forms', version: '1.0.0', inputs }) });
    const body = (await res.json()) as { error?: { details?: { problems?: { path: string }[] } } };
    const raw = validator.rawValidation<ErrorObject>(schema2020 as RJSFSchema, structuredClone(inputs));
    const browserErrors = raw.errors ?? [];
    expect(browserErrors.length === 0 ? 202 : 422).toBe(res.status);
    const serverPaths = [...new Set((body.error?.details?.problems ?? []).map((p) => p.path))].sort();
    expect(failedPaths(browserErrors)).toEqual(serverPaths);
  });

  it("works the way the form uses it: branches, defaults and omitting other branches' fields", () => {
    const utils = createSchemaUtils(validator, schema2020 as RJSFSchema);
    const data = { name: 'orders', email: 'a@example.com', size: 50, engine: 'mysql', extra: 1 };
    expect(utils.retrieveSchema(schema2020 as RJSFSchema, data).properties?.size).toMatchObject({ maximum: 100 });
    expect(utils.omitExtraData(schema2020 as RJSFSchema, data)).toEqual({ name: 'orders', email: 'a@example.com', size: 50, engine: 'mysql' });
    expect(validator.validateFormData(data, schema2020 as RJSFSchema).errors.map((e) => e.name)).toEqual(['additionalProperties']);
  });

  it('leaves the data it checks alone: defaults are the form’s business, not the validator’s', async () => {
    const res = await get('/api/catalog/hello/1.0.0/validator.js');
    const helloSchema = { type: 'object', properties: { name: { type: 'string', default: 'world' } } } as RJSFSchema;
    const hello = createPrecompiledValidator((await importModule(await res.text())).default, helloSchema);
    const data = {};
    expect(hello.isValid(helloSchema, data, helloSchema)).toBe(true);
    expect(data).toEqual({});
  });

  it('answers with an immutable, private, strongly validated JavaScript file, 304 when unchanged', async () => {
    const res = await get('/api/catalog/forms/1.0.0/validator.js');
    expect(res.headers.get('content-type')).toBe('text/javascript; charset=utf-8');
    expect(res.headers.get('cache-control')).toBe('private, max-age=31536000, immutable');
    const etag = res.headers.get('etag')!;
    expect(etag).toMatch(new RegExp(`^"${digests.forms}\\.r\\d+"$`));
    expect(await res.text()).toBe(source);

    // A browser revalidating sends max-age=0; fetch would add no-cache, which asks for the whole body.
    const revalidate = { ...asAdmin, 'cache-control': 'max-age=0' };
    const again = await get('/api/catalog/forms/1.0.0/validator.js', { ...revalidate, 'if-none-match': etag });
    expect(again.status).toBe(304);
    expect(await again.text()).toBe('');
    const stale = await get('/api/catalog/forms/1.0.0/validator.js', { ...revalidate, 'if-none-match': `"${'0'.repeat(64)}.r1"` });
    expect(stale.status).toBe(200);
  });

  it('redirects latest to the version it names, without letting anyone cache the redirect', async () => {
    await importItem('forms', schema2020, '1.1.0');
    const res = await get('/api/catalog/forms/latest/validator.js');
    expect(res.status).toBe(302);
    expect(res.headers.get('location')).toBe('/api/catalog/forms/1.1.0/validator.js');
    expect(res.headers.get('cache-control')).toBe('no-store');
  });

  it('answers 404 for an unknown item or version, 401 without credentials', async () => {
    for (const p of ['/api/catalog/nope/1.0.0/validator.js', '/api/catalog/forms/9.9.9/validator.js', '/api/catalog/nope/latest/validator.js']) {
      const res = await get(p);
      expect(res.status).toBe(404);
      expect(((await res.json()) as { error: { code: string } }).error.code).toBe('NOT_FOUND');
    }
    const anonymous = await get('/api/catalog/forms/1.0.0/validator.js', {});
    expect(anonymous.status).toBe(401);
    expect(((await anonymous.json()) as { error: { code: string } }).error.code).toBe('UNAUTHENTICATED');
  });
});

describe('the module cache on disk', () => {
  it('builds a version once, even for concurrent first requests, and keeps it by digest', async () => {
    const digest = await importItem('fresh', { type: 'object', required: ['x'], properties: { x: { type: 'string', format: 'email' } } });
    const answers = await Promise.all(Array.from({ length: 8 }, () => get('/api/catalog/fresh/1.0.0/validator.js')));
    expect(answers.map((a) => a.status)).toEqual(Array(8).fill(200));
    const bodies = await Promise.all(answers.map((a) => a.text()));
    expect(new Set(bodies).size).toBe(1);

    const dir = path.join(api.bundlesDir, 'validators');
    const files = (await readdir(dir)).filter((f) => f.startsWith(digest));
    expect(files).toHaveLength(1);
    expect(await readFile(path.join(dir, files[0]!), 'utf8')).toBe(bodies[0]);
    // No temp file was left behind by the build.
    expect((await readdir(path.join(api.bundlesDir, '.tmp'))).filter((f) => f.endsWith('.js'))).toEqual([]);
  });

  it('rebuilds a module whose file went missing (a wiped or moved bundles folder)', async () => {
    const dir = path.join(api.bundlesDir, 'validators');
    const file = (await readdir(dir)).find((f) => f.startsWith(digests.hello!))!;
    const before = await readFile(path.join(dir, file), 'utf8');
    await rm(path.join(dir, file));
    const res = await get('/api/catalog/hello/1.0.0/validator.js');
    expect(res.status).toBe(200);
    expect(await res.text()).toBe(before);
  });
});

describe('ValidatorModules', () => {
  const version = { digest: 'a'.repeat(64), schema: { type: 'object' } };

  it('shares one build among concurrent first requests, and builds nothing once the file exists', async () => {
    const store = new BundleStore(path.join(api.tmp, 'store-one'));
    await store.init();
    const generate = vi.fn(async () => 'export default {};');
    const modules = new ValidatorModules(store, generate);
    const files = await Promise.all(Array.from({ length: 5 }, () => modules.fileFor(version)));
    expect(new Set(files).size).toBe(1);
    expect(generate).toHaveBeenCalledTimes(1);
    await modules.fileFor(version);
    expect(generate).toHaveBeenCalledTimes(1);
  });

  it('lets two processes build the same version at once: each renames a whole file into place', async () => {
    const store = new BundleStore(path.join(api.tmp, 'store-two'));
    await store.init();
    const code = `export default {}; // ${'x'.repeat(100_000)}`;
    const slow = async () => {
      await new Promise((r) => setTimeout(r, 20));
      return code;
    };
    const [a, b] = await Promise.all([new ValidatorModules(store, slow).fileFor(version), new ValidatorModules(store, slow).fileFor(version)]);
    expect(a).toBe(b);
    expect(await readFile(a, 'utf8')).toBe(code);
    expect(await readdir(path.join(store.root, '.tmp'))).toEqual([]);
  });

  it('forgets a failed build, so the next request tries again', async () => {
    const store = new BundleStore(path.join(api.tmp, 'store-three'));
    await store.init();
    const generate = vi.fn<(schema: Record<string, unknown>) => Promise<string>>().mockRejectedValueOnce(new Error('esbuild crashed')).mockResolvedValue('export default {};');
    const modules = new ValidatorModules(store, generate);
    await expect(modules.fileFor(version)).rejects.toThrow('esbuild crashed');
    expect(await readFile(await modules.fileFor(version), 'utf8')).toBe('export default {};');
  });
});
