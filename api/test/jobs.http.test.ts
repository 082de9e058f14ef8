// The worker's side (state changes, log lines) is played by FakeWorker, which records them through
// the records package's RunRecorder as the worker does; the real worker has its own tests with Docker.
import { readFile } from 'node:fs/promises';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { Redis } from 'ioredis';
import { followKillRequests } from '@shelf/records';
import { FakeWorker } from './helpers/fakeWorker.js';
import { redisUrl, request, startJobsApi, type JobsHarness } from './helpers/jobsHarness.js';

const schema = JSON.stringify({
  type: 'object',
  additionalProperties: false,
  required: ['name'],
  properties: {
    name: { type: 'string', minLength: 1, pattern: '^[A-Za-z ]+$' },
    greeting: { type: 'string', default: 'hello' },
    count: { type: 'integer', minimum: 1, maximum: 10, default: 3 },
    options: { type: 'object', properties: { loud: { type: 'boolean', default: false } }, default: {} },
  },
});

const manifest = (version: string, extra = '') =>
  [
    'id: greeter',
    'name: Greeter',
    `version: ${version}`,
    'runtime:',
    '  image: shelf/runtime-shell:1',
    '  command: ["bash", "main.sh"]',
    extra,
    '',
  ].join('\n');

let h: JobsHarness;
let worker: FakeWorker;
let digest100: string;

beforeAll(async () => {
  h = await startJobsApi();
  worker = new FakeWorker(h.redis, h.catalog.keys);
  digest100 = (await h.importItem({ manifest: manifest('1.0.0'), schema })).digest;
});
afterAll(async () => {
  await h?.close();
});

const post = (path: string, body?: unknown) => request('POST', `${h.url}${path}`, body);
const get = (path: string) => request('GET', `${h.url}${path}`);

async function enqueue(inputs: Record<string, unknown> = { name: 'Ada' }): Promise<string> {
  const res = await post('/api/jobs', { itemId: 'greeter', inputs });
  expect(res.status).toBe(202);
  return res.body.id as string;
}

