import http from 'node:http';
import { inputLimits } from '@shelf/contract';
import { postJson, shelfFetch } from '../client.js';
import type { BenchContext } from '../context.js';
import { writeItem } from '../items.js';
import { row, type Row, type ScenarioResult } from '../report.js';
import { now } from '../stats.js';

/** One request's time, answer and the slowest /healthz answer while it ran. */
interface Measured {
  ms: number;
  status: number;
  answerBytes: number;
  slowestHealthMs: number;
}

/** Past this a request counts as hung (the old backtracking engine never came back on some attacks). */
const requestTimeoutMs = 120_000;

function healthOnce(url: string): Promise<number> {
  const t0 = now();
  return new Promise((resolve) => {
    http
      .get(`${url}/healthz`, { agent: false }, (res) => {
        res.resume();
        res.on('end', () => resolve(now() - t0));
      })
      .on('error', () => resolve(Number.POSITIVE_INFINITY));
  });
}

/** Sends `body` to `route` while /healthz is polled every few ms: what a health check saw meanwhile. */
async function measure(url: string, route: string, body: string): Promise<Measured> {
  let running = true;
  let slowest = 0;
  const probe = (async () => {
    while (running) {
      slowest = Math.max(slowest, await healthOnce(url));
      await new Promise((r) => setTimeout(r, 5));
    }
  })();
  const t0 = now();
  let status = 0;
  let answerBytes = 0;
  try {
    const res = await shelfFetch(url + route, { method: 'POST', headers: { 'content-type': 'application/json' }, body, signal: AbortSignal.timeout(requestTimeoutMs) });
    answerBytes = (await res.arrayBuffer()).byteLength;
    status = res.status;
  } catch {
    status = 0;
  }
  const ms = now() - t0;
  running = false;
  await probe;
  return { ms, status, answerBytes, slowestHealthMs: slowest };
}

interface Attack {
  name: string;
  /** A job submission (its inputs, against the one item of submitInputsSchema), or an import of a schema text. */
  kind: 'submit' | 'import';
  attack: { schema?: string; inputs?: unknown };
  benign: { schema?: string; inputs?: unknown };
}

const json = (v: unknown): string => JSON.stringify(v);

/**
 * The item every submission goes to, one property per attack (so the catalog gains one item,
 * not one per attack): each attack fills one property, its benign twin the same or a plain one.
 */
const submitSchema = json({
  type: 'object',
  properties: {
    s: { type: 'string', pattern: '^(a|a)*$' },
    names: { type: 'object', propertyNames: { pattern: '^(\\w|\\d)+$' } },
    u: { type: 'string', format: 'url' },
    unique: { type: 'array', uniqueItems: true },
    plain: { type: 'array' },
    nums: { type: 'array', items: { type: 'integer', enum: Array.from({ length: 50 }, (_, i) => i * 1000) } },
  },
});

/** The attacks of issue 11, each beside a benign request of the same size. */
function attacks(ctx: BenchContext): Attack[] {
  const { chars, items, enumValues, depth } = ctx.sizes.validation;
  const objects = Array.from({ length: items }, (_, i) => ({ k: i }));
  // As many values as the API takes (an array in an object: 2 more), padded to about `items` × 12 bytes.
  const atLimit = Math.min(items, (inputLimits.maxValues - 2) / 2);
  const pad = 'v'.repeat(Math.max(0, Math.floor((items * 12) / atLimit) - 12));
  const largeObjects = Array.from({ length: atLimit }, (_, i) => ({ k: `${pad}${i}` }));
  const wrongCount = Math.min(items * 3, inputLimits.maxValues - 2);
  const numbers = (n: number, wrong: boolean) => Array.from({ length: n }, (_, i) => (wrong ? (i % 2 ? 'x' : 0.5) : i % 2 ? 1000 : 2000));
  const bigEnum = json({ type: 'object', properties: { e: { enum: Array.from({ length: enumValues }, (_, i) => `value-${i}`) } } });
  const manyFields = json({ type: 'object', properties: Object.fromEntries(Array.from({ length: 998 }, (_, i) => [`field${i}`, { type: 'string', maxLength: 80, pattern: `^[a-z]+${i}$` }])) });
  const small = json({ type: 'object', properties: { name: { type: 'string' } } });
  let deep = '{}';
  for (let i = 0; i < depth; i++) deep = `{"not":${deep}}`;
  const submit = (name: string, attack: unknown, benign: unknown): Attack => ({ name, kind: 'submit', attack: { inputs: attack }, benign: { inputs: benign } });
  const load = (name: string, schema: string): Attack => ({ name, kind: 'import', attack: { schema }, benign: { schema: small } });
  return [
    submit(`pattern ^(a|a)*$, ${chars} chars`, { s: `${'a'.repeat(chars - 1)}!` }, { s: 'a'.repeat(chars) }),
    submit(`propertyNames ^(\\w|\\d)+$, ${chars} chars`, { names: { [`${'1'.repeat(chars - 1)}!`]: 1 } }, { names: { ['1'.repeat(chars)]: 1 } }),
    submit(`format url, ${chars} chars`, { u: `https://a${':'.repeat(chars - 11)}..` }, { u: `https://example.com/${'a'.repeat(chars - 20)}` }),
    submit(`uniqueItems, ${items} objects`, { unique: objects }, { plain: objects }),
    submit(`uniqueItems, ${atLimit} objects at the value limit`, { unique: largeObjects }, { plain: largeObjects }),
    submit(`${items * 3} wrong items`, { nums: numbers(items * 3, true) }, { nums: numbers(items * 3, false) }),
    submit(`${wrongCount} wrong items, all errors`, { nums: numbers(wrongCount, true) }, { nums: numbers(wrongCount, false) }),
    load(`import: enum of ${enumValues} values`, bigEnum),
    load('import: 1,000 subschemas with patterns', manyFields),
    load('import: {"$ref": "#"}', json({ $ref: '#' })),
    load(`import: ${depth} nested not`, deep),
  ];
}

