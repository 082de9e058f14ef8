// Log lines and state changes come from FakeWorker, which stands in for the worker process: it
// records them through RunRecorder, which stores and publishes them (the worker has its own Docker tests).
import { setTimeout as sleep } from 'node:timers/promises';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import type { ServerMessage } from '@shelf/contract';
import { storeUnpublishedLogLines } from '@shelf/records/layout';
import { FakeWorker } from './helpers/fakeWorker.js';
import { request, startJobsApi, TestSocket, type JobsHarness } from './helpers/jobsHarness.js';
import { adminTokenActor } from '../src/auth/principal.js';

type LogMessage = Extract<ServerMessage, { type: 'log' }>;
type Subscribed = Extract<ServerMessage, { type: 'subscribed' }>;

let h: JobsHarness;
let worker: FakeWorker;
const sockets: TestSocket[] = [];

beforeAll(async () => {
  h = await startJobsApi({ socket: { maxSubscriptionsPerClient: 3, heartbeatMs: 200 } });
  worker = new FakeWorker(h.redis, h.catalog.keys);
  await h.importItem({ id: 'hello' });
});
afterAll(async () => {
  await Promise.all(sockets.map((s) => s.close()));
  await h?.close();
});

async function connect(options?: Parameters<typeof TestSocket.open>[1]): Promise<TestSocket> {
  const socket = await TestSocket.open(h.wsUrl, options);
  sockets.push(socket);
  return socket;
}

async function newJob(): Promise<string> {
  const { id } = await h.jobs.records.create({
    itemId: 'hello',
    itemName: 'Hello',
    version: '1.0.0',
    digest: 'a'.repeat(64),
    inputs: {},
    limits: { memoryBytes: 1, cpus: 1, pids: 1, timeoutSeconds: 1 },
    submittedBy: adminTokenActor,
  });
  return id;
}

const subscribed = (jobId: string) => (m: ServerMessage) => m.type === 'subscribed' && m.jobId === jobId;
const range = (from: number, to: number) => Array.from({ length: to - from + 1 }, (_, i) => from + i);

