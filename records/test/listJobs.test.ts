// The listing's page selection inside Redis, checked against the same question answered the slow,
// obvious way over every job. api/test/jobs.list.test.ts covers the HTTP side.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { JobState, type JobSummary } from '@shelf/contract';
import { RegistryReader, type JobQuery } from '../src/index.js';
import { JobStorage, type PageTuning } from '../src/jobStorage.js';
import { listJobs } from '../src/listJobs.js';
import { createWorld, type RecordsWorld } from './helpers.js';

const items = [
  { id: 'deploy-app', name: 'Deploy App' },
  { id: 'backup-db', name: 'Backup Database' },
  { id: 'rotate-keys', name: 'Rotate Keys' },
  { id: 'scale-up', name: 'Scale Up' },
];
const states = [JobState.SUCCEEDED, JobState.FAILED, JobState.RUNNING, JobState.CANCELLED];

let world: RecordsWorld;
/** Every job, newest first, as the listing must order them. */
const all: { id: string; itemId: string; state: JobState; user: string }[] = [];

beforeAll(async () => {
  world = await createWorld();
  await world.catalog(items);
  const base = Date.now() - 1_000_000;
  for (let i = 0; i < 240; i++) {
    const item = items[i % items.length]!;
    const user = i % 3 === 0 ? 'u2' : 'u1';
    // Every few jobs share a creation time: ties are broken by id, as ZREVRANGE breaks them.
    const id = await world.newJob({ itemId: item.id, itemName: item.name, submittedBy: { id: user, username: user } }, new Date(base + Math.floor(i / 3) * 1000));
    const state = states[(i >> 2) % states.length]!;
    if (state !== JobState.CANCELLED) await world.recorder.start(id);
    if (state === JobState.SUCCEEDED) await world.recorder.finish(id, { state, exitCode: 0, outputs: null });
    if (state === JobState.FAILED) await world.recorder.finish(id, { state, exitCode: 1, error: { code: 'EXIT', message: 'x' } });
    if (state === JobState.CANCELLED) await world.records.cancel(id, JobState.QUEUED, 'ada');
    all.push({ id, itemId: item.id, state, user });
  }
  const created = new Map((await world.records.summaries(all.map((j) => j.id))).map((s) => [s.id, s.createdAt]));
  all.sort((a, b) => created.get(b.id)!.localeCompare(created.get(a.id)!) || (a.id < b.id ? 1 : -1));
}, 60_000);
afterAll(async () => {
  await world?.close();
});

/** The answer worked out over every job. */
function expected(query: JobQuery) {
  const q = query.q?.trim().toLowerCase();
  const names = new Map(items.map((i) => [i.id, i.name.toLowerCase()]));
  const matchesItem = (itemId: string) => !q || itemId.includes(q) || names.get(itemId)!.includes(q);
  const everyItem = q !== undefined && (query.itemId ? matchesItem(query.itemId) : items.every((i) => matchesItem(i.id)));
  const hits = all.filter(
    (j) =>
      (!query.state || j.state === query.state) &&
      (!query.itemId || j.itemId === query.itemId) &&
      (!query.submittedBy || j.user === query.submittedBy) &&
      (!q || everyItem || (!query.itemId && matchesItem(j.itemId)) || (/^[0-9a-f]+$/.test(q) && j.id.startsWith(q))),
  );
  const start = (query.page - 1) * query.pageSize;
  return { total: hits.length, ids: hits.slice(start, start + query.pageSize).map((j) => j.id) };
}

const ids = (page: { items: JobSummary[] }) => page.items.map((j) => j.id);

/** Every per-item-and-state count equals the size of the index it counts. */
async function expectCountsToAgree() {
  const { redis, keys } = world;
  for (const { id } of items) {
    for (const state of states) {
      const counted = Number((await redis.hget(keys.jobCountsByItem(state), id)) ?? 0);
      expect(counted, `${id} ${state}`).toBe(await redis.zcard(keys.jobsByItemState(id, state)));
    }
  }
}