let itemCount = 0;

/**
 * Writes an item with `schema` and imports it. Items are kept few (the API scenario seeds the
 * catalog up to its size after this one): a schema already imported is imported again from the
 * same folder, which answers `unchanged` after the same checks.
 */
const folders = new Map<string, { id: string; dir: string }>();
async function importSchema(ctx: BenchContext, schema: string, measured = false): Promise<Measured & { id: string }> {
  let item = folders.get(schema);
  if (!item) {
    const id = `bench-validation-${++itemCount}`;
    item = { id, dir: await writeItem(ctx.shelf.itemsDir, { id, name: `Bench validation ${itemCount}`, command: ['true'], files: { 'schema.json': schema } }) };
    folders.set(schema, item);
  }
  const body = json({ path: item.dir });
  if (measured) return { ...(await measure(ctx.shelf.url, '/api/catalog/local/import', body)), id: item.id };
  const res = await postJson(`${ctx.shelf.url}/api/catalog/local/import`, { path: item.dir });
  return { ms: 0, status: res.status, answerBytes: 0, slowestHealthMs: 0, id: item.id };
}

async function run(ctx: BenchContext, kind: Attack['kind'], side: Attack['attack']): Promise<Measured & { importStatus?: number }> {
  if (kind === 'import') return importSchema(ctx, side.schema!, true);
  const item = await importSchema(ctx, submitSchema);
  if (item.status !== 201 && item.status !== 200) return { ms: 0, status: 0, answerBytes: 0, slowestHealthMs: 0, importStatus: item.status };
  // A first, small submission compiles the version's schema: each request is then measured alone.
  await postJson(`${ctx.shelf.url}/api/jobs`, { itemId: item.id, inputs: {} });
  return { ...(await measure(ctx.shelf.url, '/api/jobs', json({ itemId: item.id, inputs: side.inputs }))), importStatus: item.status };
}

/**
 * 7. Validation under attack (issue 11): per attack, how long the request that carries it took
 * and the slowest `GET /healthz` answer meanwhile (the API's event loop being held shows there),
 * against a benign request of the same size to the same kind of item.
 */
export async function validationScenario(ctx: BenchContext): Promise<ScenarioResult> {
  // Submitted jobs stay queued: a worker left by an earlier scenario would start containers meanwhile.
  await ctx.shelf.stopWorker();
  const rows: Row[] = [];
  const details: Record<string, unknown> = {};
  for (const a of attacks(ctx)) {
    const benign = await run(ctx, a.kind, a.benign);
    const attack = await run(ctx, a.kind, a.attack);
    const requestKb = (a.kind === 'submit' ? json(a.attack.inputs).length : a.attack.schema!.length) / 1024;
    details[a.name] = { attack, benign, requestKb };
    ctx.log(`validation: ${a.name}: ${attack.ms.toFixed(1)} ms → ${attack.status}${attack.importStatus && attack.importStatus >= 300 ? ` (import ${attack.importStatus})` : ''}, /healthz ≤ ${attack.slowestHealthMs.toFixed(1)} ms`);
    const refused = attack.importStatus !== undefined && attack.importStatus >= 300 ? 'refused at import' : `${attack.status}`;
    rows.push(row(`7 validation ${a.name} (${requestKb.toFixed(0)} KB → ${refused}): request`, 'ms', 'lower', attack.ms, benign.ms));
    rows.push(row(`7 validation ${a.name}: slowest /healthz meanwhile`, 'ms', 'lower', attack.slowestHealthMs, benign.slowestHealthMs));
    if (a.name.includes('wrong items')) {
      rows.push(row(`7 validation ${a.name}: 422 answer size vs request size`, 'KB', 'lower', attack.answerBytes / 1024, requestKb));
    }
  }
  return {
    baseline: 'a benign request of the same size to the same kind of item (imports: a one-field schema); /healthz polled every 5 ms meanwhile',
    rows,
    details,
  };
}