describe('/ws/jobs', () => {
  it('broadcasts every state change to every client', async () => {
    const [a, b] = [await connect(), await connect()];
    const res = await request('POST', `${h.url}/api/jobs`, { itemId: 'hello', inputs: {} });
    const id = res.body.id as string;
    for (const socket of [a, b]) {
      const queued = await socket.next((m) => m.type === 'job' && m.job.id === id);
      expect(queued).toMatchObject({ type: 'job', job: { id, state: 'QUEUED', itemId: 'hello' } });
    }
    await worker.start(id);
    await request('POST', `${h.url}/api/jobs/${id}/cancel`);
    for (const socket of [a, b]) {
      await socket.next((m) => m.type === 'job' && m.job.id === id && m.job.state === 'RUNNING');
      const cancelled = await socket.next((m) => m.type === 'job' && m.job.id === id && m.job.state === 'CANCELLED');
      expect(cancelled).toMatchObject({ job: { error: { code: 'CANCELLED' } } });
    }
  });

  it('replays stored lines, confirms, then streams live lines', async () => {
    const id = await newJob();
    await worker.start(id);
    await worker.log(id, [
      ['stdout', 'first'],
      ['stderr', 'second'],
    ]);
    await worker.logNumbered(id, 3, 3);
    const socket = await connect();
    socket.send({ subscribe: id, after: 0 });
    const confirm = await socket.next<Subscribed>(subscribed(id));
    expect(confirm.seq).toBe(5);
    expect(socket.logs(id)[0]).toEqual({ type: 'log', jobId: id, seq: 1, stream: 'stdout', line: 'first', ts: expect.stringMatching(/^\d{4}-\d\d-\d\dT/) });
    expect(socket.logs(id)[1]).toMatchObject({ seq: 2, stream: 'stderr', line: 'second' });

    await worker.logNumbered(id, 6, 2);
    await socket.next((m) => m.type === 'log' && m.jobId === id && m.seq === 7);
    expect(socket.logs(id).map((l) => l.seq)).toEqual(range(1, 7));
    // Stored lines came before `subscribed`, live ones after.
    const order = socket.messages.filter((m) => (m.type === 'log' && m.jobId === id) || subscribed(id)(m));
    expect(order.findIndex((m) => m.type === 'subscribed')).toBe(5);
  });

  it('misses no line and repeats none across a reconnect with after', async () => {
    const id = await newJob();
    await worker.start(id);
    await worker.logNumbered(id, 1, 30);
    let written = 30;
    const first = await connect();
    first.send({ subscribe: id, after: 0 });

    // The job keeps printing, in batches, while the first client reads, leaves and a second one arrives.
    const writing = (async () => {
      for (let batch = 0; batch < 120; batch++) {
        const n = 1 + (batch % 3);
        await worker.logNumbered(id, written + 1, n);
        written += n;
        await sleep(2);
      }
    })();
    await vi.waitFor(() => expect(first.logs(id).length).toBeGreaterThanOrEqual(60), { timeout: 10_000 });
    await first.close();
    const seen = first.logs(id);
    const resumeAfter = seen.at(-1)!.seq;

    const second = await connect();
    second.send({ subscribe: id, after: resumeAfter });
    await writing;
    await vi.waitFor(() => expect(second.logs(id).at(-1)?.seq).toBe(written), { timeout: 10_000 });

    const union = [...seen, ...second.logs(id)];
    const confirm = second.messages.find(subscribed(id)) as Subscribed;
    expect(confirm.seq).toBeGreaterThanOrEqual(resumeAfter);
    expect(union.map((l) => l.seq)).toEqual(range(1, written));
    expect(union.map((l) => l.line)).toEqual(range(1, written).map((n) => `line ${n}`));
    expect(written).toBeGreaterThan(resumeAfter);
  });

  it('fills in lines whose publish it missed, from the stored log', async () => {
    const id = await newJob();
    await worker.start(id);
    const socket = await connect();
    socket.send({ subscribe: id, after: 0 });
    await socket.next(subscribed(id));
    await worker.logNumbered(id, 1, 2);
    // Stored but never published, as if the subscriber connection had been down for a moment.
    await storeUnpublishedLogLines(h.redis, h.catalog.keys, id, [3, 4].map((n) => ({ seq: n, ts: '', stream: 'stdout', line: `line ${n}` })));
    await worker.logNumbered(id, 5, 1);
    await vi.waitFor(() => expect(socket.logs(id).map((l) => l.seq)).toEqual([1, 2, 3, 4, 5]));

    // The same when the missing lines are the last ones: the job's end triggers a re-read.
    await storeUnpublishedLogLines(h.redis, h.catalog.keys, id, [{ seq: 6, ts: '', stream: 'stdout', line: 'line 6' }]);
    await worker.finish(id, 'SUCCEEDED');
    await vi.waitFor(() => expect(socket.logs(id).map((l) => l.line)).toEqual(range(1, 6).map((n) => `line ${n}`)));
  });

  it('stops sending a job’s lines after unsubscribe', async () => {
    const id = await newJob();
    await worker.start(id);
    const socket = await connect();
    socket.send({ subscribe: id });
    await socket.next(subscribed(id));
    await worker.logNumbered(id, 1, 1);
    await socket.next((m) => m.type === 'log' && m.jobId === id);
    socket.send({ unsubscribe: id });
    await sleep(50);
    await worker.logNumbered(id, 2, 3);
    // A later subscribe proves the connection has processed everything sent before it.
    const other = await newJob();
    socket.send({ subscribe: other });
    await socket.next(subscribed(other));
    await sleep(50);
    expect(socket.logs(id).map((l: LogMessage) => l.seq)).toEqual([1]);
  });

  it('answers a bad frame with an error and stays usable', async () => {
    const id = await newJob();
    const socket = await connect();
    const errors = () => socket.messages.filter((m) => m.type === 'error');
    for (const [i, frame] of ['not json', '{"subscribe": 42}', '{"subscribe":"x","after":-1}', '[]'].entries()) {
      socket.send(frame);
      await vi.waitFor(() => expect(errors()).toHaveLength(i + 1));
    }
    socket.ws.send(Buffer.from(JSON.stringify({ subscribe: id })), { binary: true });
    await vi.waitFor(() => expect(errors()).toHaveLength(5));
    expect(errors()[0]).toEqual({ type: 'error', message: expect.stringContaining('expected {"subscribe"') });

    socket.send({ subscribe: 'ffffffffffffffffffffffffffffffff' });
    const unknown = await socket.next((m) => m.type === 'error' && m.message.includes('not found'));
    expect(unknown).toMatchObject({ message: 'job not found: ffffffffffffffffffffffffffffffff' });

    socket.send({ subscribe: id, after: 0 });
    expect(await socket.next(subscribed(id))).toEqual({ type: 'subscribed', jobId: id, seq: 0 });
  });

  it('limits subscriptions per connection', async () => {
    const ids = [await newJob(), await newJob(), await newJob(), await newJob()];
    const socket = await connect();
    for (const id of ids.slice(0, 3)) {
      socket.send({ subscribe: id });
      await socket.next(subscribed(id));
    }
    socket.send({ subscribe: ids[3] });
    expect(await socket.next((m) => m.type === 'error')).toEqual({ type: 'error', message: 'at most 3 subscriptions per connection' });
    // Subscribing again to a job already followed starts it over; it does not count twice.
    socket.send({ unsubscribe: ids[0] });
    socket.send({ subscribe: ids[3] });
    await socket.next(subscribed(ids[3]!));
  });

  it('closes the connection on an oversized frame', async () => {
    const socket = await connect();
    socket.send('x'.repeat(10_000));
    expect((await socket.closed).code).toBe(1009);
  });

  it('refuses browsers from other origins', async () => {
    await expect(TestSocket.open(h.wsUrl, { origin: 'http://evil.example' })).rejects.toThrow(/403/);
    const same = await connect({ origin: h.url });
    expect(same.ws.readyState).toBe(same.ws.OPEN);
  });

  it('drops a client that stops answering pings', async () => {
    const silent = await connect({ autoPong: false });
    const { code } = await silent.closed;
    expect(code).toBe(1006);
    const lively = await connect();
    await sleep(700);
    expect(lively.ws.readyState).toBe(lively.ws.OPEN);
  });
});

