import type { Redis } from 'ioredis';
import { jobStates, type JobDetail, type JobState, type JobSummary, type LogLine, type LogStream, type RedisKeys } from '@shelf/contract';
import { itemStateLayout, toJobDetail, type JobHash } from './jobLayout.js';
import {
  appendLogLua,
  containerStartLua,
  createJobLua,
  deleteFinishedJobLua,
  detailLua,
  indexItemStateLua,
  setProgressLua,
  summariesLua,
  transitionJobLua,
} from './jobScripts.js';
import { ActiveJobsLimitError } from './activeJobsLimitError.js';
import { InputQuotaError } from './inputQuotaError.js';
import { pageJobsLua } from './pageJobsLua.js';

type Arg = string | number;

/** The scripts, registered on the connection: run by EVALSHA, re-sent by ioredis after a Redis restart. */
interface Scripts {
  shelfJobCreate(...args: Arg[]): Promise<string | ['active' | 'inputs', number]>;
  shelfJobTransition(...args: Arg[]): Promise<(string | null)[] | null>;
  shelfJobProgress(...args: Arg[]): Promise<number>;
  shelfJobContainerStart(...args: Arg[]): Promise<number>;
  shelfJobAppendLog(...args: Arg[]): Promise<[number, number]>;
  shelfJobSummaries(numKeys: number, ...args: Arg[]): Promise<(string | null)[]>;
  shelfJobDetail(...args: Arg[]): Promise<(string | null)[] | null>;
  shelfJobPage(numKeys: number, ...args: Arg[]): Promise<[number, ...string[]]>;
  shelfJobIndexItemState(numKeys: number, ...args: Arg[]): Promise<number>;
}

/** A pipeline that knows the prune script. */
interface DeleteBatch {
  shelfJobDeleteFinished(...args: Arg[]): DeleteBatch;
  exec(): Promise<[Error | null, unknown][] | null>;
}

/** Which jobs a page is taken from; see pageJobsLua. */
export interface PagePlan {
  state?: JobState;
  itemId?: string;
  submittedBy?: string;
  /** 'all': every job passing the filters; else only the jobs of these items and those whose id starts with `idPrefix`. */
  scope: 'all' | { itemIds: string[]; idPrefix?: string };
  offset: number;
  size: number;
}

/** How a page is chosen inside the script (see pageJobsLua); tests change them to reach every path. */
export interface PageTuning {
  /** How many ids one id-prefix search may collect (a one-character prefix matches 1/16 of all jobs). */
  maxIdMatches: number;
  /** A search walks the newest jobs of the state when it expects to read at most this many. */
  walkBudget: number;
  /** Up to this many (sets × page end) are merged set by set; more are merged into one set first. */
  mergeBudget: number;
}
const defaultTuning: PageTuning = { maxIdMatches: 50_000, walkBudget: 5_000, mergeBudget: 50_000 };
/**
 * The version of the index layout this code keeps. 2: jobs are also indexed per item and state,
 * with a count per item and state, so a search pages and counts those instead of intersecting
 * sets on every request. 3: a user's active jobs (activeStates) are also indexed per user, so
 * the per-user limit counts one set.
 */
export const layoutVersion = '3';

/**
 * The one place that issues Redis commands on job keys: it alone knows the layout, the key names
 * and the scripts. JobRecords (the API's side) and RunRecorder (the worker's) give it meaning.
 */
export class JobStorage {
  private readonly scripts: Scripts;

  /** For the scripts: see itemStateLayout. */
  private readonly itemStateLayout: [string, string, string];

  private readonly tuning: PageTuning;

