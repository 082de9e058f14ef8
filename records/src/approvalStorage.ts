import type { Redis } from 'ioredis';
import { JobState, type ApprovalSnapshot, type JobSummary, type PreviousRun, type RedisKeys } from '@shelf/contract';
import { awaitingDecisionLua, decideJobLua } from './approvalScripts.js';
import { itemStateLayout } from './jobLayout.js';

type Arg = string | number;

interface Scripts {
  shelfJobDecide(...args: Arg[]): Promise<string[] | null>;
  shelfJobsAwaitingDecision(numKeys: number, ...args: Arg[]): Promise<string[]>;
}

/** What one call of {@link ApprovalStorage.decide} did. */
export type DecideReply =
  | { kind: 'moved'; summary: JobSummary }
  | { kind: 'recorded'; summary: JobSummary }
  | { kind: 'not-awaiting'; state: JobState }
  | { kind: 'already-decided' }
  | { kind: 'missing' };

export type DecideStep =
  | { what: 'approve' | 'reject'; userId: string; decisionJson: string; errorJson?: string }
  | { what: 'expire' | 'withdraw' | 'fail'; errorJson: string };

/** Entries read per inbox: far more than anyone reviews at once. */
const inboxReadLimit = 1000;
/** How far back in a submitter's jobs the previous run of the same item is looked for. */
const previousRunWindow = 500;

/**
 * The approval part of the job layout (see JobStorage for the rest): each job's decisions list,
 * the per-principal inboxes of jobs awaiting approval, and the one script by which a job leaves
 * AWAITING_APPROVAL. Only the records package reads or writes these keys.
 */
export class ApprovalStorage {
  private readonly scripts: Scripts;

  constructor(
    private readonly redis: Redis,
    private readonly keys: RedisKeys,
  ) {
    redis.defineCommand('shelfJobDecide', { numberOfKeys: 2, lua: decideJobLua });
    redis.defineCommand('shelfJobsAwaitingDecision', { lua: awaitingDecisionLua });
    this.scripts = redis as unknown as Scripts;
  }

  async decide(id: string, step: DecideStep, now: Date): Promise<DecideReply> {
    const { keys } = this;
    const reply = await this.scripts.shelfJobDecide(
      keys.job(id),
      keys.jobApprovals(id),
      keys.jobEventsChannel,
      keys.jobsByStatePrefix,
      ...itemStateLayout(keys),
      keys.jobsAwaiting(''),
      step.what,
      now.toISOString(),
      'userId' in step ? step.userId : '',
      'decisionJson' in step ? step.decisionJson : '',
      step.errorJson ?? '',
      keys.jobsActiveByUser(''),
    );
    if (!reply) return { kind: 'missing' };
    const [kind, value] = reply;
    if (kind === 'state') return { kind: 'not-awaiting', state: value as JobState };
    if (kind === 'decided') return { kind: 'already-decided' };
    return { kind: kind as 'moved' | 'recorded', summary: JSON.parse(value!) as JobSummary };
  }

  /** Jobs awaiting the decision of a user known by these principal index names, newest first. */
  async awaitingDecision(principals: string[], userId: string, limit: number): Promise<JobSummary[]> {
    if (!principals.length) return [];
    const inboxes = principals.map((p) => this.keys.jobsAwaiting(p));
    const rows = await this.scripts.shelfJobsAwaitingDecision(inboxes.length, ...inboxes, this.keys.job(''), userId, limit, inboxReadLimit);
    return rows.map((row) => JSON.parse(row) as JobSummary);
  }

  /** Every job awaiting approval with its deadline: what the timeouts must cover. */
  async awaitingDeadlines(): Promise<{ id: string; deadline: string }[]> {
    const ids = await this.redis.zrange(this.keys.jobsByState(JobState.AWAITING_APPROVAL), 0, -1);
    if (!ids.length) return [];
    const pipeline = this.redis.pipeline();
    for (const id of ids) pipeline.hget(this.keys.job(id), 'approval');
    const rows = (await pipeline.exec()) ?? [];
    return ids.flatMap((id, i) => {
      const raw = rows[i]?.[1];
      return typeof raw === 'string' ? [{ id, deadline: (JSON.parse(raw) as ApprovalSnapshot).deadline }] : [];
    });
  }

  /** The same submitter's newest job of the same item created before this one, if any. */
  async previousRun(id: string): Promise<PreviousRun | null> {
    const [createdMs, userId, itemId] = await this.redis.hmget(this.keys.job(id), 'createdMs', 'submittedById', 'itemId');
    if (!createdMs || !userId || !itemId) return null;
    const earlier = await this.redis.zrevrangebyscore(this.keys.jobsByUser(userId), `(${createdMs}`, '-inf', 'LIMIT', 0, previousRunWindow);
    if (!earlier.length) return null;
    const items = await this.redis.hmget(this.keys.jobItems, ...earlier);
    const previous = earlier.find((_, i) => items[i] === itemId);
    if (!previous) return null;
    const [version, createdAt, inputs] = await this.redis.hmget(this.keys.job(previous), 'version', 'createdAt', 'inputs');
    if (!createdAt) return null;
    return { id: previous, version: version ?? '', createdAt, inputs: inputs ? (JSON.parse(inputs) as Record<string, unknown>) : {} };
  }
}
