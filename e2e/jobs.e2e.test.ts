import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import type { JobDetail, JobSummary, ServerMessage } from '@shelf/contract';
import { asAdmin, startShelf, type RunningShelf } from './shelfProcess.js';

// The real thing end to end: API and worker as separate processes, real Redis, real Docker
// containers from the runtime images, observed the way a user's tools would see it.

let shelf: RunningShelf;
beforeAll(async () => {
  shelf = await startShelf();
}, 90_000);
afterAll(async () => {
  await shelf?.stop();
}, 60_000);

async function post(path: string, body: unknown = {}) {
  const res = await fetch(`${shelf.url}${path}`, { method: 'POST', headers: { 'content-type': 'application/json', ...asAdmin }, body: JSON.stringify(body) });
  return { status: res.status, body: (await res.json()) as any };
}
async function get<T = any>(path: string): Promise<T> {
  return (await (await fetch(`${shelf.url}${path}`, { headers: asAdmin })).json()) as T;
}

/** A WebSocket client that records every message. */
async function watch(): Promise<{ ws: WebSocket; messages: ServerMessage[]; until: (p: (m: ServerMessage[]) => boolean, ms?: number) => Promise<void> }> {
  const ws = new WebSocket(`${shelf.url.replace('http', 'ws')}/ws/jobs`, { headers: asAdmin });
  const messages: ServerMessage[] = [];
  ws.on('message', (d) => messages.push(JSON.parse(d.toString()) as ServerMessage));
  await new Promise((resolve, reject) => (ws.once('open', resolve), ws.once('error', reject)));
  const until = async (p: (m: ServerMessage[]) => boolean, ms = 60_000) => {
    const deadline = Date.now() + ms;
    while (!p(messages)) {
      if (Date.now() > deadline) throw new Error(`timed out; got ${JSON.stringify(messages.slice(-5))}\n${shelf.output()}`);
      await new Promise((r) => setTimeout(r, 100));
    }
  };
  return { ws, messages, until };
}

const jobEvents = (messages: ServerMessage[], id: string): JobSummary[] =>
  messages.flatMap((m) => (m.type === 'job' && m.job.id === id ? [m.job] : []));

