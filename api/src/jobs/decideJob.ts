import { z } from 'zod';
import { JobState, maxApprovalCommentChars, type ApprovalVerdict, type JobDetail, type JobDetailAnswer, type JobSummary } from '@shelf/contract';
import type { JobRecords } from '@shelf/records';
import type { AuditLog } from '../auth/auditLog.js';
import { canDecideJob, canSeeJob, principalsOf, type Decision } from '../auth/policy.js';
import { actorOf, type Principal } from '../auth/principal.js';
import { ConflictError, NotFoundError } from '../errors.js';
import type { Logger } from '../logger.js';
import type { ApprovalTimeouts } from './approvalTimeouts.js';
import { check, found, queueRun, type QueueDeps } from './enqueueJob.js';

/** `POST /api/jobs/:id/approve` and `/reject` body. */
export const DecisionRequest = z
  .object({ comment: z.string().trim().max(maxApprovalCommentChars).optional() })
  .strict();
export type DecisionRequest = z.infer<typeof DecisionRequest>;

export interface DecideDeps extends QueueDeps {
  timeouts: ApprovalTimeouts;
}

/**
 * One approver's decision. Who may decide is the policy's question, asked of the policy frozen
 * into the job; whether the job still waits, and whether this approver decided already, is the
 * records' atomic step. The approval that makes enough queues the job for the workers.
 */
export async function decideJob(deps: DecideDeps, id: string, verdict: ApprovalVerdict, request: DecisionRequest, by: Principal): Promise<JobSummary> {
  const job = found(await deps.records.detail(id), id);
  check(canSeeJob(by, job));
  if (!job.approval) throw new ConflictError(`job ${id} needs no approval`, { state: job.state });
  check(canDecideJob(by, { ...job, approval: job.approval }));
  const reply = await deps.records.decide(id, actorOf(by), verdict, request.comment || null);
  switch (reply.kind) {
    case 'missing':
      throw new NotFoundError('job', id);
    case 'not-awaiting':
      throw new ConflictError(`job ${id} is not awaiting approval; it is ${reply.state}`, { state: reply.state });
    case 'already-decided':
      throw new ConflictError(`${by.username} has already decided on job ${id}; each approver decides once`, { state: JobState.AWAITING_APPROVAL });
    case 'recorded':
      return reply.summary;
    case 'moved':
      await deps.timeouts.forget(id);
      if (reply.summary.state === JobState.QUEUED) await queueRun(deps, { jobId: id, itemId: job.itemId, version: job.version, digest: job.digest }, job.runsOn);
      return reply.summary;
  }
}

/** The timeout's end of a request: expires the job if it still waits, and says so in the audit log. */
export async function expireJob(deps: { records: JobRecords; audit?: Pick<AuditLog, 'record'>; logger: Logger }, id: string): Promise<void> {
  const expired = await deps.records.expire(id);
  if (!expired) return;
  // The expiry stands whatever happens to its record: a failed write must not expire it again.
  await deps.audit?.record({ actor: 'system', action: 'job.expire', target: id, outcome: 'ok', ip: '', detail: expired.error?.message }).catch((err: Error) => deps.logger.warn({ err: err.message, jobId: id }, 'could not write the audit log'));
}

/** `GET /api/approvals`: jobs awaiting this caller's decision, newest first (the policy has the last word on each). */
export async function awaitingDecisionOf(records: JobRecords, by: Principal): Promise<JobSummary[]> {
  const candidates = await records.awaitingDecision(principalsOf(by), by.id);
  return candidates.filter((job) => job.approval && canDecideJob(by, { ...job, approval: job.approval }).allowed);
}

/** The job detail as `by` sees it: whether they may decide on it now, and the comparison a reviewer needs. */
export async function detailFor(records: JobRecords, job: JobDetail, by: Principal): Promise<JobDetailAnswer> {
  const { approval } = job;
  if (!approval) return { ...job, canDecide: { allowed: false, reason: 'this job needs no approval' }, previousRun: null };
  return { ...job, canDecide: decisionRight({ ...job, approval }, by), previousRun: await records.previousRun(job.id) };
}

function decisionRight(job: JobDetail & { approval: NonNullable<JobDetail['approval']> }, by: Principal): Decision {
  const policy = canDecideJob(by, job);
  if (!policy.allowed) return policy;
  const own = job.approvals.find((d) => d.by.id === by.id);
  if (own) return { allowed: false, reason: `you ${own.decision} it already` };
  if (job.state !== JobState.AWAITING_APPROVAL) return { allowed: false, reason: `it is ${job.state}, no longer awaiting approval` };
  return policy;
}
