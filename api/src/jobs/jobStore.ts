import { randomBytes } from 'node:crypto';
import type { Redis } from 'ioredis';
import {
  JobState,
  toJobDetail,
  toJobSummary,
  transitionJobLua,
  type Actor,
  type JobDetail,
  type JobHash,
  type JobLimits,
  type JobSummary,
  type LogLine,
  type RedisKeys,
} from '@shelf/contract';
import { NotFoundError } from '../errors.js';
import { listJobs, type JobPage, type JobQuery } from './listJobs.js';

/** What a new job is made of; the store adds its id, state and times. */
export interface NewJob {
  itemId: string;
  itemName: string;
  version: string;
  digest: string;
  inputs: Record<string, unknown>;
  limits: JobLimits;
  retryOf?: string;
  submittedBy: Actor;
}

/** Job ids: 128 random bits as lowercase hex, so they are unguessable and safe as BullMQ ids (no ':'). */
export const jobIdPattern = /^[0-9a-f]{32}$/;

export function newJobId(): string {
  // BullMQ refuses custom ids that look like integers; an all-digit draw is rare but possible.
  for (;;) {
    const id = randomBytes(16).toString('hex');
    if (!/^\d+$/.test(id)) return id;
  }
}

type TransitionCommand = (jobKey: string, statePrefix: string, to: string, from: string, ...fields: string[]) => Promise<number>;

/**
 * Jobs in Redis, laid out as contract/jobRecords.ts says: one hash per job plus sorted-set
 * indexes (all, per state, per item, and ids by prefix), all scored by creation time.
 * Every change is published as a summary on the job events channel.
 */
export class JobStore {
  private readonly transitionCommand: TransitionCommand;

  constructor(
    readonly redis: Redis,
    readonly keys: RedisKeys,
  ) {
    redis.defineCommand('shelfTransitionJob', { numberOfKeys: 2, lua: transitionJobLua });
    const command = (redis as unknown as { shelfTransitionJob: TransitionCommand }).shelfTransitionJob;
    this.transitionCommand = command.bind(redis);
  }

  async create(job: NewJob, now = new Date()): Promise<JobSummary> {
    const id = newJobId();
    const hash: JobHash = {
      id,
      itemId: job.itemId,
      itemName: job.itemName,
      version: job.version,
      digest: job.digest,
      state: JobState.QUEUED,
      progress: JSON.stringify({ percent: 0, message: '' }),
      createdAt: now.toISOString(),
      startedAt: '',
      finishedAt: '',
      error: '',
      retryOf: job.retryOf ?? '',
      inputs: JSON.stringify(job.inputs),
      exitCode: '',
      outputs: '',
      limits: JSON.stringify(job.limits),
      createdMs: String(now.getTime()),
      submittedById: job.submittedBy.id,
      submittedByName: job.submittedBy.username,
    };
    const summary = toJobSummary({ ...hash });
    const score = now.getTime();
    const results = await this.redis
      .multi()
      .hset(this.keys.job(id), { ...hash })
      .zadd(this.keys.jobsAll, score, id)
      .zadd(this.keys.jobsByState(JobState.QUEUED), score, id)
      .zadd(this.keys.jobsByItem(job.itemId), score, id)
      .zadd(this.keys.jobsByUser(job.submittedBy.id), score, id)
      .zadd(this.keys.jobIds, 0, id)
      .publish(this.keys.jobEventsChannel, JSON.stringify(summary))
      .exec();
    const failed = results?.find(([err]) => err);
    if (!results || failed) throw failed?.[0] ?? new Error('the job could not be stored (transaction aborted)');
    return summary;
  }

  async detail(id: string): Promise<JobDetail> {
    return toJobDetail(await this.hash(id));
  }

  async summary(id: string): Promise<JobSummary> {
    return toJobSummary(await this.hash(id));
  }

  /** The raw stored fields; 404 when there is no such job. */
  async hash(id: string): Promise<Record<string, string>> {
    const h = jobIdPattern.test(id) ? await this.redis.hgetall(this.keys.job(id)) : {};
    if (!h.id) throw new NotFoundError('job', id);
    return h;
  }

  /**
   * Moves a job to `to` if it is in one of `from`, setting `fields` at the same time, and
   * publishes the new summary. Returns null (and changes nothing) when the job was not in `from`.
   */
  async transition(id: string, to: JobState, from: readonly JobState[], fields: Partial<JobHash> = {}): Promise<JobSummary | null> {
    const pairs = Object.entries(fields).flatMap(([k, v]) => [k, String(v)]);
    const moved = await this.transitionCommand(this.keys.job(id), this.keys.jobsByStatePrefix, to, from.join(','), ...pairs);
    if (moved !== 1) return null;
    const summary = await this.summary(id);
    await this.redis.publish(this.keys.jobEventsChannel, JSON.stringify(summary));
    return summary;
  }

  /** Asks every worker to stop this job's container (the one running it acts). */
  async requestKill(id: string): Promise<void> {
    await this.redis.publish(this.keys.cancelChannel, id);
  }

  /** Summaries of the given ids, in order, skipping jobs that no longer exist. */
  async summaries(ids: string[]): Promise<JobSummary[]> {
    if (!ids.length) return [];
    const pipeline = this.redis.pipeline();
    for (const id of ids) pipeline.hgetall(this.keys.job(id));
    const rows = (await pipeline.exec()) ?? [];
    return rows
      .map(([err, h]) => (err ? undefined : (h as Record<string, string>)))
      .filter((h): h is Record<string, string> => Boolean(h?.id))
      .map(toJobSummary);
  }

  list(query: JobQuery): Promise<JobPage> {
    return listJobs(this, query);
  }

  async has(id: string): Promise<boolean> {
    return jobIdPattern.test(id) && (await this.redis.exists(this.keys.job(id))) === 1;
  }

  /** Up to `count` stored log lines after the first `after` (seq = list index + 1). */
  async readLog(id: string, after: number, count: number): Promise<LogLine[]> {
    const rows = await this.redis.lrange(this.keys.jobLog(id), after, after + count - 1);
    return rows.map((raw, i) => ({ ...(JSON.parse(raw) as LogLine), seq: after + i + 1 }));
  }

  /** `GET /api/jobs/:id/logs?after=N`: the next page of lines and where to continue. */
  async logs(id: string, after: number, pageSize: number): Promise<{ items: LogLine[]; next: number }> {
    if (!(await this.has(id))) throw new NotFoundError('job', id);
    const items = await this.readLog(id, after, pageSize);
    return { items, next: items.at(-1)?.seq ?? after };
  }
}
