// Schedules, dry runs, re-runs and presets (SPEC §9) through the real HTTP API, with real users
// and tokens, real Redis and real BullMQ job schedulers: a `* * * * * *` schedule (allowed here by
// minScheduleSeconds: 1) ticks every second, so each test watches what a user would see — the
// jobs it starts, the runs it records, the schedule stopping itself — by polling, never by timing.
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { Queue } from 'bullmq';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { QueueName, SECRET_MASK, type JobSummary, type Preset, type Schedule, type ScheduleRun } from '@shelf/contract';
import { writeItem } from './catalogHarness.js';
import { apiClient, type Answer } from './helpers/apiClient.js';
import { FakeWorker } from './helpers/fakeWorker.js';
import { asAdmin, startShelfApi, type ShelfApi } from './helpers/shelfApi.js';

let api: ShelfApi;
let worker: FakeWorker;
const users: Record<'alice' | 'bob' | 'vera', Record<string, string>> = { alice: {}, bob: {}, vera: {} };
/** The JSON of every answer this file received (searched for secret values at the end). */
const answers: string[] = [];

const everySecond = '* * * * * *';
const secretValue = 'sched-token-Vb93-original';
const rotatedValue = 'sched-token-Kp27-rotated';
const presetSecret = 'preset-token-Qz64-dropped';

async function call(method: string, p: string, body?: unknown, headers: Record<string, string> = users.alice): Promise<Answer> {
  const res = await apiClient(api.url).call(method, p, body, headers);
  answers.push(JSON.stringify(res.body));
  return res;
}

const countSchema = (type: 'integer' | 'string') =>
  JSON.stringify({ type: 'object', additionalProperties: false, properties: { count: { type, default: type === 'integer' ? 1 : 'one' }, note: { type: 'string', default: 'none' } } });
const secretSchema = JSON.stringify({
  type: 'object',
  additionalProperties: false,
  required: ['token'],
  properties: { token: { type: 'string', writeOnly: true }, note: { type: 'string', default: 'none' }, size: { type: 'string', enum: ['S', 'M', 'L'], default: 'S' } },
});

/** Publishes `id` at `version` into `target`'s local root and imports it. */
async function publish(target: ShelfApi, id: string, opts: { version?: string; schema?: string; extra?: string } = {}): Promise<void> {
  const version = opts.version ?? '1.0.0';
  const manifest = [`id: ${id}`, `name: ${id}`, `version: ${version}`, 'runtime:', '  image: shelf/runtime-shell:1', '  command: ["bash", "main.sh"]', opts.extra ?? '', ''].join('\n');
  const dir = await writeItem(path.join(target.root, `${id}-${version}`), { id, manifest, schema: opts.schema ?? countSchema('integer') });
  const res = await apiClient(target.url).call('POST', '/api/catalog/local/import', { path: dir });
  expect(res.status).toBe(201);
}