describe('POST /api/jobs', () => {
  it('queues a job with the defaults applied, the digest pinned and the default limits', async () => {
    const res = await post('/api/jobs', { itemId: 'greeter', inputs: { name: 'Ada' } });
    expect(res.status).toBe(202);
    expect(res.body.id).toMatch(/^[0-9a-f]{32}$/);

    const job = (await get(`/api/jobs/${res.body.id}`)).body;
    expect(job).toMatchObject({
      id: res.body.id,
      itemId: 'greeter',
      itemName: 'Greeter',
      version: '1.0.0',
      state: 'QUEUED',
      digest: digest100,
      progress: { percent: 0, message: '' },
      startedAt: null,
      finishedAt: null,
      error: null,
      retryOf: null,
      exitCode: null,
      outputs: null,
      limits: { memoryBytes: 256 * 1024 * 1024, cpus: 0.5, pids: 128, timeoutSeconds: 300 },
    });
    expect(job.inputs).toEqual({ name: 'Ada', greeting: 'hello', count: 3, options: { loud: false } });

    const queued = await h.jobs.queues.getJob(res.body.id);
    expect(queued?.name).toBe('run');
    expect(queued?.data).toEqual({ jobId: res.body.id, itemId: 'greeter', version: '1.0.0', digest: digest100 });
    expect(queued?.opts.attempts).toBe(3);
    expect(queued?.opts.backoff).toEqual({ type: 'exponential', delay: 2000 });
  });

  it('answers 422 naming every bad field', async () => {
    const res = await post('/api/jobs', { itemId: 'greeter', inputs: { count: 50, colour: 'red', options: { loud: 'yes' } } });
    expect(res.status).toBe(422);
    expect(res.body.error.code).toBe('VALIDATION_FAILED');
    const problems = res.body.error.details.problems as { file: string; path: string; message: string }[];
    expect(problems.every((p) => p.file === 'inputs')).toBe(true);
    expect(problems.map((p) => p.path).sort()).toEqual(['/colour', '/count', '/name', '/options/loud']);
    // contract's sentences (the form shows the same), naming a field without a title by its name.
    expect(Object.fromEntries(problems.map((p) => [p.path, p.message]))).toEqual({
      '/name': 'name is required',
      '/count': 'count must be at most 10',
      '/colour': 'unknown field "colour"',
      '/options/loud': 'loud must be true or false',
    });
  });

  it("fills defaults before judging the branches they select (provision-database: backups → retention)", async () => {
    const schema = await readFile(new URL('../../catalog-examples/provision-database/schema.json', import.meta.url), 'utf8');
    await h.importItem({ manifest: manifest('1.0.0').replace('id: greeter', 'id: provision-defaults'), schema });
    const inputs = { name: 'orders', team: 'payments', ownerEmail: 'lead@example.com', ownerPassword: 'correct horse battery' };
    const res = await post('/api/jobs/validate', { itemId: 'provision-defaults', inputs });
    expect(res.status, JSON.stringify(res.body)).toBe(200);
    expect(res.body.inputs).toMatchObject({ environment: 'dev', backups: true, retentionDays: 7, backupWindow: '02:00-03:00' });
    const prod = await post('/api/jobs/validate', { itemId: 'provision-defaults', inputs: { ...inputs, environment: 'prod', retentionDays: 3 } });
    expect(prod.status).toBe(422);
    expect(prod.body.error.details.problems).toEqual([{ file: 'inputs', path: '/retentionDays', message: 'Backup retention (days) must be at least 7' }]);
  });

  it('checks patterns and refuses oversized strings before any regex runs', async () => {
    const bad = await post('/api/jobs', { itemId: 'greeter', inputs: { name: 'Ada!' } });
    expect(bad.status).toBe(422);
    expect(bad.body.error.details.problems[0].path).toBe('/name');

    const huge = await post('/api/jobs', { itemId: 'greeter', inputs: { name: 'a'.repeat(70_000) } });
    expect(huge.status).toBe(422);
    expect(huge.body.error.details.problems).toEqual([{ file: 'inputs', path: '/name', message: expect.stringContaining('longer than') }]);
  });

  it('answers 404 for an unknown item or version', async () => {
    expect((await post('/api/jobs', { itemId: 'nope', inputs: {} })).status).toBe(404);
    const res = await post('/api/jobs', { itemId: 'greeter', version: '9.9.9', inputs: { name: 'Ada' } });
    expect(res.status).toBe(404);
    expect(res.body.error.code).toBe('NOT_FOUND');
  });

  it('answers 400 for a malformed body', async () => {
    for (const body of [{ itemId: 5 }, { itemId: 'greeter', inputs: [1] }, { itemId: 'greeter', input: {} }, {}, '{"itemId":']) {
      const res = await post('/api/jobs', body);
      expect(res.status, JSON.stringify(body)).toBe(400);
      expect(res.body.error.code).toBe('BAD_REQUEST');
    }
  });

  it('keeps the pinned digest when a later version is published', async () => {
    const id = await enqueue();
    const v2 = await h.importItem({ manifest: manifest('1.1.0', 'timeout: 7200\nresources: { memory: 2Gi, cpus: 4, pids: 64 }'), schema });
    expect(v2.digest).not.toBe(digest100);

    expect((await get(`/api/jobs/${id}`)).body).toMatchObject({ version: '1.0.0', digest: digest100 });
    const later = (await get(`/api/jobs/${await enqueue()}`)).body;
    expect(later).toMatchObject({ version: '1.1.0', digest: v2.digest });
    // Asked for more than the server allows: capped, and the job shows what was applied.
    expect(later.limits).toEqual({ memoryBytes: 512 * 1024 * 1024, cpus: 1, pids: 64, timeoutSeconds: 3600 });

    const pinned = await post('/api/jobs', { itemId: 'greeter', version: '1.0.0', inputs: { name: 'Ada' } });
    expect((await get(`/api/jobs/${pinned.body.id}`)).body.digest).toBe(digest100);
  });
});

describe('GET /api/jobs/:id', () => {
  it('answers 404 for unknown or malformed ids', async () => {
    expect((await get('/api/jobs/0123456789abcdef0123456789abcdef')).status).toBe(404);
    expect((await get('/api/jobs/not-an-id')).status).toBe(404);
  });
});