  constructor(
    private readonly redis: Redis,
    private readonly keys: RedisKeys,
    tuning: Partial<PageTuning> = {},
  ) {
    this.tuning = { ...defaultTuning, ...tuning };
    this.itemStateLayout = itemStateLayout(keys);
    redis.defineCommand('shelfJobCreate', { numberOfKeys: 10, lua: createJobLua });
    redis.defineCommand('shelfJobTransition', { numberOfKeys: 1, lua: transitionJobLua });
    redis.defineCommand('shelfJobProgress', { numberOfKeys: 1, lua: setProgressLua });
    redis.defineCommand('shelfJobContainerStart', { numberOfKeys: 1, lua: containerStartLua });
    redis.defineCommand('shelfJobAppendLog', { numberOfKeys: 2, lua: appendLogLua });
    redis.defineCommand('shelfJobSummaries', { lua: summariesLua });
    redis.defineCommand('shelfJobDetail', { numberOfKeys: 2, lua: detailLua });
    redis.defineCommand('shelfJobPage', { lua: pageJobsLua });
    redis.defineCommand('shelfJobDeleteFinished', { numberOfKeys: 9, lua: deleteFinishedJobLua });
    redis.defineCommand('shelfJobIndexItemState', { lua: indexItemStateLua });
    this.scripts = redis as unknown as Scripts;
  }

  /**
   * Stores a new job (and lists it in its approvers' inboxes), with its sealed secret inputs
   * (`''`: none) under their own key; throws ActiveJobsLimitError when the submitter already has
   * `limits.maxActiveJobs` active jobs, InputQuotaError when its inputs would pass the submitter's
   * `limits.maxUserInputBytes` (0 or absent: no limit).
   */
  async create(hash: JobHash, limits: { maxUserInputBytes?: number; maxActiveJobs?: number } = {}, sealedSecrets = ''): Promise<JobSummary> {
    const { keys } = this;
    const { maxUserInputBytes = 0, maxActiveJobs = 0 } = limits;
    // In createJobLua's order: the indexes scored by creation time, the id index, the items of jobs, the inputs quota.
    const indexes = [keys.jobsAll, keys.jobsByState(hash.state), keys.jobsByItem(hash.itemId), keys.jobsByUser(hash.submittedById), keys.jobIds, keys.jobItems, keys.jobInputBytesByUser];
    const pairs = Object.entries(hash).flat();
    const bytes = Buffer.byteLength(hash.inputs);
    const reply = await this.scripts.shelfJobCreate(
      keys.job(hash.id),
      ...indexes,
      keys.jobSecrets(hash.id),
      keys.jobsActiveByUser(hash.submittedById),
      keys.jobEventsChannel,
      hash.id,
      hash.createdMs,
      hash.itemId,
      hash.state,
      ...this.itemStateLayout,
      hash.submittedById,
      bytes,
      maxUserInputBytes,
      keys.jobsAwaiting(''),
      sealedSecrets,
      maxActiveJobs,
      ...pairs,
    );
    if (Array.isArray(reply)) {
      const [refusal, count] = reply;
      if (refusal === 'active') throw new ActiveJobsLimitError(count, maxActiveJobs);
      throw new InputQuotaError(count, bytes, maxUserInputBytes);
    }
    return JSON.parse(reply) as JobSummary;
  }

  /**
   * Moves the job to `to` if it is in one of `from`, setting `fields` and publishing the new
   * summary in the same step. Null when it was not (nothing changed); else the summary and the
   * values of the `answer` fields after the move.
   */
  async transition(id: string, to: JobState, from: readonly JobState[], fields: Partial<JobHash>, answer: readonly (keyof JobHash)[] = []) {
    const pairs = Object.entries(fields).flatMap(([k, v]) => [k, v ?? '']);
    const reply = await this.scripts.shelfJobTransition(
      this.keys.job(id),
      this.keys.jobsByStatePrefix,
      ...this.itemStateLayout,
      this.keys.jobsActiveByUser(''),
      this.keys.jobEventsChannel,
      to,
      from.join(','),
      answer.length,
      ...answer,
      ...pairs,
    );
    if (!reply) return null;
    const [summary, ...values] = reply;
    return { summary: JSON.parse(summary!) as JobSummary, values };
  }

  /** Only while the job runs; publishes the new summary. False when it no longer runs. */
  async setProgress(id: string, progress: string): Promise<boolean> {
    return (await this.scripts.shelfJobProgress(this.keys.job(id), this.keys.jobEventsChannel, progress)) === 1;
  }

  async setContainerStart(id: string, ms: number): Promise<boolean> {
    return (await this.scripts.shelfJobContainerStart(this.keys.job(id), String(ms))) === 1;
  }