/** Polls `read` until `done` holds, answering the last value; fails naming `what` after `ms`. */
async function eventually<T>(what: string, read: () => Promise<T>, done: (v: T) => boolean, ms = 20_000): Promise<T> {
  const deadline = Date.now() + ms;
  for (;;) {
    const value = await read();
    if (done(value)) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}; last seen: ${JSON.stringify(value).slice(0, 2000)}`);
    await sleep(100);
  }
}

async function createSchedule(body: Record<string, unknown>, who: Record<string, string> = users.alice): Promise<Schedule> {
  const res = await call('POST', '/api/schedules', body, who);
  expect(res.status, JSON.stringify(res.body)).toBe(201);
  return res.body as Schedule;
}
const scheduleOf = async (id: string): Promise<Schedule> => (await call('GET', `/api/schedules/${id}`, undefined, asAdmin)).body;
const runsOf = async (id: string): Promise<ScheduleRun[]> => (await call('GET', `/api/schedules/${id}/runs`, undefined, asAdmin)).body.items;
const jobsOfItem = async (itemId: string): Promise<JobSummary[]> => (await call('GET', `/api/jobs?itemId=${itemId}&pageSize=100`, undefined, asAdmin)).body.items;
const jobsOfSchedule = async (scheduleId: string, itemId: string): Promise<JobSummary[]> => (await jobsOfItem(itemId)).filter((j) => j.scheduleId === scheduleId);
const pause = async (id: string) => expect((await call('PATCH', `/api/schedules/${id}`, { enabled: false }, asAdmin)).status).toBe(200);
const problemPaths = (res: Answer): string[] => res.body.error.details.problems.map((p: { path: string }) => p.path);

/** Stands in for the workers of `itemId`: runs every QUEUED job of it to SUCCEEDED until stopped. */
function drain(itemId: string): () => Promise<void> {
  let running = true;
  const loop = (async () => {
    while (running) {
      for (const job of await jobsOfItem(itemId)) if (job.state === 'QUEUED') await worker.run(job.id, 'SUCCEEDED');
      await sleep(50);
    }
  })();
  return async () => {
    running = false;
    await loop;
  };
}

/** Waits until no tick is in flight: after a pause, a tick read before it may still finish. */
const settle = () => sleep(1500);

beforeAll(async () => {
  api = await startShelfApi({ minScheduleSeconds: 1 });
  worker = new FakeWorker(api.redis, api.catalog.keys);
  const client = apiClient(api.url);
  users.alice = await client.userWithToken('alice', 'runner');
  users.bob = await client.userWithToken('bob', 'runner');
  users.vera = await client.userWithToken('vera', 'viewer');
  for (const id of ['daily', 'ticking', 'overlapping', 'paired', 'owned', 'demoted', 'guarded', 'evolving', 'private', 'other-item']) await publish(api, id);
  for (const id of ['secret-sched', 'dry-run', 'preset-item']) await publish(api, id, { schema: secretSchema });
});
afterEach(async () => {
  // No schedule outlives its test: the ticks of one would start jobs in the next.
  for (const s of (await call('GET', '/api/schedules', undefined, asAdmin)).body.items as Schedule[]) {
    expect((await call('DELETE', `/api/schedules/${s.id}`, undefined, asAdmin)).status).toBe(204);
  }
});
afterAll(async () => {
  await api?.close();
});

describe('creating a schedule', () => {
  it('answers 201 with the schedule and its next five runs, read in the time zone given', async () => {
    const before = Date.now();
    const created = await call('POST', '/api/schedules', { itemId: 'daily', inputs: { count: 3 }, cron: '0 9 * * *', timezone: 'Europe/Berlin' });
    expect(created.status).toBe(201);
    expect(created.body).toMatchObject({
      id: expect.stringMatching(/^[0-9a-f]{24}$/),
      name: expect.any(String),
      itemId: 'daily',
      version: 'latest',
      inputs: { count: 3 },
      cron: '0 9 * * *',
      timezone: 'Europe/Berlin',
      enabled: true,
      stoppedReason: null,
      owner: { username: 'alice' },
      lastRun: null,
    });
    const runs: string[] = created.body.nextRuns;
    expect(runs).toHaveLength(5);
    const times = runs.map((t) => Date.parse(t));
    expect(times[0]).toBeGreaterThan(before);
    for (let i = 1; i < times.length; i++) expect(times[i]).toBeGreaterThan(times[i - 1]!);
    // Each is 09:00 on the clocks of Berlin, whatever the UTC offset of that day.
    const berlin = new Intl.DateTimeFormat('en-GB', { timeZone: 'Europe/Berlin', hour: '2-digit', minute: '2-digit', second: '2-digit', hourCycle: 'h23' });
    expect(times.map((t) => berlin.format(t))).toEqual(Array(5).fill('09:00:00'));
    expect((await call('GET', `/api/schedules/${created.body.id}`)).body).toMatchObject({ id: created.body.id, nextRuns: runs });
  });

  it('reads 09:00 in Berlin as 08:00Z in winter and 07:00Z in summer; UTC when no zone is given', async () => {
    const winter = await createSchedule({ itemId: 'daily', inputs: {}, cron: '0 9 15 1 *', timezone: 'Europe/Berlin' });
    const summer = await createSchedule({ itemId: 'daily', inputs: {}, cron: '0 9 15 7 *', timezone: 'Europe/Berlin' });
    const utc = await createSchedule({ itemId: 'daily', inputs: {}, cron: '30 6 * * *' });
    const firstYear = (s: Schedule) => Number(s.nextRuns[0]!.slice(0, 4));
    expect(winter.nextRuns).toEqual([0, 1, 2, 3, 4].map((i) => `${firstYear(winter) + i}-01-15T08:00:00.000Z`));
    expect(summer.nextRuns).toEqual([0, 1, 2, 3, 4].map((i) => `${firstYear(summer) + i}-07-15T07:00:00.000Z`));
    expect(utc.timezone).toBe('UTC');
    expect(utc.nextRuns.every((t) => t.endsWith('T06:30:00.000Z'))).toBe(true);
    const utcTimes = utc.nextRuns.map((t) => Date.parse(t));
    expect(utcTimes.slice(1).map((t, i) => t - utcTimes[i]!)).toEqual(Array(4).fill(86_400_000));
  });

  it.each([
    ['a cron of 4 fields', { cron: '0 9 * *' }, '/cron'],
    ['a cron of 7 fields', { cron: '0 0 9 * * * *' }, '/cron'],
    ['minute 61', { cron: '61 * * * *' }, '/cron'],
    ['an unknown time zone', { cron: '0 9 * * *', timezone: 'Mars/Olympus_Mons' }, '/timezone'],
  ])('refuses %s with 422 naming %s, and stores nothing', async (_, fields, field) => {
    const res = await call('POST', '/api/schedules', { itemId: 'daily', inputs: {}, ...fields });
    expect(res.status).toBe(422);
    expect(res.body.error.code).toBe('VALIDATION_FAILED');
    expect(problemPaths(res)).toEqual([field]);
    expect((await call('GET', '/api/schedules')).body.items).toEqual([]);
  });

  it('refuses inputs the item\'s schema rejects with 422 naming the input', async () => {
    const res = await call('POST', '/api/schedules', { itemId: 'daily', inputs: { count: 'three' }, cron: '0 9 * * *' });
    expect(res.status).toBe(422);
    expect(res.body.error.code).toBe('VALIDATION_FAILED');
    expect(problemPaths(res)).toContain('/count');
    const unknown = await call('POST', '/api/schedules', { itemId: 'daily', inputs: { colour: 'red' }, cron: '0 9 * * *' });
    expect(unknown.status).toBe(422);
    expect((await call('GET', '/api/schedules')).body.items).toEqual([]);
  });

  it('refuses a cron firing more often than SHELF_MIN_SCHEDULE_SECONDS (60 by default), and takes one a minute', async () => {
    const strict = await startShelfApi({ scheduleConsumer: false });
    try {
      await publish(strict, 'daily');
      const client = apiClient(strict.url);
      for (const cron of [everySecond, '*/30 * * * * *', '0,10 * * * * *']) {
        const res = await client.call('POST', '/api/schedules', { itemId: 'daily', inputs: {}, cron });
        expect(res.status, cron).toBe(422);
        expect(problemPaths(res)).toEqual(['/cron']);
        expect(res.body.error.details.problems[0].message).toContain('60');
      }
      const minutely = await client.call('POST', '/api/schedules', { itemId: 'daily', inputs: {}, cron: '* * * * *' });
      expect(minutely.status).toBe(201);
      expect((await client.call('GET', '/api/schedules')).body.items.map((s: Schedule) => s.id)).toEqual([minutely.body.id]);
    } finally {
      await strict.close();
    }
  });
});

describe('a schedule that ticks', () => {
  it('starts jobs as its owner carrying its id; paused it starts none; resumed it starts again', async () => {
    const stopWorker = drain('ticking');
    try {
      const s = await createSchedule({ itemId: 'ticking', inputs: { count: 2 }, cron: everySecond });
      const jobs = await eventually('two finished scheduled jobs', () => jobsOfSchedule(s.id, 'ticking'), (js) => js.filter((j) => j.state === 'SUCCEEDED').length >= 2);
      for (const job of jobs) expect(job).toMatchObject({ scheduleId: s.id, itemId: 'ticking', submittedBy: { username: 'alice' } });
      const detail = await call('GET', `/api/jobs/${jobs[0]!.id}`);
      expect(detail.status).toBe(200);
      expect(detail.body).toMatchObject({ scheduleId: s.id, inputs: { count: 2, note: 'none' } });
      const started = (await runsOf(s.id)).filter((r) => r.outcome === 'started');
      expect(new Set(started.map((r) => r.jobId))).toEqual(new Set((await jobsOfSchedule(s.id, 'ticking')).map((j) => j.id)));
      expect((await scheduleOf(s.id)).lastRun).toMatchObject({ outcome: expect.any(String) });

      const paused = await call('PATCH', `/api/schedules/${s.id}`, { enabled: false });
      expect(paused.status).toBe(200);
      expect(paused.body).toMatchObject({ enabled: false, nextRuns: [] });
      const timetables = new Queue(QueueName.schedule, { connection: api.redis, prefix: api.catalog.keys.bullPrefix });
      expect((await timetables.getJobSchedulers(0, -1)).map((j) => j.key)).not.toContain(s.id);
      await settle();
      const whilePaused = (await jobsOfSchedule(s.id, 'ticking')).length;
      const runsWhilePaused = (await runsOf(s.id)).length;
      await sleep(4000);
      expect((await jobsOfSchedule(s.id, 'ticking')).length).toBe(whilePaused);
      expect((await runsOf(s.id)).length).toBe(runsWhilePaused);

      const resumed = await call('PATCH', `/api/schedules/${s.id}`, { enabled: true });
      expect(resumed.status).toBe(200);
      expect(resumed.body).toMatchObject({ enabled: true, stoppedReason: null });
      expect(resumed.body.nextRuns).toHaveLength(5);
      expect((await timetables.getJobSchedulers(0, -1)).map((j) => j.key)).toContain(s.id);
      await timetables.close();
      await eventually('a job after resuming', () => jobsOfSchedule(s.id, 'ticking'), (js) => js.length > whilePaused);
    } finally {
      await stopWorker();
    }
  });

  it('takes a new cron at once and refuses a bad one with 422, unchanged; deleted, it ticks no more', async () => {
    const stopWorker = drain('ticking');
    try {
      const s = await createSchedule({ itemId: 'ticking', inputs: {}, cron: '0 9 * * *' });
      for (const [change, field] of [[{ cron: '0 9 * *' }, '/cron'], [{ timezone: 'Nowhere/Atlantis' }, '/timezone'], [{ inputs: { count: 'many' } }, '/count']] as const) {
        const refused = await call('PATCH', `/api/schedules/${s.id}`, change);
        expect(refused.status, JSON.stringify(change)).toBe(422);
        expect(problemPaths(refused)).toContain(field);
      }
      expect(await scheduleOf(s.id)).toMatchObject({ cron: '0 9 * * *', timezone: 'UTC', inputs: {}, updatedAt: s.updatedAt, nextRuns: s.nextRuns });

      const changed = await call('PATCH', `/api/schedules/${s.id}`, { cron: everySecond });
      expect(changed.status).toBe(200);
      expect(changed.body.cron).toBe(everySecond);
      const gaps = changed.body.nextRuns.map((t: string) => Date.parse(t)).slice(1).map((t: number, i: number) => t - Date.parse(changed.body.nextRuns[i]));
      expect(gaps).toEqual([1000, 1000, 1000, 1000]);
      await eventually('a job on the new cron', () => jobsOfSchedule(s.id, 'ticking'), (js) => js.length >= 1);

      expect((await call('DELETE', `/api/schedules/${s.id}`)).status).toBe(204);
      expect((await call('GET', `/api/schedules/${s.id}`)).status).toBe(404);
      expect((await call('GET', `/api/schedules/${s.id}/runs`)).status).toBe(404);
      await settle();
      const left = (await jobsOfSchedule(s.id, 'ticking')).length;
      await sleep(3000);
      expect((await jobsOfSchedule(s.id, 'ticking')).length).toBe(left);
    } finally {
      await stopWorker();
    }
  });

  it('skips, and records as skipped, the ticks that come while its job is still QUEUED; run now is 409 then', async () => {
    const s = await createSchedule({ itemId: 'overlapping', inputs: {}, cron: everySecond });
    const runs = await eventually('two skipped ticks', () => runsOf(s.id), (rs) => rs.filter((r) => r.outcome === 'skipped').length >= 2);
    const started = runs.filter((r) => r.outcome === 'started');
    expect(started).toHaveLength(1);
    const jobId = started[0]!.jobId!;
    for (const skipped of runs.filter((r) => r.outcome === 'skipped')) {
      expect(skipped.reason).toContain(jobId);
      expect(skipped.reason).toContain('QUEUED');
    }
    expect((await jobsOfSchedule(s.id, 'overlapping')).map((j) => j.id)).toEqual([jobId]);

    const now = await call('POST', `/api/schedules/${s.id}/run`);
    expect(now.status).toBe(409);
    expect(now.body.error.code).toBe('CONFLICT');
    expect(now.body.error.message).toContain(jobId);
    expect((await jobsOfSchedule(s.id, 'overlapping')).map((j) => j.id)).toEqual([jobId]);

    // Once the job has finished, run now starts the next one (paused first, so no tick takes the slot).
    await pause(s.id);
    await settle();
    await worker.run(jobId, 'SUCCEEDED');
    const manual = await call('POST', `/api/schedules/${s.id}/run`);
    expect(manual.status).toBe(202);
    expect(manual.body).toMatchObject({ outcome: 'started', manual: true, jobId: expect.any(String), at: expect.any(String) });
    expect(manual.body.jobId).not.toBe(jobId);
    expect((await call('GET', `/api/jobs/${manual.body.jobId}`)).body).toMatchObject({ scheduleId: s.id, state: 'QUEUED' });
    expect((await runsOf(s.id))[0]).toEqual(manual.body);
  });

  it('run now, pressed several times at once, starts one job; the others are 409', async () => {
    const s = await createSchedule({ itemId: 'overlapping', inputs: {}, cron: '0 9 * * *', enabled: false });
    const presses = await Promise.all(Array.from({ length: 5 }, () => call('POST', `/api/schedules/${s.id}/run`)));
    expect(presses.map((r) => r.status).sort()).toEqual([202, 409, 409, 409, 409]);
    const jobs = await jobsOfSchedule(s.id, 'overlapping');
    expect(jobs.map((j) => j.id)).toEqual([presses.find((r) => r.status === 202)!.body.jobId]);
    await worker.run(jobs[0]!.id, 'CANCELLED');
  });

  // The overlap rule remembers the last job apart from the runs kept (50): refused "run now" presses record
  // skipped runs like ticks do, which makes it quick to push the job out of that list.
  it('still refuses to overlap after more than 50 skipped runs of a job that stays QUEUED', async () => {
    const s = await createSchedule({ itemId: 'overlapping', inputs: {}, cron: '0 9 * * *', enabled: false });
    const first = await call('POST', `/api/schedules/${s.id}/run`);
    expect(first.status).toBe(202);
    try {
      const statuses: number[] = [];
      for (let i = 0; i < 55; i++) statuses.push((await call('POST', `/api/schedules/${s.id}/run`)).status);
      expect((await call('GET', `/api/jobs/${first.body.jobId}`)).body.state).toBe('QUEUED');
      expect(statuses).toEqual(Array(55).fill(409));
      expect((await jobsOfSchedule(s.id, 'overlapping')).map((j) => j.id)).toEqual([first.body.jobId]);
    } finally {
      for (const job of await jobsOfSchedule(s.id, 'overlapping')) await worker.run(job.id, 'CANCELLED');
    }
  });

  it('with two API processes consuming the same data, each tick starts exactly one job', async () => {
    const stopWorker = drain('paired');
    const s = await createSchedule({ itemId: 'paired', inputs: {}, cron: everySecond });
    // The second API starts after the schedule exists, as on a restart or a scale-out: its start-up re-asserts the timetable.
    const second = await startShelfApi({ redisPrefix: api.prefix, minScheduleSeconds: 1 });
    try {
      await eventually('six started runs', () => runsOf(s.id), (rs) => rs.filter((r) => r.outcome === 'started').length >= 6, 30_000);
      await pause(s.id);
      await settle();
    } finally {
      await stopWorker();
      await second.stop();
    }
    const runs = await runsOf(s.id);
    const started = runs.filter((r) => r.outcome === 'started');
    const jobs = await jobsOfSchedule(s.id, 'paired');
    expect(jobs.length).toBe(started.length);
    expect(new Set(started.map((r) => r.jobId))).toEqual(new Set(jobs.map((j) => j.id)));
    const seconds = started.map((r) => r.at.slice(0, 19));
    expect(new Set(seconds).size).toBe(seconds.length);
  });
});

describe('a schedule whose owner may no longer run the item', () => {
  /** A fresh runner of `name` with a token, and their user id. */
  async function owner(name: string): Promise<{ headers: Record<string, string>; id: string }> {
    const headers = await apiClient(api.url).userWithToken(name, 'runner');
    return { headers, id: (await api.auth.users.byUsername(name))!.id };
  }

  /** Waits for the schedule to stop itself, then checks it starts nothing more. */
  async function expectStopped(s: Schedule, itemId: string): Promise<Schedule> {
    const stopped = await eventually('the schedule to stop', () => scheduleOf(s.id), (v) => v.enabled === false);
    expect(stopped.nextRuns).toEqual([]);
    const failed = (await runsOf(s.id)).find((r) => r.outcome === 'failed');
    expect(failed?.reason).toContain(stopped.stoppedReason);
    await settle();
    const jobs = (await jobsOfSchedule(s.id, itemId)).length;
    const runs = (await runsOf(s.id)).length;
    await sleep(3000);
    expect((await jobsOfSchedule(s.id, itemId)).length).toBe(jobs);
    expect((await runsOf(s.id)).length).toBe(runs);
    return stopped;
  }

  it('stops when the owner is disabled, saying so; re-enabled by an admin once the owner is back, it runs again', async () => {
    const olga = await owner('olga');
    const stopWorker = drain('owned');
    try {
      const s = await createSchedule({ itemId: 'owned', inputs: {}, cron: everySecond }, olga.headers);
      await eventually('a started run', () => runsOf(s.id), (rs) => rs.some((r) => r.outcome === 'started'));
      expect((await call('PATCH', `/api/users/${olga.id}`, { disabled: true }, asAdmin)).status).toBe(200);
      const stopped = await expectStopped(s, 'owned');
      expect(stopped.stoppedReason).toMatch(/olga/);
      expect(stopped.stoppedReason).toMatch(/disabled/);

      expect((await call('PATCH', `/api/users/${olga.id}`, { disabled: false }, asAdmin)).status).toBe(200);
      const before = (await jobsOfSchedule(s.id, 'owned')).length;
      const resumed = await call('PATCH', `/api/schedules/${s.id}`, { enabled: true }, asAdmin);
      expect(resumed.body).toMatchObject({ enabled: true, stoppedReason: null });
      const jobs = await eventually('a job after resuming', () => jobsOfSchedule(s.id, 'owned'), (js) => js.length > before);
      expect(jobs[0]!.submittedBy).toMatchObject({ username: 'olga' });
    } finally {
      await stopWorker();
    }
  });

  it('stops when the owner\'s role is lowered to viewer', async () => {
    const rolf = await owner('rolf');
    const stopWorker = drain('demoted');
    try {
      const s = await createSchedule({ itemId: 'demoted', inputs: {}, cron: everySecond }, rolf.headers);
      await eventually('a started run', () => runsOf(s.id), (rs) => rs.some((r) => r.outcome === 'started'));
      expect((await call('PATCH', `/api/users/${rolf.id}`, { role: 'viewer' }, asAdmin)).status).toBe(200);
      const stopped = await expectStopped(s, 'demoted');
      expect(stopped.stoppedReason).toMatch(/rolf/);
    } finally {
      await stopWorker();
    }
  });

  it('stops when a new latest version no longer lets the owner run the item', async () => {
    const gina = await owner('gina');
    const stopWorker = drain('guarded');
    try {
      const s = await createSchedule({ itemId: 'guarded', inputs: {}, cron: everySecond }, gina.headers);
      await eventually('a started run', () => runsOf(s.id), (rs) => rs.some((r) => r.outcome === 'started'));
      await publish(api, 'guarded', { version: '2.0.0', extra: 'access:\n  run: ["user:bob"]' });
      const stopped = await expectStopped(s, 'guarded');
      expect(stopped.stoppedReason).toMatch(/gina/);
      expect(stopped.stoppedReason).toContain('guarded');
    } finally {
      await stopWorker();
    }
  });
});

describe('a new latest version whose schema rejects the stored inputs', () => {
  it('records each run as failed naming the input, and keeps the schedule enabled', async () => {
    const stopWorker = drain('evolving');
    try {
      const s = await createSchedule({ itemId: 'evolving', inputs: { count: 3 }, cron: everySecond });
      await eventually('a started run', () => runsOf(s.id), (rs) => rs.some((r) => r.outcome === 'started'));
      await publish(api, 'evolving', { version: '2.0.0', schema: countSchema('string') });
      const runs = await eventually('two failed runs', () => runsOf(s.id), (rs) => rs.filter((r) => r.outcome === 'failed').length >= 2);
      for (const failed of runs.filter((r) => r.outcome === 'failed')) expect(failed.reason).toContain('/count');
      const now = await scheduleOf(s.id);
      expect(now).toMatchObject({ enabled: true, stoppedReason: null, lastRun: { outcome: 'failed' } });
      expect(now.nextRuns).toHaveLength(5);
      // Every job it started ran v1: none was started for v2.
      await pause(s.id);
      await settle();
      const jobs = await jobsOfSchedule(s.id, 'evolving');
      expect(jobs.length).toBe((await runsOf(s.id)).filter((r) => r.outcome === 'started').length);
      expect(jobs.every((j) => j.version === '1.0.0')).toBe(true);
    } finally {
      await stopWorker();
    }
  });
});

describe('who sees a schedule', () => {
  it('its owner and admins; another runner or a viewer gets 404 on every route and does not see it listed', async () => {
    const alices = await createSchedule({ itemId: 'private', inputs: { count: 5 }, cron: '0 9 * * *', enabled: false });
    const bobs = await createSchedule({ itemId: 'private', inputs: {}, cron: '0 10 * * *', enabled: false }, users.bob);
    for (const who of [users.bob, users.vera]) {
      for (const [method, p, body] of [
        ['GET', `/api/schedules/${alices.id}`, undefined],
        ['GET', `/api/schedules/${alices.id}/runs`, undefined],
        ['PATCH', `/api/schedules/${alices.id}`, { name: 'taken over' }],
        ['DELETE', `/api/schedules/${alices.id}`, undefined],
        ['POST', `/api/schedules/${alices.id}/run`, undefined],
      ] as const) {
        const res = await call(method, p, body, who);
        // A viewer is refused by role on the routes that change things (403 naming the role, not the schedule).
        const wanted = who === users.vera && method !== 'GET' ? 403 : 404;
        expect(res.status, `${method} ${p}`).toBe(wanted);
      }
    }
    expect((await call('GET', '/api/schedules', undefined, users.bob)).body.items.map((s: Schedule) => s.id)).toEqual([bobs.id]);
    expect((await call('GET', '/api/schedules', undefined, users.vera)).body.items).toEqual([]);
    expect((await call('GET', '/api/schedules', undefined, users.alice)).body.items.map((s: Schedule) => s.id)).toEqual([alices.id]);
    expect((await call('GET', '/api/schedules', undefined, asAdmin)).body.items.map((s: Schedule) => s.id).sort()).toEqual([alices.id, bobs.id].sort());
    // Untouched: still there, not renamed, never run.
    const still = await call('GET', `/api/schedules/${alices.id}`);
    expect(still.status).toBe(200);
    expect(still.body).toMatchObject({ name: alices.name, lastRun: null });
    expect(await runsOf(alices.id)).toEqual([]);
    // An admin may act on anyone's.
    expect((await call('PATCH', `/api/schedules/${bobs.id}`, { name: 'renamed by admin' }, asAdmin)).body.name).toBe('renamed by admin');
  });
});

describe('a schedule with a secret input', () => {
  it('masks it in every answer, seals it at rest, hands the original to its jobs, and keeps it when sent back masked', async () => {
    const s = await createSchedule({ itemId: 'secret-sched', inputs: { token: secretValue, note: 'first' }, cron: '0 9 * * *', enabled: false });
    expect(s.inputs).toEqual({ token: SECRET_MASK, note: 'first' });
    expect((await call('GET', `/api/schedules/${s.id}`)).body.inputs).toEqual({ token: SECRET_MASK, note: 'first' });
    expect((await call('GET', '/api/schedules')).body.items[0].inputs).toEqual({ token: SECRET_MASK, note: 'first' });
    const stored = await api.redis.hget(api.catalog.keys.schedules, s.id);
    expect(stored).toContain(s.id);
    expect(stored).not.toContain(secretValue);
    const sealed = await api.redis.get(api.catalog.keys.scheduleSecrets(s.id));
    expect(sealed).toBeTruthy();
    expect(sealed).not.toContain(secretValue);

    const first = await call('POST', `/api/schedules/${s.id}/run`);
    expect(first.status).toBe(202);
    expect(await api.jobs!.records.secretInputs(first.body.jobId)).toEqual({ '/token': secretValue });
    expect((await call('GET', `/api/jobs/${first.body.jobId}`)).body).toMatchObject({ scheduleId: s.id, inputs: { token: SECRET_MASK, note: 'first', size: 'S' } });
    await worker.run(first.body.jobId, 'SUCCEEDED');

    const kept = await call('PATCH', `/api/schedules/${s.id}`, { inputs: { token: SECRET_MASK, note: 'second' } });
    expect(kept.status).toBe(200);
    expect(kept.body.inputs).toEqual({ token: SECRET_MASK, note: 'second' });
    const second = await call('POST', `/api/schedules/${s.id}/run`);
    expect(second.status).toBe(202);
    expect(await api.jobs!.records.secretInputs(second.body.jobId)).toEqual({ '/token': secretValue });
    expect((await call('GET', `/api/jobs/${second.body.jobId}`)).body.inputs).toEqual({ token: SECRET_MASK, note: 'second', size: 'S' });
    await worker.run(second.body.jobId, 'SUCCEEDED');

    // A change of something else (the version) keeps it too; a new value replaces it.
    expect((await call('PATCH', `/api/schedules/${s.id}`, { version: '1.0.0' })).status).toBe(200);
    const third = await call('POST', `/api/schedules/${s.id}/run`);
    expect(await api.jobs!.records.secretInputs(third.body.jobId)).toEqual({ '/token': secretValue });
    await worker.run(third.body.jobId, 'SUCCEEDED');
    expect((await call('PATCH', `/api/schedules/${s.id}`, { inputs: { token: rotatedValue, note: 'third' } })).status).toBe(200);
    const fourth = await call('POST', `/api/schedules/${s.id}/run`);
    expect(await api.jobs!.records.secretInputs(fourth.body.jobId)).toEqual({ '/token': rotatedValue });
    expect(await api.redis.hget(api.catalog.keys.schedules, s.id)).not.toContain(rotatedValue);

    expect(answers.filter((a) => a.includes(secretValue) || a.includes(rotatedValue))).toEqual([]);
  });
});

describe('the dry run, POST /api/jobs/validate', () => {
  /** The job keys under the test's prefix. */
  const jobKeys = async () => (await api.redis.keys(`${api.prefix}:job:*`)).sort();

  it('answers 200 with the defaults applied and the secret masked, storing nothing', async () => {
    const keysBefore = await jobKeys();
    const totalBefore = (await call('GET', '/api/jobs?itemId=dry-run', undefined, asAdmin)).body.total;
    const res = await call('POST', '/api/jobs/validate', { itemId: 'dry-run', inputs: { token: secretValue, note: 'checked' } });
    expect(res.status).toBe(200);
    expect(res.body).toEqual({ itemId: 'dry-run', version: '1.0.0', inputs: { token: SECRET_MASK, note: 'checked', size: 'S' } });
    expect(JSON.stringify(res.body)).not.toContain(secretValue);
    expect((await call('GET', '/api/jobs?itemId=dry-run', undefined, asAdmin)).body.total).toBe(totalBefore);
    expect(await jobKeys()).toEqual(keysBefore);
  });

  it.each([
    ['a value of the wrong type', { token: secretValue, size: 'XL' }],
    ['a missing required input', { note: 'no token' }],
    ['an input the schema does not know', { token: secretValue, colour: 'red' }],
  ])('answers %s with the same 422 as POST /api/jobs, storing nothing', async (_, inputs) => {
    const keysBefore = await jobKeys();
    const dry = await call('POST', '/api/jobs/validate', { itemId: 'dry-run', inputs });
    const real = await call('POST', '/api/jobs', { itemId: 'dry-run', inputs });
    expect(dry.status).toBe(422);
    expect(real.status).toBe(422);
    expect(dry.body).toEqual(real.body);
    expect(dry.body.error.details.problems.length).toBeGreaterThan(0);
    expect(await jobKeys()).toEqual(keysBefore);
  });

  it('refuses a viewer, as a submission would', async () => {
    expect((await call('POST', '/api/jobs/validate', { itemId: 'dry-run', inputs: { token: secretValue } }, users.vera)).status).toBe(403);
  });
});

describe('"run again with changes": rerunOf', () => {
  it('links a new job to an earlier job of the same item the caller may see; anything else is 422 on /rerunOf', async () => {
    const submit = (body: Record<string, unknown>, who = users.alice) => call('POST', '/api/jobs', body, who);
    const original = await submit({ itemId: 'daily', inputs: { count: 1 } });
    expect(original.status).toBe(202);
    const otherItems = await submit({ itemId: 'other-item', inputs: {} });
    const bobs = await submit({ itemId: 'daily', inputs: {} }, users.bob);

    const again = await submit({ itemId: 'daily', inputs: { count: 2 }, rerunOf: original.body.id });
    expect(again.status).toBe(202);
    expect((await call('GET', `/api/jobs/${again.body.id}`)).body).toMatchObject({ rerunOf: original.body.id, inputs: { count: 2 } });
    expect((await jobsOfItem('daily')).find((j) => j.id === again.body.id)?.rerunOf).toBe(original.body.id);
    expect((await call('GET', `/api/jobs/${original.body.id}`)).body.rerunOf).toBeUndefined();

    const before = (await jobsOfItem('daily')).length;
    for (const rerunOf of [otherItems.body.id, '0'.repeat(32), bobs.body.id]) {
      const res = await submit({ itemId: 'daily', inputs: {}, rerunOf });
      expect(res.status, rerunOf).toBe(422);
      expect(problemPaths(res)).toEqual(['/rerunOf']);
    }
    expect((await jobsOfItem('daily')).length).toBe(before);
  });
});

describe('presets', () => {
  const presets = async (who: Record<string, string>): Promise<Preset[]> => (await call('GET', '/api/catalog/preset-item/presets', undefined, who)).body.items;

  it('saves (201), replaces by name (200), drops secret inputs, shares only shared ones with those who may run the item, deletes by owner only', async () => {
    const saved = await call('POST', '/api/catalog/preset-item/presets', { name: 'staging', inputs: { size: 'M', token: presetSecret, note: 'stage' } });
    expect(saved.status).toBe(201);
    expect(saved.body).toMatchObject({ itemId: 'preset-item', name: 'staging', inputs: { size: 'M', note: 'stage' }, shared: false, owner: { username: 'alice' } });
    expect(saved.body.inputs).not.toHaveProperty('token');

    const replaced = await call('POST', '/api/catalog/preset-item/presets', { name: 'staging', inputs: { size: 'L' } });
    expect(replaced.status).toBe(200);
    expect(replaced.body).toMatchObject({ id: saved.body.id, inputs: { size: 'L' }, createdAt: saved.body.createdAt });
    expect((await presets(users.alice)).map((p) => [p.name, p.inputs])).toEqual([['staging', { size: 'L' }]]);

    const shared = await call('POST', '/api/catalog/preset-item/presets', { name: 'production', inputs: { size: 'S', token: presetSecret }, shared: true });
    expect(shared.status).toBe(201);
    expect(shared.body.inputs).toEqual({ size: 'S' });
    const stored = Object.values(await api.redis.hgetall(api.catalog.keys.presets('preset-item'))).join('\n');
    expect(stored).not.toContain(presetSecret);

    expect((await presets(users.bob)).map((p) => p.name)).toEqual(['production']);
    expect((await presets(users.vera)).map((p) => p.name)).toEqual([]);
    expect((await presets(asAdmin)).map((p) => p.name).sort()).toEqual(['production', 'staging']);

    for (const id of [shared.body.id, saved.body.id]) {
      expect((await call('DELETE', `/api/catalog/preset-item/presets/${id}`, undefined, users.bob)).status).toBe(404);
    }
    expect((await presets(users.alice)).map((p) => p.name).sort()).toEqual(['production', 'staging']);
    expect((await call('DELETE', `/api/catalog/preset-item/presets/${shared.body.id}`)).status).toBe(204);
    expect((await presets(users.bob)).map((p) => p.name)).toEqual([]);
    expect((await presets(users.alice)).map((p) => p.name)).toEqual(['staging']);
    expect((await call('DELETE', `/api/catalog/preset-item/presets/${shared.body.id}`)).status).toBe(404);
    expect((await call('DELETE', `/api/catalog/preset-item/presets/${saved.body.id}`, undefined, asAdmin)).status).toBe(204);
    expect(await presets(users.alice)).toEqual([]);
    expect(answers.filter((a) => a.includes(presetSecret))).toEqual([]);
  });
});