describe('jobs end to end', () => {
  it('runs hello-world: QUEUED → RUNNING → SUCCEEDED live, with progress, every log line and outputs', async () => {
    const client = await watch();
    const submitted = await post('/api/jobs', { itemId: 'hello-world', inputs: { name: 'Ada', times: 3, delay: 0.2 } });
    expect(submitted.status).toBe(202);
    const id = submitted.body.id as string;
    client.ws.send(JSON.stringify({ subscribe: id, after: 0 }));
    await client.until((m) => jobEvents(m, id).some((j) => j.state === 'SUCCEEDED'));
    const states = jobEvents(client.messages, id).map((j) => j.state);
    expect(states[0]).toBe('QUEUED');
    expect(states.indexOf('RUNNING')).toBeGreaterThan(0);
    expect(states.indexOf('RUNNING')).toBeLessThan(states.indexOf('SUCCEEDED'));
    expect(jobEvents(client.messages, id).some((j) => j.progress.message === 'greeted 2 of 3')).toBe(true);

    await client.until((m) => m.some((x) => x.type === 'log' && x.line === 'done'));
    const lines = client.messages.flatMap((m) => (m.type === 'log' && m.jobId === id ? [m] : []));
    expect(lines.map((l) => l.seq)).toEqual(lines.map((_, i) => i + 1));
    expect(lines.map((l) => l.line)).toEqual(expect.arrayContaining(['[1/3] Hello, Ada!', '[3/3] Hello, Ada!']));
    expect(lines.some((l) => l.line.startsWith('::progress'))).toBe(false);
    client.ws.close();

    const job = await get<JobDetail>(`/api/jobs/${id}`);
    expect(job).toMatchObject({ state: 'SUCCEEDED', exitCode: 0, outputs: { greeting: 'Hello, Ada!', count: 3 }, itemName: 'Hello World' });
    expect(job.limits).toEqual({ memoryBytes: 64 * 1024 * 1024, cpus: 0.25, pids: 32, timeoutSeconds: 180 });
    expect(job.digest).toMatch(/^[a-f0-9]{64}$/);
  }, 90_000);

  it('runs the python and node examples: progress, logs and outputs over the WebSocket', async () => {
    const client = await watch();
    const csv = await post('/api/jobs', { itemId: 'csv-stats', inputs: { csv: 'team,cost\napi,10\nweb,30\n', delimiter: ',', hasHeader: true } });
    const skeleton = await post('/api/jobs', { itemId: 'service-skeleton', inputs: { name: 'billing-api', language: 'node', features: ['dockerfile'], license: 'MIT', port: 8080 } });
    expect([csv.status, skeleton.status]).toEqual([202, 202]);
    for (const id of [csv.body.id, skeleton.body.id]) client.ws.send(JSON.stringify({ subscribe: id, after: 0 }));
    const finished = (id: string) => (m: ServerMessage[]) => jobEvents(m, id).some((j) => ['SUCCEEDED', 'FAILED'].includes(j.state));
    await client.until(finished(csv.body.id));
    await client.until(finished(skeleton.body.id));
    for (const id of [csv.body.id, skeleton.body.id]) {
      const events = jobEvents(client.messages, id);
      expect(events.at(-1)!.state).toBe('SUCCEEDED');
      expect(events.at(-1)!.progress.percent).toBe(100);
      expect(events.some((j) => j.progress.message !== '')).toBe(true);
      await client.until((m) => m.some((x) => x.type === 'log' && x.jobId === id));
    }
    client.ws.close();
    const csvJob = await get<JobDetail>(`/api/jobs/${csv.body.id}`);
    expect(JSON.stringify(csvJob.outputs)).toContain('cost');
    const skeletonJob = await get<JobDetail>(`/api/jobs/${skeleton.body.id}`);
    expect(JSON.stringify(skeletonJob.outputs)).toContain('billing-api');
  }, 120_000);

  it('refuses bad inputs per field, cancels a running job and retries it', async () => {
    const bad = await post('/api/jobs', { itemId: 'hello-world', inputs: { name: 'Ada', times: 99 } });
    expect(bad.status).toBe(422);
    expect(bad.body.error.details.problems).toEqual([expect.objectContaining({ path: '/times' })]);
    expect((await post('/api/jobs', { itemId: 'no-such-item', inputs: {} })).status).toBe(404);

    const client = await watch();
    const slow = await post('/api/jobs', { itemId: 'hello-world', inputs: { name: 'Slow', times: 10, delay: 10 } });
    const id = slow.body.id as string;
    await client.until((m) => jobEvents(m, id).some((j) => j.state === 'RUNNING'));
    const cancelled = await post(`/api/jobs/${id}/cancel`);
    expect(cancelled.status).toBe(200);
    expect(cancelled.body.state).toBe('CANCELLED');
    expect((await post(`/api/jobs/${id}/cancel`)).status).toBe(409);

    // The container goes away: Docker no longer lists anything labelled with this job.
    const { execFileSync } = await import('node:child_process');
    for (let i = 0; i < 50; i++) {
      if (execFileSync('docker', ['ps', '-aq', '--filter', `label=shelf.job=${id}`]).toString().trim() === '') break;
      await new Promise((r) => setTimeout(r, 200));
    }
    expect(execFileSync('docker', ['ps', '-aq', '--filter', `label=shelf.job=${id}`]).toString().trim()).toBe('');

    const retried = await post(`/api/jobs/${id}/retry`);
    expect(retried.status).toBe(202);
    const retry = await get<JobDetail>(`/api/jobs/${retried.body.id}`);
    expect(retry).toMatchObject({ retryOf: id, digest: (await get<JobDetail>(`/api/jobs/${id}`)).digest, inputs: { name: 'Slow', times: 10, delay: 10 } });
    await post(`/api/jobs/${retried.body.id}/cancel`);

    const list = await get(`/api/jobs?state=CANCELLED&q=hello`);
    expect(list.items.map((j: JobSummary) => j.id)).toEqual(expect.arrayContaining([id]));
    client.ws.close();
  }, 90_000);

  it('reports how long the worker took to start each container (shelf_container_start_seconds)', async () => {
    const scrape = async () => {
      const text = await (await fetch(`${shelf.url}/metrics`, { headers: asAdmin })).text();
      const value = (name: string) => Number(new RegExp(`^${name} (\\S+)$`, 'm').exec(text)?.[1]);
      return { count: value('shelf_container_start_seconds_count'), sum: value('shelf_container_start_seconds_sum') };
    };
    const before = await scrape();
    const submitted = await post('/api/jobs', { itemId: 'hello-world', inputs: { name: 'Metrics', times: 1, delay: 0 } });
    expect(submitted.status).toBe(202);
    const id = submitted.body.id as string;
    for (let i = 0; i < 300 && (await get<JobDetail>(`/api/jobs/${id}`)).state !== 'SUCCEEDED'; i++) await new Promise((r) => setTimeout(r, 200));
    expect((await get<JobDetail>(`/api/jobs/${id}`)).state).toBe('SUCCEEDED');
    // Observed when the API sees the job end, from what the worker measured: create to start returned.
    let after = await scrape();
    for (let i = 0; i < 50 && after.count === before.count; i++) {
      await new Promise((r) => setTimeout(r, 100));
      after = await scrape();
    }
    expect(after.count).toBeGreaterThan(before.count);
    expect(after.sum).toBeGreaterThan(before.sum);
    expect((after.sum - before.sum) / (after.count - before.count)).toBeLessThan(30);
  }, 90_000);

  it('reports ready with a worker that reaches Docker', async () => {
    const ready = await fetch(`${shelf.url}/readyz`);
    expect(ready.status).toBe(200);
    const metrics = await (await fetch(`${shelf.url}/metrics`, { headers: asAdmin })).text();
    expect(metrics).toMatch(/shelf_jobs\{state="SUCCEEDED"\} [1-9]/);
  });
});