  /** Appends `[stream, line, …]` under the cap and publishes them; `close` ends the log after them. */
  async appendLog(id: string, capBytes: number, pairs: string[], close: boolean, now: Date): Promise<{ stored: number; closed: boolean }> {
    const { keys } = this;
    const [stored, closed] = await this.scripts.shelfJobAppendLog(keys.jobLog(id), keys.jobLogBytes(id), keys.jobLogChannel(id), String(capBytes), now.toISOString(), close ? '1' : '0', ...pairs);
    return { stored, closed: closed === 1 };
  }

  /** Summaries of the given ids, in order, skipping jobs that no longer exist. */
  async summaries(ids: string[]): Promise<JobSummary[]> {
    if (!ids.length) return [];
    const rows = await this.scripts.shelfJobSummaries(ids.length, ...ids.map((id) => this.keys.job(id)));
    return rows.flatMap((row) => (row ? [JSON.parse(row) as JobSummary] : []));
  }

  async detail(id: string): Promise<JobDetail | undefined> {
    const reply = await this.scripts.shelfJobDetail(this.keys.job(id), this.keys.jobApprovals(id));
    if (!reply) return undefined;
    const [summary, ...rest] = reply;
    return toJobDetail(JSON.parse(summary!) as JobSummary, rest);
  }

  /** The job's sealed secret inputs; null when it has none. */
  sealedSecrets(id: string): Promise<string | null> {
    return this.redis.get(this.keys.jobSecrets(id));
  }

  async field(id: string, name: keyof JobHash): Promise<string | null> {
    return this.redis.hget(this.keys.job(id), name);
  }

  async exists(id: string): Promise<boolean> {
    return (await this.redis.exists(this.keys.job(id))) === 1;
  }

  /** Up to `count` stored log lines after the first `after` (seq = list index + 1). */
  async readLog(id: string, after: number, count: number): Promise<LogLine[]> {
    const rows = await this.redis.lrange(this.keys.jobLog(id), after, after + count - 1);
    return rows.map((raw, i) => ({ ...(JSON.parse(raw) as LogLine), seq: after + i + 1 }));
  }

  /**
   * The last `count` stored log lines, oldest first — of `stream` only when given, found among
   * the last `scanLimit` lines — and how many lines the log holds (the seq of its last line).
   */
  async readLogTail(id: string, count: number, stream: LogStream | undefined, scanLimit: number): Promise<{ items: LogLine[]; total: number }> {
    const key = this.keys.jobLog(id);
    const total = await this.redis.llen(key);
    const floor = Math.max(0, total - (stream ? scanLimit : count));
    // Read backwards a window at a time: the lines asked for are usually near the end.
    const window = stream ? Math.min(scanLimit, 500) : count;
    const found: LogLine[] = [];
    for (let end = total; end > floor && found.length < count; end = Math.max(floor, end - window)) {
      const start = Math.max(floor, end - window);
      const rows = await this.redis.lrange(key, start, end - 1);
      for (let i = rows.length - 1; i >= 0 && found.length < count; i--) {
        const line = { ...(JSON.parse(rows[i]!) as LogLine), seq: start + i + 1 };
        if (!stream || line.stream === stream) found.push(line);
      }
    }
    return { items: found.reverse(), total };
  }

  async countByState(): Promise<Record<JobState, number>> {
    const pipeline = this.redis.pipeline();
    for (const state of jobStates) pipeline.zcard(this.keys.jobsByState(state));
    const counts = (await pipeline.exec()) ?? [];
    const failed = counts.find(([err]) => err);
    if (failed) throw failed[0];
    return Object.fromEntries(jobStates.map((state, i) => [state, Number(counts[i]?.[1] ?? 0)])) as Record<JobState, number>;
  }

