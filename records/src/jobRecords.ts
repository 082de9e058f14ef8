import type { Redis } from 'ioredis';
import {
  JobErrorCode,
  JobState,
  type Actor,
  type ApprovalDecision,
  type ApprovalVerdict,
  type JobDetail,
  type JobError,
  type JobSummary,
  type LogLine,
  type LogStream,
  type PreviousRun,
  type RedisKeys,
} from '@shelf/contract';
import { ApprovalStorage, type DecideReply } from './approvalStorage.js';
import { jobIdPattern, newJobId, newJobHash, type NewJob } from './jobLayout.js';
import { JobStorage } from './jobStorage.js';
import { listJobs, type JobPage, type JobQuery } from './listJobs.js';
import { pruneJobs } from './pruneJobs.js';
import type { RegistryReader } from './registryReader.js';
import type { SecretBox } from './secrets/secretBox.js';
import { openSecretInputs, sealSecretInputs, type SecretInputs } from './secrets/secretInputs.js';

/** How far back from the end of a log a tail of one stream looks for its lines. */
export const logTailScanLines = 5000;

/**
 * The job records as the API uses them: submit, cancel, read, list and prune. Every change is
 * one script that checks the state it starts from and publishes the new summary on the job
 * events channel; the worker's side of the same records is {@link RunRecorder}.
 */
export class JobRecords {
  private readonly storage: JobStorage;
  private readonly approvals: ApprovalStorage;

  constructor(
    redis: Redis,
    keys: RedisKeys,
    /** Search matches item names through the registry's own reader (cached per catalog generation). */
    private readonly registry: Pick<RegistryReader, 'itemNames'>,
    /** Seals secret inputs at rest; without it a job with secret inputs is refused. */
    private readonly box?: SecretBox,
  ) {
    this.storage = new JobStorage(redis, keys);
    this.approvals = new ApprovalStorage(redis, keys);
  }

  /**
   * Adds the jobs of a store written by older Shelf versions to the indexes this one keeps
   * (a few seconds for 100,000 jobs, once). Call at start-up, before listing.
   */
  upgradeLayout(): Promise<void> {
    return this.storage.upgradeLayout();
  }

  /**
   * Stores a new job with its indexes and publishes it: QUEUED, or AWAITING_APPROVAL (listed in
   * its approvers' inboxes) when it carries an approval policy.
   * `maxUserInputBytes`: the most bytes of inputs the submitter's stored jobs may hold (0: no limit); past it, InputQuotaError.
   * `maxActiveJobs`: the most jobs the submitter may have queued, running or awaiting approval,
   * this one included (0: no limit); at it, ActiveJobsLimitError. Both are checked in the step that stores the job.
   */
  async create(job: NewJob, now = new Date(), maxUserInputBytes = 0, secretInputs?: SecretInputs, maxActiveJobs = 0): Promise<JobSummary> {
    const id = newJobId();
    return this.storage.create(newJobHash(id, job, now), { maxUserInputBytes, maxActiveJobs }, sealSecretInputs(this.box, id, secretInputs));
  }

  /** How many of the user's jobs are queued, running or awaiting approval. */
  countActive(userId: string): Promise<number> {
    return this.storage.countActive(userId);
  }

  /** The job's secret inputs in clear, for a retry to seal again for the new job; {} when it has none. */
  async secretInputs(id: string): Promise<SecretInputs> {
    return openSecretInputs(this.box, id, await this.storage.sealedSecrets(id));
  }

  /**
   * QUEUED, RUNNING or AWAITING_APPROVAL → CANCELLED, from the state the caller just read: null
   * (nothing changed) when the job has moved on meanwhile.
   */
  async cancel(id: string, from: typeof JobState.QUEUED | typeof JobState.RUNNING | typeof JobState.AWAITING_APPROVAL, byUsername: string, now = new Date()): Promise<JobSummary | null> {
    const errorJson = JSON.stringify({ code: JobErrorCode.CANCELLED, message: `cancelled by ${byUsername}` } satisfies JobError);
    if (from === JobState.AWAITING_APPROVAL) {
      const reply = await this.approvals.decide(id, { what: 'withdraw', errorJson }, now);
      return reply.kind === 'moved' ? reply.summary : null;
    }
    const moved = await this.storage.transition(id, JobState.CANCELLED, [from], { finishedAt: now.toISOString(), error: errorJson });
    return moved?.summary ?? null;
  }

  /**
   * One approver's decision on a job awaiting approval, counted once per approver: an approval
   * that makes enough moves it to QUEUED (the caller then queues it), a rejection to REJECTED.
   * Whether `by` may decide at all is the caller's question (the API's policy).
   */
  decide(id: string, by: Actor, verdict: ApprovalVerdict, comment: string | null, now = new Date()): Promise<DecideReply> {
    const decision: ApprovalDecision = { by: { id: by.id, username: by.username }, decision: verdict, comment, at: now.toISOString() };
    const decisionJson = JSON.stringify(decision);
    if (verdict === 'approved') return this.approvals.decide(id, { what: 'approve', userId: by.id, decisionJson }, now);
    const error: JobError = { code: JobErrorCode.REJECTED, message: `rejected by ${by.username}${comment ? `: ${comment.slice(0, 200)}` : ''}` };
    return this.approvals.decide(id, { what: 'reject', userId: by.id, decisionJson, errorJson: JSON.stringify(error) }, now);
  }