describe('POST /api/jobs/:id/retry', () => {
  it('retries a failed job with the same digest, version, inputs and limits', async () => {
    const id = await enqueue({ name: 'Grace', count: 7 });
    await worker.run(id, 'FAILED');
    const res = await post(`/api/jobs/${id}/retry`);
    expect(res.status).toBe(202);
    expect(res.body.id).not.toBe(id);
    const [before, after] = [(await get(`/api/jobs/${id}`)).body, (await get(`/api/jobs/${res.body.id}`)).body];
    expect(after).toMatchObject({ state: 'QUEUED', retryOf: id, error: null, startedAt: null });
    for (const field of ['itemId', 'itemName', 'version', 'digest', 'inputs', 'limits']) expect(after[field]).toEqual(before[field]);
    expect((await h.jobs.queues.getJob(res.body.id))?.data.digest).toBe(before.digest);
  });

  it('retries a cancelled job', async () => {
    const id = await enqueue();
    expect((await post(`/api/jobs/${id}/cancel`)).status).toBe(200);
    expect((await post(`/api/jobs/${id}/retry`)).status).toBe(202);
  });

  it('refuses queued, running and succeeded jobs with 409, unknown ones with 404', async () => {
    const queued = await enqueue();
    const running = await enqueue();
    await worker.start(running);
    const succeeded = await enqueue();
    await worker.run(succeeded, 'SUCCEEDED');
    for (const id of [queued, running, succeeded]) {
      const res = await post(`/api/jobs/${id}/retry`);
      expect(res.status).toBe(409);
      expect(res.body.error.code).toBe('CONFLICT');
    }
    expect((await post('/api/jobs/0123456789abcdef0123456789abcdef/retry')).status).toBe(404);
  });
});

describe('POST /api/jobs/:id/cancel', () => {
  it('cancels a queued job and takes it off the BullMQ queue', async () => {
    const id = await enqueue();
    expect(await h.jobs.queues.getJob(id)).toBeDefined();
    const res = await post(`/api/jobs/${id}/cancel`);
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ id, state: 'CANCELLED', error: { code: 'CANCELLED', message: 'cancelled by admin-token' } });
    expect(res.body.finishedAt).toEqual(expect.any(String));
    expect(await h.jobs.queues.getJob(id)).toBeUndefined();
    const listed = async (state: string) => (await get(`/api/jobs?state=${state}&q=${id}`)).body.items.map((j: { id: string }) => j.id);
    expect(await listed('CANCELLED')).toEqual([id]);
    expect(await listed('QUEUED')).toEqual([]);
  });

  it('cancels a running job and tells the workers to kill its container', async () => {
    const id = await enqueue();
    await worker.start(id);
    const listener = new Redis(redisUrl);
    const kills: string[] = [];
    await followKillRequests(listener, h.catalog.keys, (jobId) => kills.push(jobId));
    try {
      const res = await post(`/api/jobs/${id}/cancel`);
      expect(res.status).toBe(200);
      expect(res.body.state).toBe('CANCELLED');
      await vi.waitFor(() => expect(kills).toEqual([id]));
      // The worker's own transition to FAILED after the kill finds the job cancelled and changes nothing.
      expect(await worker.finish(id, 'FAILED')).toBe(false);
      expect((await get(`/api/jobs/${id}`)).body.state).toBe('CANCELLED');
    } finally {
      listener.disconnect();
    }
  });

  it('answers 409 for a finished job and 404 for an unknown one', async () => {
    const id = await enqueue();
    await worker.run(id, 'SUCCEEDED');
    expect((await post(`/api/jobs/${id}/cancel`)).status).toBe(409);
    const cancelled = await enqueue();
    await post(`/api/jobs/${cancelled}/cancel`);
    expect((await post(`/api/jobs/${cancelled}/cancel`)).status).toBe(409);
    expect((await post('/api/jobs/0123456789abcdef0123456789abcdef/cancel')).status).toBe(404);
  });
});