  async page(plan: PagePlan): Promise<{ total: number; items: JobSummary[] }> {
    const { keys } = this;
    const { state, itemId } = plan;
    const search = plan.scope === 'all' ? undefined : plan.scope;
    // A state is read from each item's own per-state index — the item filter's, or each matched
    // item's — rather than intersected on every request; only jobs found by id are filtered by it.
    const byItem = (id: string) => (state ? keys.jobsByItemState(id, state) : keys.jobsByItem(id));
    const stateIndex = state && !itemId && keys.jobsByState(state);
    const filters = [!search && stateIndex, itemId && byItem(itemId), plan.submittedBy && keys.jobsByUser(plan.submittedBy)].filter((k): k is string => Boolean(k));
    const idFilters = search && stateIndex ? [stateIndex] : [];
    const itemIds = search?.itemIds ?? [];
    // The items' jobs in the state, or in any state: the sizes of the sources.
    const counts = (state ? [state] : jobStates).map((s) => keys.jobCountsByItem(s));
    const scratch = [keys.jobsTemp('page-a'), keys.jobsTemp('page-b')];
    const walked = state ? keys.jobsByState(state) : keys.jobsAll;
    const jobKeys = [keys.jobsAll, keys.jobIds, ...scratch, keys.jobItems, walked, ...filters, ...idFilters, ...counts, ...itemIds.map(byItem)];
    const [total, ...rows] = await this.scripts.shelfJobPage(
      jobKeys.length,
      ...jobKeys,
      plan.offset,
      plan.size,
      filters.length,
      search ? 'search' : 'all',
      search?.idPrefix ?? '',
      this.tuning.maxIdMatches,
      keys.job(''),
      this.tuning.mergeBudget,
      idFilters.length,
      counts.length,
      this.tuning.walkBudget,
      ...itemIds,
    );
    return { total, items: rows.map((row) => JSON.parse(row) as JobSummary) };
  }

  /** Up to `limit` ids of `state` created before `cutoffMs`, skipping the first `offset`. */
  finishedBefore(state: JobState, cutoffMs: number, offset: number, limit: number): Promise<string[]> {
    return this.redis.zrangebyscore(this.keys.jobsByState(state), '-inf', `(${cutoffMs}`, 'LIMIT', offset, limit);
  }

  /** Deletes these finished jobs of `state` (see deleteFinishedJobLua): per id 1 deleted, 2 stale entry removed, 0 kept. */
  async deleteFinished(state: JobState, ids: string[]): Promise<number[]> {
    const { keys } = this;
    // A defined command runs by EVALSHA, so a batch does not send the script once per job.
    const pipeline = this.redis.pipeline() as unknown as DeleteBatch;
    for (const id of ids) {
      pipeline.shelfJobDeleteFinished(
        keys.job(id),
        keys.jobLog(id),
        keys.jobLogBytes(id),
        keys.jobsAll,
        keys.jobIds,
        keys.jobItems,
        keys.jobInputBytesByUser,
        keys.jobApprovals(id),
        keys.jobSecrets(id),
        keys.jobsByStatePrefix,
        keys.jobsByUser(''),
        id,
        keys.jobsByState(state),
        ...this.itemStateLayout,
      );
    }
    const results = (await pipeline.exec()) ?? [];
    return results.map(([err, n]) => (err ? 0 : Number(n)));
  }

  /**
   * Brings a store written by older code up to this layout: adds every job to the indexes it
   * lacks. Cheap once done (one GET); safe to run from several processes at once.
   */
  async upgradeLayout(): Promise<void> {
    const { keys } = this;
    if ((await this.redis.get(keys.jobsLayoutVersion)) === layoutVersion) return;
    // ZSCAN returns every job present from start to end at least once; newer jobs are indexed by create.
    let cursor = '0';
    do {
      const [next, rows] = await this.redis.zscan(keys.jobsAll, cursor, 'COUNT', 1000);
      cursor = next;
      const jobKeys = rows.filter((_, i) => i % 2 === 0).map((id) => keys.job(id));
      if (jobKeys.length) await this.scripts.shelfJobIndexItemState(jobKeys.length, ...jobKeys, ...this.itemStateLayout, keys.jobItems, keys.jobsActiveByUser(''));
    } while (cursor !== '0');
    await this.redis.set(keys.jobsLayoutVersion, layoutVersion);
  }

  /** How many of the user's jobs are in an activeState. */
  countActive(userId: string): Promise<number> {
    return this.redis.zcard(this.keys.jobsActiveByUser(userId));
  }

  /** Asks every worker to stop this job's container (the one running it acts). */
  async requestKill(id: string): Promise<void> {
    await this.redis.publish(this.keys.cancelChannel, id);
  }
}