describe('listing jobs', () => {
  const queries: Array<Omit<JobQuery, 'page' | 'pageSize'>> = [
    {},
    { state: JobState.FAILED },
    { itemId: 'backup-db' },
    { state: JobState.RUNNING, submittedBy: 'u2' },
    { state: JobState.FAILED, itemId: 'scale-up', submittedBy: 'u1' },
    // Names of two items: each item's newest jobs, merged.
    { q: 'a' },
    { q: 'ATA', state: JobState.FAILED },
    { q: 'e', state: JobState.SUCCEEDED, submittedBy: 'u1' },
    // Hex-looking: an item's name and job ids both match, so the sets overlap.
    { q: 'b' },
    { q: 'd', state: JobState.CANCELLED },
    { q: 'b', itemId: 'deploy-app' },
    { q: 'deploy', itemId: 'deploy-app', state: JobState.FAILED },
    { q: 'nothing-like-it' },
    { q: 'p' },
  ];
  // Each way the script can choose a page: walking the state's newest jobs, merging the items'
  // sets one by one, merging them into one set first.
  const ways: Record<string, Partial<PageTuning>> = { walk: {}, merge: { walkBudget: 0 }, union: { walkBudget: 0, mergeBudget: 0 } };
  for (const query of queries) {
    it(`answers ${JSON.stringify(query)} as a scan of every job would, on every page, every way`, async () => {
      for (const [way, tuning] of Object.entries(ways)) {
        const storage = new JobStorage(world.redis, world.keys, tuning);
        const names = () => new RegistryReader(world.redis, world.keys).itemNames();
        for (const [page, pageSize] of [[1, 20], [2, 7], [3, 11], [40, 5]] as const) {
          const full = { ...query, page, pageSize };
          const answer = await listJobs(storage, names, full);
          expect({ total: answer.total, ids: ids(answer) }, `${way}: page ${page} of ${pageSize}`).toEqual(expected(full));
          expect(answer).toMatchObject({ page, pageSize });
        }
      }
    });
  }

  it('finds a job by its whole id or its beginning', async () => {
    const target = all[77]!;
    expect(ids(await world.records.list({ q: target.id.toUpperCase(), page: 1, pageSize: 10 }))).toEqual([target.id]);
    const query = { q: target.id.slice(0, 3), page: 1, pageSize: 100 };
    const byPrefix = await world.records.list(query);
    expect({ total: byPrefix.total, ids: ids(byPrefix) }).toEqual(expected(query));
    expect(ids(byPrefix)).toContain(target.id);
  });

  it('pages deep enough to merge in one set first, with the same answer', async () => {
    // "p" matches three items; 3 × (page end 18,000) is past the item-by-item budget, so the script unions them first.
    const query = { q: 'p', page: 600, pageSize: 30 };
    const deep = await world.records.list(query);
    expect({ total: deep.total, ids: ids(deep) }).toEqual(expected(query));
    expect(deep.total).toBe(all.filter((j) => j.itemId !== 'rotate-keys').length);
    // The same with jobs found by id too, which overlap the items' jobs.
    for (const overlapping of [{ q: 'd', page: 900, pageSize: 30 }, { q: 'd', state: JobState.RUNNING, page: 900, pageSize: 30 }]) {
      const answer = await world.records.list(overlapping);
      expect({ total: answer.total, ids: ids(answer) }).toEqual(expected(overlapping));
    }
  });

  it('keeps a count of each item’s jobs per state that agrees with the index', async () => {
    await expectCountsToAgree();
    expect(Number(await world.redis.hget(world.keys.jobCountsByItem(JobState.FAILED), 'backup-db'))).toBe(all.filter((j) => j.itemId === 'backup-db' && j.state === JobState.FAILED).length);
  });

  it('leaves no scratch sets behind', async () => {
    await world.records.list({ q: 'b', state: JobState.FAILED, page: 1, pageSize: 20 });
    expect(await world.redis.keys(world.keys.jobsTemp('*'))).toEqual([]);
  });
});

describe('a store written before the per-item-and-state index', () => {
  it('is brought up to it once, and then answers the same', async () => {
    const query = { q: 'p', state: JobState.FAILED, page: 1, pageSize: 50 };
    const before = await world.records.list(query);
    const { redis, keys } = world;
    const added = [...(await redis.keys(keys.jobsByItemState('*', '*'))), ...states.map((state) => keys.jobCountsByItem(state)), keys.jobItems];
    await redis.del(...added, keys.jobsLayoutVersion);
    expect((await world.records.list(query)).total).toBe(0);
    // Twice, as two API processes starting together would: nothing is counted twice.
    await Promise.all([world.records.upgradeLayout(), world.records.upgradeLayout()]);
    expect(await world.records.list(query)).toEqual(before);
    expect(before.total).toBe(expected(query).total);
    await expectCountsToAgree();
  });
});
