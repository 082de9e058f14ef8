// Jobs are created through the job records and moved on by FakeWorker, which stands in for the
// worker process (it records runs through RunRecorder as the worker does; the worker has its own
// Docker tests). records/test/listJobs.test.ts checks the page selection itself.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { JobState, type CatalogItem, type JobSummary } from '@shelf/contract';
import { writeJobs, type JobHash } from '@shelf/records/layout';
import { FakeWorker } from './helpers/fakeWorker.js';
import { request, startJobsApi, type JobsHarness } from './helpers/jobsHarness.js';
import { adminTokenActor } from '../src/auth/principal.js';

const items = [
  { id: 'alpha-tool', name: 'Alpha Tool' },
  { id: 'beta-runner', name: 'Beta Runner' },
  { id: 'gamma', name: 'Gamma Deploy' },
];
const limits = { memoryBytes: 1, cpus: 1, pids: 1, timeoutSeconds: 1 };

let h: JobsHarness;
/** Every job, newest first, the way the API must order them. */
let all: { id: string; itemId: string; state: JobState; createdMs: number }[] = [];

async function addCatalogEntries(harness: JobsHarness, entries: { id: string; name: string }[]) {
  for (const { id, name } of entries) {
    const item: CatalogItem = { id, name, description: '', tags: [], owner: '', latestVersion: '1.0.0', versionCount: 1 };
    await harness.redis.hset(harness.catalog.keys.catalog, id, JSON.stringify(item));
  }
}

beforeAll(async () => {
  h = await startJobsApi();
  // The catalog listing the registry keeps; search looks item ids and names up there.
  await addCatalogEntries(h, items);
  const worker = new FakeWorker(h.redis, h.catalog.keys);
  const base = Date.now() - 1_000_000;
  const states = [JobState.QUEUED, JobState.RUNNING, JobState.SUCCEEDED, JobState.FAILED, JobState.CANCELLED];
  all = await Promise.all(
    Array.from({ length: 300 }, async (_, i) => {
      const item = items[i % 3]!;
      const created = new Date(base + i * 1000);
      const { id } = await h.jobs.records.create({ itemId: item.id, itemName: item.name, version: '1.0.0', digest: 'd'.repeat(64), inputs: {}, limits, submittedBy: adminTokenActor }, created);
      const state = states[i % 5]!;
      if (state !== JobState.QUEUED) await worker.start(id);
      if (state !== JobState.QUEUED && state !== JobState.RUNNING) await worker.finish(id, state);
      return { id, itemId: item.id, state, createdMs: created.getTime() };
    }),
  );
  all.sort((a, b) => b.createdMs - a.createdMs);
}, 60_000);
afterAll(async () => {
  await h?.close();
});

async function list(query: string): Promise<{ items: JobSummary[]; total: number; page: number; pageSize: number }> {
  const res = await request('GET', `${h.url}/api/jobs${query}`);
  expect(res.status, JSON.stringify(res.body)).toBe(200);
  return res.body;
}

const ids = (page: { items: JobSummary[] }) => page.items.map((j) => j.id);