  /** AWAITING_APPROVAL → EXPIRED (its deadline passed); null when it was decided or gone meanwhile. */
  async expire(id: string, now = new Date()): Promise<JobSummary | null> {
    if (!jobIdPattern.test(id)) return null;
    const timeout = (await this.summary(id))?.approval?.timeout;
    const error: JobError = { code: JobErrorCode.EXPIRED, message: `nobody approved it within ${timeout ?? 'the approval timeout'}` };
    const reply = await this.approvals.decide(id, { what: 'expire', errorJson: JSON.stringify(error) }, now);
    return reply.kind === 'moved' ? reply.summary : null;
  }

  /**
   * Jobs awaiting the decision of the user `userId`, known by these principal index names
   * (principalIndexName), newest first, at most `limit`: never their own, nor ones they decided.
   */
  awaitingDecision(principals: string[], userId: string, limit = 500): Promise<JobSummary[]> {
    return this.approvals.awaitingDecision(principals, userId, limit);
  }

  /** Every job awaiting approval, with its deadline. */
  awaitingDeadlines(): Promise<{ id: string; deadline: string }[]> {
    return this.approvals.awaitingDeadlines();
  }

  /** The submitter's run of the same item before this job, for a reviewer's comparison. */
  previousRun(id: string): Promise<PreviousRun | null> {
    return jobIdPattern.test(id) ? this.approvals.previousRun(id) : Promise.resolve(null);
  }

  /** QUEUED → FAILED (INFRA): the job was stored but could not be queued. */
  async failUnqueued(id: string, message: string, now = new Date()): Promise<JobSummary | null> {
    const error: JobError = { code: JobErrorCode.INFRA, message };
    const moved = await this.storage.transition(id, JobState.FAILED, [JobState.QUEUED], { finishedAt: now.toISOString(), error: JSON.stringify(error) });
    return moved?.summary ?? null;
  }

  /** AWAITING_APPROVAL → FAILED (INFRA): the job was stored but its approval timeout could not be scheduled. */
  async failUnscheduled(id: string, message: string, now = new Date()): Promise<JobSummary | null> {
    const errorJson = JSON.stringify({ code: JobErrorCode.INFRA, message } satisfies JobError);
    const reply = await this.approvals.decide(id, { what: 'fail', errorJson }, now);
    return reply.kind === 'moved' ? reply.summary : null;
  }

  /** Asks every worker to stop this job's container (the one running it acts). */
  requestKill(id: string): Promise<void> {
    return this.storage.requestKill(id);
  }

  /** The job's summary; undefined when there is no such job. */
  async summary(id: string): Promise<JobSummary | undefined> {
    if (!jobIdPattern.test(id)) return undefined;
    return (await this.storage.summaries([id]))[0];
  }

  /** The job with its digest, inputs, outputs, limits and approval decisions; undefined when there is no such job. */
  async detail(id: string): Promise<JobDetail | undefined> {
    return jobIdPattern.test(id) ? this.storage.detail(id) : undefined;
  }

  /** Summaries of the given ids, in order, skipping jobs that no longer exist. */
  summaries(ids: string[]): Promise<JobSummary[]> {
    return this.storage.summaries(ids.filter((id) => jobIdPattern.test(id)));
  }

  async has(id: string): Promise<boolean> {
    return jobIdPattern.test(id) && this.storage.exists(id);
  }

  /** Up to `count` stored log lines after the first `after` (seq = list index + 1). */
  readLog(id: string, after: number, count: number): Promise<LogLine[]> {
    return this.storage.readLog(id, after, count);
  }

  /**
   * The last `count` stored log lines, oldest first, of `stream` only when given (looked for
   * among the last {@link logTailScanLines} lines), and the seq of the log's last line.
   */
  readLogTail(id: string, count: number, stream?: LogStream): Promise<{ items: LogLine[]; total: number }> {
    return this.storage.readLogTail(id, count, stream, logTailScanLines);
  }

  /** `GET /api/jobs`: a page, newest first; see listJobs. */
  list(query: JobQuery): Promise<JobPage> {
    return listJobs(this.storage, () => this.registry.itemNames(), query);
  }

  /** How many jobs are stored in each state. */
  countByState(): Promise<Record<JobState, number>> {
    return this.storage.countByState();
  }

  /** The seconds the worker took to create and start the job's container; undefined if it never did. */
  async containerStartSeconds(id: string): Promise<number | undefined> {
    const raw = jobIdPattern.test(id) ? await this.storage.field(id, 'containerStartMs') : null;
    const ms = raw ? Number(raw) : NaN;
    return Number.isFinite(ms) ? ms / 1000 : undefined;
  }

  /** The routing labels the job asked for at submission (its run queue); empty for none or no such job. */
  async runsOn(id: string): Promise<string[]> {
    const raw = jobIdPattern.test(id) ? await this.storage.field(id, 'runsOn') : null;
    return raw ? (JSON.parse(raw) as string[]) : [];
  }

  /** Deletes finished jobs older than `olderThanMs` with their logs; how many were deleted. */
  prune(olderThanMs: number, now = Date.now()): Promise<number> {
    return pruneJobs(this.storage, olderThanMs, now);
  }
}
