import type { Redis } from 'ioredis';
import { appendLogLua, JobState, toJobSummary, transitionJobLua, type LogStream, type RedisKeys } from '@shelf/contract';

/**
 * Stands in for the worker process in API tests: it changes jobs and appends log lines in
 * Redis exactly as the contract (contract/src/jobRecords.ts, keys.ts) tells the worker to —
 * transitionJobLua then a summary on the events channel, appendLogLua then the stored entries
 * as one JSON array on the job's log channel. The real worker has its own tests with Docker.
 */
export class FakeWorker {
  constructor(
    private readonly redis: Redis,
    private readonly keys: RedisKeys,
    private readonly logCapBytes = 10 * 1024 * 1024,
  ) {}

  start(id: string): Promise<boolean> {
    return this.transition(id, JobState.RUNNING, [JobState.QUEUED], { startedAt: new Date().toISOString() });
  }

  finish(id: string, state: 'SUCCEEDED' | 'FAILED' | 'CANCELLED', fields: Record<string, string> = {}): Promise<boolean> {
    const error = state === 'FAILED' ? JSON.stringify({ code: 'EXIT', message: 'exited with 1' }) : '';
    return this.transition(id, state, [JobState.RUNNING], {
      finishedAt: new Date().toISOString(),
      exitCode: state === 'SUCCEEDED' ? '0' : '1',
      error,
      ...fields,
    });
  }

  /** Runs a job to its end in one go. */
  async run(id: string, state: 'SUCCEEDED' | 'FAILED' | 'CANCELLED'): Promise<void> {
    await this.start(id);
    await this.finish(id, state);
  }

  async transition(id: string, to: JobState, from: JobState[], fields: Record<string, string>): Promise<boolean> {
    const pairs = Object.entries(fields).flat();
    const moved = (await this.redis.eval(transitionJobLua, 2, this.keys.job(id), this.keys.jobsByStatePrefix, to, from.join(','), ...pairs)) as number;
    if (moved !== 1) return false;
    await this.redis.publish(this.keys.jobEventsChannel, JSON.stringify(toJobSummary(await this.redis.hgetall(this.keys.job(id)))));
    return true;
  }

  /** Appends lines (`[stream, text]`) and publishes the stored entries. */
  async log(id: string, lines: [LogStream, string][]): Promise<number[]> {
    const args = lines.flatMap(([stream, text]) => [stream, text]);
    const entries = (await this.redis.eval(
      appendLogLua,
      2,
      this.keys.jobLog(id),
      this.keys.jobLogBytes(id),
      this.logCapBytes,
      new Date().toISOString(),
      ...args,
    )) as string[];
    if (entries.length) await this.redis.publish(this.keys.jobLogChannel(id), `[${entries.join(',')}]`);
    return entries.map((e) => (JSON.parse(e) as { seq: number }).seq);
  }

  /** Appends `count` numbered stdout lines, `line <n>`, starting at `from`. */
  logNumbered(id: string, from: number, count: number): Promise<number[]> {
    return this.log(
      id,
      Array.from({ length: count }, (_, i) => ['stdout', `line ${from + i}`] as [LogStream, string]),
    );
  }
}
