import type { JobProgress } from '@shelf/contract';
import { describe, expect, it } from 'vitest';
import type { AppendResult, RunRecorder } from '@shelf/records';
import { LogSink } from '../src/output/logSink.js';
import { ProgressThrottle } from '../src/output/progressThrottle.js';

/** A RunRecorder stand-in that records calls and answers after `delayMs`, as Redis would. */
function fakeRecorder(delayMs = 5) {
  const appended: string[][] = [];
  const progress: JobProgress[] = [];
  let closedWith: string | undefined;
  const store = {
    async appendLog(_jobId: string, capBytes: number, pairs: string[]): Promise<AppendResult> {
      await new Promise((r) => setTimeout(r, delayMs));
      appended.push(pairs);
      const used = appended.flat().filter((_, i) => i % 2 === 1).join('').length;
      return { stored: pairs.length / 2, closed: used >= capBytes };
    },
    async closeLog(_jobId: string, line: string): Promise<void> {
      closedWith = line;
    },
    async progress(_jobId: string, p: JobProgress): Promise<boolean> {
      await new Promise((r) => setTimeout(r, delayMs));
      progress.push(p);
      return true;
    },
  };
  return { recorder: store as unknown as RunRecorder, appended, progress, closedWith: () => closedWith };
}

describe('LogSink', () => {
  it('batches lines (at most batchLines per call), keeps their order and pushes back when behind', async () => {
    const fake = fakeRecorder(20);
    const sink = new LogSink(fake.recorder, 'j', { capBytes: 1e9, maxLines: 1e9, batchLines: 100 });
    let waited = 0;
    for (let i = 0; i < 2_000; i++) {
      sink.add('stdout', `line ${i}`);
      const wait = sink.ready();
      if (wait) {
        waited++;
        await wait;
      }
    }
    await sink.close();
    const lines = fake.appended.flat().filter((_, i) => i % 2 === 1);
    expect(lines).toEqual(Array.from({ length: 2_000 }, (_, i) => `line ${i}`));
    expect(fake.appended.length).toBeLessThan(60);
    expect(Math.max(...fake.appended.map((b) => b.length / 2))).toBeLessThanOrEqual(400);
    expect(waited).toBeGreaterThan(0);
  });

  it('stops at the line cap with one closing line, then drops everything', async () => {
    const fake = fakeRecorder();
    const sink = new LogSink(fake.recorder, 'j', { capBytes: 1e9, maxLines: 10 });
    for (let i = 0; i < 50; i++) sink.add('stdout', 'y');
    await sink.close();
    expect(fake.appended.flat().length / 2).toBe(10);
    expect(fake.closedWith()).toBe('log truncated: the job printed more than 10 lines; later lines were dropped');
    expect(sink.closed).toBe(true);
    sink.add('stdout', 'late');
    await sink.close();
    expect(fake.appended.flat()).not.toContain('late');
  });
});

describe('ProgressThrottle', () => {
  it('publishes at most about 10 times a second and always the last value', async () => {
    const fake = fakeRecorder(1);
    const throttle = new ProgressThrottle(fake.recorder, 'j', (err) => {
      throw err;
    });
    const started = Date.now();
    while (Date.now() - started < 300) {
      throttle.update({ percent: Math.floor(((Date.now() - started) / 300) * 99), message: 'working' });
      await new Promise((r) => setImmediate(r));
    }
    throttle.update({ percent: 100, message: 'done' });
    await throttle.flush();
    expect(fake.progress.length).toBeLessThanOrEqual(6);
    expect(fake.progress.at(-1)).toEqual({ percent: 100, message: 'done' });
  });
});
