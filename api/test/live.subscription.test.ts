import { describe, expect, it } from 'vitest';
import type { LogLine, ServerMessage } from '@shelf/contract';
import type { LiveClient } from '../src/live/liveClient.js';
import { LogSubscription, type LogSource } from '../src/live/logSubscription.js';
import { PreparedFrame } from '../src/live/preparedFrame.js';

const line = (seq: number): LogLine => ({ seq, ts: '', stream: 'stdout', line: `line ${seq}` });

/** A stored log whose reads can be held back, to interleave live lines with a replay at will. */
class ControlledLog implements LogSource {
  readonly lines: LogLine[] = [];
  private gate: Promise<void> = Promise.resolve();
  private release: () => void = () => {};

  append(count: number): LogLine[] {
    const added = Array.from({ length: count }, (_, i) => line(this.lines.length + i + 1));
    this.lines.push(...added);
    return added;
  }
  hold(): void {
    this.gate = new Promise((resolve) => (this.release = resolve));
  }
  open(): void {
    this.release();
  }
  async has(): Promise<boolean> {
    return true;
  }
  async readLog(_id: string, after: number, count: number): Promise<LogLine[]> {
    await this.gate;
    return this.lines.slice(after, after + count);
  }
}

function recordingClient() {
  const sent: ServerMessage[] = [];
  // Log lines arrive already serialised (once for every client); decode them to compare.
  const decode = (m: ServerMessage | PreparedFrame): ServerMessage => (m instanceof PreparedFrame ? (JSON.parse(m.text) as ServerMessage) : m);
  const client = { send: (m: ServerMessage | PreparedFrame) => (sent.push(decode(m)), true), drained: async () => {} } as unknown as LiveClient;
  return { sent, client };
}

const seqs = (sent: ServerMessage[]) => sent.flatMap((m) => (m.type === 'log' ? [m.seq] : []));
const range = (from: number, to: number) => Array.from({ length: to - from + 1 }, (_, i) => from + i);

describe('LogSubscription', () => {
  it('sends every line once, in order, however live lines and the replay interleave', async () => {
    const log = new ControlledLog();
    log.append(2500);
    const { sent, client } = recordingClient();
    const sub = new LogSubscription('job', 100, client, log, () => {});
    log.hold();
    const started = sub.start();
    // 25,000 lines arrive while the replay is held: more than it keeps, so it must re-read.
    for (let i = 0; i < 250; i++) sub.push(log.append(100));
    log.open();
    await started;
    sub.push(log.append(5));
    expect(seqs(sent)).toEqual(range(101, 27_505));
    const confirm = sent.findIndex((m) => m.type === 'subscribed');
    expect(sent[confirm]).toEqual({ type: 'subscribed', jobId: 'job', seq: 27_500 });
    expect(confirm).toBe(27_400);
  });

  it('fills a hole in the live lines from the stored log', async () => {
    const log = new ControlledLog();
    const { sent, client } = recordingClient();
    const sub = new LogSubscription('job', 0, client, log, () => {});
    await sub.start();
    sub.push(log.append(3));
    log.append(4); // published, but never reached this process
    sub.push(log.append(2));
    await new Promise((resolve) => setTimeout(resolve, 10));
    sub.push(log.append(1));
    expect(seqs(sent)).toEqual(range(1, 10));
  });
});