describe('GET /api/jobs', () => {
  it('lists every job newest first, 20 per page by default', async () => {
    const page = await list('');
    expect(page.total).toBe(300);
    expect(page.page).toBe(1);
    expect(page.pageSize).toBe(20);
    expect(ids(page)).toEqual(all.slice(0, 20).map((j) => j.id));
    expect(page.items[0]).toMatchObject({ itemName: expect.any(String), progress: { percent: 0, message: '' } });
  });

  it('pages', async () => {
    expect(ids(await list('?page=3&pageSize=50'))).toEqual(all.slice(100, 150).map((j) => j.id));
    const last = await list('?page=4&pageSize=100');
    expect(last.items).toEqual([]);
    expect(last.total).toBe(300);
  });

  it('filters by state, by item and by both', async () => {
    const failed = await list('?state=FAILED&pageSize=100');
    const expectFailed = all.filter((j) => j.state === 'FAILED');
    expect(failed.total).toBe(expectFailed.length);
    expect(ids(failed)).toEqual(expectFailed.map((j) => j.id));
    expect(failed.items.every((j) => j.state === 'FAILED')).toBe(true);

    const beta = all.filter((j) => j.itemId === 'beta-runner');
    const byItem = await list('?itemId=beta-runner&pageSize=10&page=2');
    expect(byItem.total).toBe(beta.length);
    expect(ids(byItem)).toEqual(beta.slice(10, 20).map((j) => j.id));

    const both = all.filter((j) => j.itemId === 'gamma' && j.state === 'RUNNING');
    const combined = await list('?itemId=gamma&state=RUNNING&pageSize=100');
    expect(combined.total).toBe(both.length);
    expect(ids(combined)).toEqual(both.map((j) => j.id));
  });

  it('searches item names and ids case-insensitively, by substring', async () => {
    const beta = all.filter((j) => j.itemId === 'beta-runner');
    for (const q of ['RUNNER', 'beta r', 'ta-run']) {
      const page = await list(`?q=${encodeURIComponent(q)}&pageSize=100`);
      expect(page.total, q).toBe(beta.length);
      expect(ids(page), q).toEqual(beta.map((j) => j.id));
    }
    const everyItem = await list('?q=a&pageSize=100'); // in alpha-tool, beta-runner ("Beta") and gamma
    expect(everyItem.total).toBe(300);
    expect((await list('?q=zzz')).total).toBe(0);
  });

  it('finds jobs by id, whole or by its beginning, in any case', async () => {
    const target = all[137]!;
    const whole = await list(`?q=${target.id.toUpperCase()}`);
    expect(ids(whole)).toEqual([target.id]);
    expect(whole.total).toBe(1);

    const prefix = target.id.slice(0, 6);
    const byPrefix = await list(`?q=${prefix}&pageSize=100`);
    const expected = all.filter((j) => j.id.startsWith(prefix));
    expect(ids(byPrefix)).toEqual(expected.map((j) => j.id));
  });

  it('combines search with filters', async () => {
    const target = all.find((j) => j.state === 'SUCCEEDED')!;
    expect(ids(await list(`?q=${target.id}&state=SUCCEEDED`))).toEqual([target.id]);
    expect((await list(`?q=${target.id}&state=FAILED`)).total).toBe(0);

    const gammaJob = all.find((j) => j.itemId === 'gamma')!;
    expect(ids(await list(`?itemId=gamma&q=${gammaJob.id}`))).toEqual([gammaJob.id]);
    expect((await list(`?itemId=alpha-tool&q=${gammaJob.id}`)).total).toBe(0);

    const alphaFailed = all.filter((j) => j.itemId === 'alpha-tool' && j.state === 'FAILED');
    const page = await list('?q=alpha&state=FAILED&pageSize=100');
    expect(ids(page)).toEqual(alphaFailed.map((j) => j.id));
  });

  it('pages a search that matches several items exactly as one merged index would', async () => {
    // "l" is in Alpha Tool and Gamma Deploy, not in Beta Runner.
    const matching = all.filter((j) => j.itemId !== 'beta-runner');
    const page = await list('?q=L&pageSize=7&page=3');
    expect(page.total).toBe(matching.length);
    expect(ids(page)).toEqual(matching.slice(14, 21).map((j) => j.id));

    const failed = matching.filter((j) => j.state === 'FAILED');
    const failedPage = await list('?q=l&state=FAILED&pageSize=5&page=2');
    expect(failedPage.total).toBe(failed.length);
    expect(ids(failedPage)).toEqual(failed.slice(5, 10).map((j) => j.id));
    expect((await list(`?q=l&state=FAILED&pageSize=5&page=${Math.ceil(failed.length / 5) + 1}`)).items).toEqual([]);
  });

  it('answers 400 for bad query parameters', async () => {
    for (const query of ['?state=DONE', '?pageSize=0', '?pageSize=101', '?page=0', '?page=abc', '?state=QUEUED&state=RUNNING']) {
      const res = await request('GET', `${h.url}/api/jobs${query}`);
      expect(res.status, query).toBe(400);
      expect(res.body.error.code).toBe('BAD_REQUEST');
    }
  });
});

describe('GET /api/jobs with 100,000 jobs', () => {
  let big: JobsHarness;
  const count = 100_000;
  const base = Date.UTC(2025, 0, 1);
  const bulkItems = [
    { id: 'bulk-a', name: 'Bulk Alpha' },
    { id: 'bulk-b', name: 'Bulk Beta' },
  ];
  const stateOf = (i: number) => (i % 10 === 0 ? JobState.FAILED : i % 10 === 1 ? JobState.RUNNING : JobState.SUCCEEDED);
  const idOf = (i: number) => i.toString(16).padStart(32, '0');

  beforeAll(async () => {
    big = await startJobsApi();
    await addCatalogEntries(big, bulkItems);
    // Written straight in the records' layout (hash + indexes), in pipelines: the records' own
    // create is exercised above; here only the listing's cost with a big history matters.
    for (let start = 0; start < count; start += 10_000) {
      const jobs: JobHash[] = [];
      for (let i = start; i < start + 10_000; i++) {
        const id = idOf(i);
        const item = bulkItems[i % 2]!;
        const state = stateOf(i);
        const createdMs = base + i * 1000;
        jobs.push({
          id,
          itemId: item.id,
          itemName: item.name,
          version: '1.0.0',
          digest: 'e'.repeat(64),
          state,
          progress: '',
          createdAt: new Date(createdMs).toISOString(),
          startedAt: '',
          finishedAt: '',
          error: '',
          retryOf: '',
          inputs: '{}',
          exitCode: '',
          outputs: '',
          limits: JSON.stringify(limits),
          createdMs: String(createdMs),
          submittedById: '',
          submittedByName: '',
        });
      }
      await writeJobs(big.redis, big.catalog.keys, jobs);
    }
  }, 120_000);
  afterAll(async () => {
    await big?.close();
  }, 60_000);

  const bigList = async (query: string) => {
    const res = await request('GET', `${big.url}/api/jobs${query}`);
    expect(res.status).toBe(200);
    return res.body as { items: JobSummary[]; total: number };
  };

  it('pages through the whole history from the indexes', async () => {
    const page = await bigList('?page=7&pageSize=100');
    expect(page.total).toBe(count);
    // Newest first: job i was created at base + i s.
    expect(ids(page)).toEqual(Array.from({ length: 100 }, (_, k) => idOf(count - 1 - 600 - k)));
  });

  it('combines a state filter, an item filter and a name search', async () => {
    const expected: number[] = [];
    for (let i = count - 1; i >= 0; i--) if (i % 2 === 1 && stateOf(i) === JobState.RUNNING) expected.push(i);
    const page = await bigList('?state=RUNNING&itemId=bulk-b&q=beta&pageSize=50&page=2');
    expect(page.total).toBe(expected.length);
    expect(ids(page)).toEqual(expected.slice(50, 100).map(idOf));
  });

  it('finds one job among them by id', async () => {
    const page = await bigList(`?q=${idOf(54_321)}`);
    expect(ids(page)).toEqual([idOf(54_321)]);
  });
});
