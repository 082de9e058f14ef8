import { writeFile } from 'node:fs/promises';
import path from 'node:path';
import autocannon from 'autocannon';
import type { JobSummary } from '@shelf/contract';
import { getJson, shelfFetch } from '../client.js';
import type { BenchContext } from '../context.js';
import { row, type ScenarioResult } from '../report.js';
import { SEARCH_WORD, seedCatalog, seedJobs } from '../seed.js';
import { benchAuth, Child, childEnv } from '../shelf.js';
import { now, summarize, type Summary } from '../stats.js';

interface LoadResult {
  latency: Summary;
  requestsPerSecond: number;
  non2xx: number;
  errors: number;
}

/** `amount` GETs over `connections` keep-alive connections; every response time is kept, for p95. */
function load(url: string, amount: number, connections: number, headers: Record<string, string>): Promise<LoadResult> {
  return new Promise((resolve, reject) => {
    const times: number[] = [];
    const t0 = now();
    const instance = autocannon({ url, amount, connections, timeout: 30, headers }, (err: unknown, result: autocannon.Result) => {
      if (err) return reject(err instanceof Error ? err : new Error(String(err)));
      resolve({
        latency: summarize(times),
        requestsPerSecond: amount / ((now() - t0) / 1000),
        non2xx: result.non2xx,
        errors: result.errors + result.timeouts,
      });
    });
    instance.on('response', (_client, _status, _bytes, ms) => times.push(ms));
  });
}

/**
 * A few requests first so both servers are measured with warm JIT and connections.
 * `headers`: Shelf's bearer token; the bare server takes none.
 */
async function measure(url: string, requests: number, connections: number, headers: Record<string, string> = {}): Promise<LoadResult> {
  await load(url, Math.min(100, requests), connections, headers);
  const result = await load(url, requests, connections, headers);
  if (result.non2xx || result.errors) throw new Error(`${url}: ${result.non2xx} non-2xx answers and ${result.errors} errors under load`);
  return result;
}

/**
 * 4. API: `GET /api/catalog` with 1,000 items and `GET /api/jobs?state=FAILED&q=…` with
 * 100,000 jobs stored (both seeded straight into Redis), p50/p95 under autocannon, and the
 * API process's peak RSS meanwhile — against node:http answering the same bytes.
 */
export async function apiScenario(ctx: BenchContext): Promise<ScenarioResult> {
  const { catalogItems, jobs, requests, connections } = ctx.sizes.api;
  const { shelf } = ctx;
  const t0 = now();
  const existing = await shelf.redis.hlen(shelf.keys.catalog);
  // At least one of each seeded name (ten), so the search word always has items to find, however
  // many items earlier scenarios imported.
  const itemIds = await seedCatalog(shelf.redis, shelf.keys, Math.max(10, catalogItems - existing));
  await seedJobs(shelf.redis, shelf.keys, itemIds, jobs);
  ctx.log(`api: seeded ${itemIds.length} items and ${jobs} jobs in ${((now() - t0) / 1000).toFixed(1)} s`);

  // A fresh API process: its peak RSS is then this load's, not what an earlier scenario left behind.
  await shelf.restartApi();
  const paths = { catalog: '/api/catalog', jobs: `/api/jobs?state=FAILED&q=${SEARCH_WORD}` };
  // The answers must be right before their speed means anything.
  const catalog = await getJson<{ items: unknown[] }>(shelf.url + paths.catalog);
  if (catalog.items.length !== existing + itemIds.length) throw new Error(`the catalog lists ${catalog.items.length} items, expected ${existing + itemIds.length}`);
  const page = await getJson<{ items: JobSummary[]; total: number }>(shelf.url + paths.jobs);
  if (!page.total || page.items.some((j) => j.state !== 'FAILED' || !j.itemName.toLowerCase().includes(SEARCH_WORD))) {
    throw new Error(`GET ${paths.jobs} answered a wrong page: ${JSON.stringify(page).slice(0, 300)}`);
  }

  await shelf.api.resetPeakRss();
  const shelfCatalog = await measure(shelf.url + paths.catalog, requests, connections, benchAuth);
  const shelfJobs = await measure(shelf.url + paths.jobs, requests, connections, benchAuth);
  const shelfRss = await shelf.api.peakRss();

  // The bare server answers the very bytes Shelf answered.
  const routes: Record<string, string> = {};
  for (const [name, p] of Object.entries(paths)) {
    const file = path.join(ctx.tmp, `bare-${name}.json`);
    const res = await shelfFetch(shelf.url + p);
    if (res.status !== 200) throw new Error(`GET ${p} answered ${res.status}: ${(await res.text()).slice(0, 300)}`);
    await writeFile(file, Buffer.from(await res.arrayBuffer()));
    routes[p] = file;
  }
  const routesFile = path.join(ctx.tmp, 'bare-routes.json');
  await writeFile(routesFile, JSON.stringify(routes));
  const bare = new Child('bare http', 'scripts/bench/bareHttp.ts', childEnv(), [routesFile]);
  try {
    const port = (await bare.waitForLine(/listening (\d+)/, 30_000))[1];
    const bareUrl = `http://127.0.0.1:${port}`;
    await bare.resetPeakRss();
    const bareCatalog = await measure(bareUrl + paths.catalog, requests, connections);
    const bareJobs = await measure(bareUrl + paths.jobs, requests, connections);
    const bareRss = await bare.peakRss();
    const mb = (b: number) => b / 1024 / 1024;
    ctx.log(`api: catalog p50 ${shelfCatalog.latency.p50} ms (bare ${bareCatalog.latency.p50}), jobs p50 ${shelfJobs.latency.p50} ms (bare ${bareJobs.latency.p50}), peak RSS ${mb(shelfRss).toFixed(0)} MB`);
    const label = `${requests} req, ${connections} conn`;
    return {
      baseline: `node:http answering the same response bytes from memory, same load (${label})`,
      rows: [
        row(`4 GET /api/catalog (${catalogItems} items) p50`, 'ms', 'lower', shelfCatalog.latency.p50, bareCatalog.latency.p50),
        row(`4 GET /api/catalog (${catalogItems} items) p95`, 'ms', 'lower', shelfCatalog.latency.p95, bareCatalog.latency.p95),
        row(`4 GET /api/jobs?state=FAILED&q= (${jobs} jobs) p50`, 'ms', 'lower', shelfJobs.latency.p50, bareJobs.latency.p50),
        row(`4 GET /api/jobs?state=FAILED&q= (${jobs} jobs) p95`, 'ms', 'lower', shelfJobs.latency.p95, bareJobs.latency.p95),
        row('4 API process peak RSS under that load', 'MB', 'lower', mb(shelfRss), mb(bareRss)),
      ],
      details: {
        catalogItems,
        jobs,
        requests,
        connections,
        jobsQuery: paths.jobs,
        jobsMatching: page.total,
        shelf: { catalog: shelfCatalog, jobs: shelfJobs, peakRssBytes: shelfRss },
        bare: { catalog: bareCatalog, jobs: bareJobs, peakRssBytes: bareRss },
      },
    };
  } finally {
    await bare.stop();
  }
}
