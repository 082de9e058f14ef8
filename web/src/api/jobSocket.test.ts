import type { JobSummary } from '@shelf/contract';
import { afterEach, describe, expect, test, vi } from 'vitest';
import { asWebSocket, FakeWebSocket } from '../test/fakeWebSocket';
import { parseServerMessage } from '@shelf/contract';
import { JobSocket } from './jobSocket';

const log = (seq: number, jobId = 'job-1') => ({ type: 'log' as const, jobId, seq, stream: 'stdout' as const, line: `line ${seq}` });

function started() {
  const socket = new JobSocket('ws://test/ws/jobs', { WebSocket: asWebSocket, baseDelayMs: 100, maxDelayMs: 1000, logBatchMs: 0 });
  socket.start();
  return socket;
}

afterEach(() => {
  FakeWebSocket.reset();
  vi.useRealTimers();
});

describe('JobSocket', () => {
  test('resumes a log after a reconnect with after = the last seq seen: no gap, no duplicate', async () => {
    vi.useFakeTimers();
    const socket = started();
    const onChange = vi.fn();
    const off = socket.subscribeLog('job-1', onChange);
    const first = FakeWebSocket.latest();
    first.open();
    expect(first.sent).toEqual([{ subscribe: 'job-1', after: 0 }]);
    for (const seq of [1, 2, 3]) first.receive(log(seq));
    first.receive({ type: 'subscribed', jobId: 'job-1', seq: 3 });
    first.receive(log(4));
    first.drop();
    expect(socket.getState()).toBe('reconnecting');

    await vi.advanceTimersByTimeAsync(1000);
    const second = FakeWebSocket.latest();
    expect(second).not.toBe(first);
    second.open();
    expect(second.sent).toEqual([{ subscribe: 'job-1', after: 4 }]);
    // The server may resend a line at the boundary; it must not show twice.
    for (const seq of [4, 5, 6]) second.receive(log(seq));
    await vi.advanceTimersByTimeAsync(10);

    expect(socket.logBuffer('job-1')!.lines.map((l) => l.seq)).toEqual([1, 2, 3, 4, 5, 6]);
    expect(socket.logBuffer('job-1')!.caughtUp).toBe(true);
    expect(onChange).toHaveBeenCalled();

    off();
    expect(second.sent.at(-1)).toEqual({ unsubscribe: 'job-1' });
    expect(socket.logBuffer('job-1')).toBeUndefined();
    socket.stop();
  });

  test('loads the stored backlog over HTTP in pages, then subscribes after its last line', async () => {
    const pages: Record<number, number[]> = { 0: [1, 2, 3], 3: [4, 5], 5: [] };
    const asked: number[] = [];
    let release: () => void = () => {};
    const gate = new Promise<void>((resolve) => (release = resolve));
    const socket = new JobSocket('ws://test/ws/jobs', {
      WebSocket: asWebSocket,
      logBatchMs: 0,
      fetchLogPage: async (_jobId, after) => {
        asked.push(after);
        if (after === 3) await gate;
        return { items: pages[after]!.map((seq) => ({ seq, stream: 'stdout' as const, line: `l${seq}` })), next: after };
      },
    });
    socket.start();
    socket.subscribeLog('job-1', () => {});
    const ws = FakeWebSocket.latest();
    await vi.waitFor(() => expect(asked).toEqual([0, 3]));
    // The socket opening while the backlog loads must not start a second replay from 0.
    ws.open();
    expect(ws.sent).toEqual([]);
    release();
    await vi.waitFor(() => expect(ws.sent).toEqual([{ subscribe: 'job-1', after: 5 }]));
    expect(asked).toEqual([0, 3, 5]);
    ws.receive(log(5));
    ws.receive(log(6));
    await vi.waitFor(() => expect(socket.logBuffer('job-1')!.lines.map((l) => l.seq)).toEqual([1, 2, 3, 4, 5, 6]));
    socket.stop();
  });

  test('falls back to the socket replay when the HTTP backlog fails', async () => {
    const socket = new JobSocket('ws://test/ws/jobs', {
      WebSocket: asWebSocket,
      fetchLogPage: async () => {
        throw new Error('offline');
      },
    });
    socket.start();
    FakeWebSocket.latest().open();
    socket.subscribeLog('job-1', () => {});
    await vi.waitFor(() => expect(FakeWebSocket.latest().sent).toEqual([{ subscribe: 'job-1', after: 0 }]));
    socket.stop();
  });

  test('backs off between attempts and reports its connection state', async () => {
    vi.useFakeTimers();
    vi.spyOn(Math, 'random').mockReturnValue(1);
    const socket = started();
    const states: string[] = [];
    socket.onState(() => states.push(socket.getState()));
    expect(socket.getState()).toBe('connecting');
    FakeWebSocket.latest().open();
    FakeWebSocket.latest().drop();
    // Attempts at 100, then 200, then 400 ms.
    await vi.advanceTimersByTimeAsync(99);
    expect(FakeWebSocket.instances).toHaveLength(1);
    await vi.advanceTimersByTimeAsync(1);
    expect(FakeWebSocket.instances).toHaveLength(2);
    FakeWebSocket.latest().drop();
    await vi.advanceTimersByTimeAsync(199);
    expect(FakeWebSocket.instances).toHaveLength(2);
    await vi.advanceTimersByTimeAsync(1);
    expect(FakeWebSocket.instances).toHaveLength(3);
    FakeWebSocket.latest().open();
    expect(states).toEqual(['live', 'reconnecting', 'live']);
    socket.stop();
  });

  test('passes job events on and tells listeners about a reconnect', () => {
    const socket = started();
    const jobs: JobSummary[] = [];
    const reconnected = vi.fn();
    socket.onJob((job) => jobs.push(job));
    socket.onReconnect(reconnected);
    FakeWebSocket.latest().open();
    FakeWebSocket.latest().receive({ type: 'job', job: { id: 'j', state: 'RUNNING' } as JobSummary });
    expect(jobs.map((j) => j.id)).toEqual(['j']);
    expect(reconnected).not.toHaveBeenCalled();
    socket.stop();
  });

  test('ignores frames that are not valid messages', () => {
    expect(parseServerMessage('not json')).toBeNull();
    expect(parseServerMessage(JSON.stringify({ type: 'log', jobId: 'j', seq: 'x', stream: 'stdout', line: '' }))).toBeNull();
    expect(parseServerMessage(JSON.stringify({ type: 'log', jobId: 'j', seq: 1, stream: 'evil', line: '' }))).toBeNull();
    expect(parseServerMessage(JSON.stringify({ type: 'job', job: {} }))).toBeNull();
    expect(parseServerMessage(JSON.stringify({ type: 'subscribed', jobId: 'j', seq: 3 }))).toEqual({ type: 'subscribed', jobId: 'j', seq: 3 });
  });
});
