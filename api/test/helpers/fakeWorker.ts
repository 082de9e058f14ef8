import type { Redis } from 'ioredis';
import { JobState, type LogStream, type RedisKeys } from '@shelf/contract';
import { RunRecorder } from '@shelf/records';

/**
 * Stands in for the worker process in API tests: it records a run through the records package's
 * RunRecorder, exactly as the worker does — each state change one script that also publishes the
 * summary, log lines stored and published as one batch — without BullMQ or Docker. The real
 * worker has its own tests with Docker.
 */
export class FakeWorker {
  private readonly recorder: RunRecorder;

  constructor(
    redis: Redis,
    keys: RedisKeys,
    private readonly logCapBytes = 10 * 1024 * 1024,
  ) {
    this.recorder = new RunRecorder(redis, keys);
  }

  async start(id: string): Promise<boolean> {
    return (await this.recorder.start(id)) !== null;
  }

  finish(id: string, state: 'SUCCEEDED' | 'FAILED' | 'CANCELLED'): Promise<boolean> {
    if (state === JobState.SUCCEEDED) return this.recorder.finish(id, { state, exitCode: 0, outputs: null });
    if (state === JobState.FAILED) return this.recorder.finish(id, { state, exitCode: 1, error: { code: 'EXIT', message: 'exited with 1' } });
    return this.recorder.finish(id, { state, exitCode: 1 });
  }

  /** Runs a job to its end in one go. */
  async run(id: string, state: 'SUCCEEDED' | 'FAILED' | 'CANCELLED'): Promise<void> {
    await this.start(id);
    await this.finish(id, state);
  }

  /** Appends lines (`[stream, text]`), which the recorder also publishes. */
  async log(id: string, lines: [LogStream, string][]): Promise<void> {
    await this.recorder.appendLog(id, this.logCapBytes, lines.flat());
  }

  /** Appends `count` numbered stdout lines, `line <n>`, starting at `from`. */
  logNumbered(id: string, from: number, count: number): Promise<void> {
    return this.log(
      id,
      Array.from({ length: count }, (_, i) => ['stdout', `line ${from + i}`] as [LogStream, string]),
    );
  }
}
