import {
  appendLogLua,
  toJobSummary,
  transitionJobLua,
  type JobHash,
  type JobProgress,
  type JobState,
  type RedisKeys,
} from '@shelf/contract';
import type { Redis } from 'ioredis';

type JobFields = Partial<Record<keyof JobHash, string>>;

/** The contract's Lua scripts, registered on the connection (EVALSHA, reloaded after a Redis restart). */
interface ShelfScripts {
  shelfAppendLog(logKey: string, bytesKey: string, ...args: string[]): Promise<string[]>;
  shelfSetProgress(jobKey: string, progress: string): Promise<number>;
}

/** Progress only moves while the job runs: a late line from a container being killed must not touch a finished job. */
const setProgressLua = `
if redis.call('HGET', KEYS[1], 'state') ~= 'RUNNING' then return 0 end
redis.call('HSET', KEYS[1], 'progress', ARGV[1])
return 1
`;

/** A pipeline with the transition script on it. */
interface ShelfPipeline {
  shelfTransitionJob(jobKey: string, statePrefix: string, ...args: string[]): ShelfPipeline;
  hgetall(key: string): ShelfPipeline;
  exec(): Promise<Array<[Error | null, unknown]> | null>;
}

export interface AppendResult {
  /** Entries Redis stored (the truncation marker included). */
  stored: number;
  /** The log is closed: this batch hit the cap, or an earlier one did. */
  closed: boolean;
}

/**
 * The worker's side of the job records the API creates: state changes through the contract's
 * transition script, progress, and log lines — each change published the way the API relays it.
 */
export class JobStore {
  private readonly scripts: ShelfScripts;

  constructor(
    private readonly redis: Redis,
    readonly keys: RedisKeys,
  ) {
    redis.defineCommand('shelfTransitionJob', { numberOfKeys: 2, lua: transitionJobLua });
    redis.defineCommand('shelfAppendLog', { numberOfKeys: 2, lua: appendLogLua });
    redis.defineCommand('shelfSetProgress', { numberOfKeys: 1, lua: setProgressLua });
    this.scripts = redis as unknown as ShelfScripts;
  }

  async read(jobId: string): Promise<Record<string, string> | null> {
    const hash = await this.redis.hgetall(this.keys.job(jobId));
    return hash.id ? hash : null;
  }

  async state(jobId: string): Promise<JobState | null> {
    return (await this.redis.hget(this.keys.job(jobId), 'state')) as JobState | null;
  }

  /** Moves the job to `to` if it is in one of `from`; false (and nothing changed) otherwise. */
  async transition(jobId: string, to: JobState, from: readonly JobState[], fields: JobFields = {}): Promise<boolean> {
    return (await this.transitionAndRead(jobId, to, from, fields)) !== null;
  }

  /**
   * {@link transition}, answering the job's fields after the move (null if it did not move).
   * The move and the read leave in one write and the summary is published from what was
   * read: two round trips per state change instead of three, and no second read by the caller.
   */
  async transitionAndRead(jobId: string, to: JobState, from: readonly JobState[], fields: JobFields = {}): Promise<Record<string, string> | null> {
    const pairs = Object.entries(fields).flatMap(([k, v]) => [k, v ?? '']);
    const key = this.keys.job(jobId);
    const pipeline = this.redis.pipeline() as unknown as ShelfPipeline;
    pipeline.shelfTransitionJob(key, this.keys.jobsByStatePrefix, to, from.join(','), ...pairs);
    pipeline.hgetall(key);
    const [[moveErr, moved], [readErr, read]] = (await pipeline.exec()) as [[Error | null, number], [Error | null, Record<string, string>]];
    if (moveErr) throw moveErr;
    if (moved !== 1) return null;
    if (readErr) throw readErr;
    // A script Redis had forgotten (SCRIPT FLUSH) is re-sent after the read: then read again.
    const hash = read.state === to ? read : await this.redis.hgetall(key);
    if (hash.id) await this.redis.publish(this.keys.jobEventsChannel, JSON.stringify(toJobSummary(hash)));
    return hash;
  }

  async setProgress(jobId: string, progress: JobProgress): Promise<void> {
    if ((await this.scripts.shelfSetProgress(this.keys.job(jobId), JSON.stringify(progress))) === 1) await this.publishSummary(jobId);
  }

  /** Appends `[stream, line, stream, line, …]` under the byte cap and publishes what was stored. */
  async appendLog(jobId: string, capBytes: number, pairs: string[], now = new Date()): Promise<AppendResult> {
    const entries = await this.scripts.shelfAppendLog(
      this.keys.jobLog(jobId),
      this.keys.jobLogBytes(jobId),
      String(capBytes),
      now.toISOString(),
      ...pairs,
    );
    if (entries.length > 0) await this.redis.publish(this.keys.jobLogChannel(jobId), `[${entries.join(',')}]`);
    const last = entries.at(-1);
    const closed = entries.length === 0 || (last !== undefined && (JSON.parse(last) as { stream: string }).stream === 'system');
    return { stored: entries.length, closed };
  }

  /** Writes one `system` line and closes the log, as the byte cap does (the contract's -1 counter). */
  async closeLog(jobId: string, line: string): Promise<void> {
    await this.appendLog(jobId, Number.MAX_SAFE_INTEGER, ['system', line]);
    await this.redis.set(this.keys.jobLogBytes(jobId), '-1');
  }

  async versionRecord(itemId: string, version: string): Promise<unknown> {
    const raw = await this.redis.hget(this.keys.versions(itemId), version);
    return raw === null ? null : (JSON.parse(raw) as unknown);
  }

  private async publishSummary(jobId: string): Promise<void> {
    const hash = await this.read(jobId);
    if (hash) await this.redis.publish(this.keys.jobEventsChannel, JSON.stringify(toJobSummary(hash)));
  }
}