describe('/ws/jobs with a job printing faster than a client reads', () => {
  it('feeds the client at its own pace — every line once, in order — instead of dropping it', async () => {
    // Heartbeats out of the way: this client stops reading for a while on purpose.
    const harness = await startJobsApi({ socket: { heartbeatMs: 60_000 } });
    const socket = await TestSocket.open(harness.wsUrl);
    try {
      const printer = new FakeWorker(harness.redis, harness.catalog.keys, 100 * 1024 * 1024);
      await harness.importItem({ id: 'flood' });
      const { id } = await harness.jobs.records.create({
        itemId: 'flood',
        itemName: 'Flood',
        version: '1.0.0',
        digest: 'a'.repeat(64),
        inputs: {},
        limits: { memoryBytes: 1, cpus: 1, pids: 1, timeoutSeconds: 1 },
        submittedBy: adminTokenActor,
      });
      await printer.start(id);
      socket.send({ subscribe: id, after: 0 });
      await socket.next(subscribed(id));

      // ~18 MB of frames while the client reads nothing: past what the kernel buffers for a
      // client that stopped reading, plus the 4 MB it may leave unsent, so sending every line
      // live would get it dropped (1013).
      socket.ws.pause();
      const text = (n: number) => `line ${n} ${'x'.repeat(200)}`;
      const total = 60_000;
      for (let from = 1; from <= total; from += 1000) {
        await printer.log(id, range(from, from + 999).map((n) => ['stdout', text(n)] as ['stdout', string]));
      }
      socket.ws.resume();

      await vi.waitFor(() => expect(socket.logs(id).length).toBe(total), { timeout: 30_000, interval: 100 });
      const lines = socket.logs(id);
      expect(lines.map((l) => l.seq)).toEqual(range(1, total));
      expect(lines.every((l) => l.line === text(l.seq))).toBe(true);
      expect(socket.ws.readyState).toBe(socket.ws.OPEN);
    } finally {
      await socket.close();
      await harness.close();
    }
  }, 60_000);
});