describe('GET /api/jobs/:id/logs', () => {
  it('pages through lines after N', async () => {
    const id = await enqueue();
    await worker.start(id);
    await worker.log(id, [
      ['stdout', 'one'],
      ['stderr', 'two'],
    ]);
    await worker.logNumbered(id, 3, 10);

    const all = (await get(`/api/jobs/${id}/logs`)).body;
    expect(all.items).toHaveLength(12);
    expect(all.items[0]).toEqual({ seq: 1, ts: expect.any(String), stream: 'stdout', line: 'one' });
    expect(all.items[1]).toMatchObject({ seq: 2, stream: 'stderr', line: 'two' });
    expect(all.next).toBe(12);

    const rest = (await get(`/api/jobs/${id}/logs?after=5`)).body;
    expect(rest.items.map((l: { seq: number }) => l.seq)).toEqual([6, 7, 8, 9, 10, 11, 12]);
    expect(rest.items[0].line).toBe('line 6');
    expect((await get(`/api/jobs/${id}/logs?after=12`)).body).toEqual({ items: [], next: 12 });
  });

  it('bounds a page at 5,000 lines and continues from next', async () => {
    const id = await enqueue();
    await worker.start(id);
    for (let i = 0; i < 6; i++) await worker.logNumbered(id, i * 1000 + 1, 1000);
    const first = (await get(`/api/jobs/${id}/logs?after=0`)).body;
    expect(first.items).toHaveLength(5000);
    expect(first.next).toBe(5000);
    const second = (await get(`/api/jobs/${id}/logs?after=${first.next}`)).body;
    expect(second.items).toHaveLength(1000);
    expect(second.items[0]).toMatchObject({ seq: 5001, line: 'line 5001' });
    expect(second.next).toBe(6000);
  });

  it('answers the last lines with ?tail=N, of one stream with &stream=, to follow on from next', async () => {
    const id = await enqueue();
    await worker.start(id);
    await worker.log(id, [
      ['stderr', 'connecting'],
      ['stderr', 'retry 1'],
      ['stdout', 'waiting'],
      ['stderr', 'retry 2'],
    ]);
    await worker.logNumbered(id, 5, 600);
    await worker.log(id, [['stderr', 'fatal: cannot reach db']]);

    const last = (await get(`/api/jobs/${id}/logs?tail=2`)).body;
    expect(last.items).toEqual([expect.objectContaining({ seq: 604, line: 'line 604' }), expect.objectContaining({ seq: 605, stream: 'stderr', line: 'fatal: cannot reach db' })]);
    expect(last.next).toBe(605);
    // Found across read windows: the earlier stderr lines are 600 stdout lines back.
    const stderr = (await get(`/api/jobs/${id}/logs?tail=3&stream=stderr`)).body;
    expect(stderr.items.map((l: { seq: number; line: string }) => [l.seq, l.line])).toEqual([
      [2, 'retry 1'],
      [4, 'retry 2'],
      [605, 'fatal: cannot reach db'],
    ]);
    expect(stderr.next).toBe(605);
    expect((await get(`/api/jobs/${id}/logs?tail=50&stream=system`)).body).toEqual({ items: [], next: 605 });
    const empty = await enqueue();
    expect((await get(`/api/jobs/${empty}/logs?tail=5&stream=stderr`)).body).toEqual({ items: [], next: 0 });
  });

  it('answers 400 for a bad tail or a stream without tail', async () => {
    const id = await enqueue();
    for (const query of ['tail=0', 'tail=101', 'tail=x', 'tail=5&stream=nope', 'stream=stderr']) {
      expect((await get(`/api/jobs/${id}/logs?${query}`)).status, query).toBe(400);
    }
  });

  it('answers 400 for a bad after and 404 for an unknown job', async () => {
    const id = await enqueue();
    expect((await get(`/api/jobs/${id}/logs?after=-1`)).status).toBe(400);
    expect((await get(`/api/jobs/${id}/logs?after=abc`)).status).toBe(400);
    expect((await get('/api/jobs/0123456789abcdef0123456789abcdef/logs')).status).toBe(404);
  });
});
