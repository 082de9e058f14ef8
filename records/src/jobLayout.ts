import { randomBytes } from 'node:crypto';
import { JobState, normalizeLabels, principalIndexName, type Actor, type ApprovalDecision, type ApprovalSnapshot, type JobDetail, type JobLimits, type JobSummary, type RedisKeys } from '@shelf/contract';

/**
 * How a job is stored: one Redis hash per job (`keys.job(id)`), every field a string;
 * JSON-valued fields are marked. Only the records package reads or writes it.
 */
export interface JobHash {
  id: string;
  itemId: string;
  itemName: string;
  version: string;
  digest: string;
  state: JobState;
  /** JSON JobProgress */
  progress: string;
  createdAt: string;
  /** '' when not yet */
  startedAt: string;
  finishedAt: string;
  /** JSON JobError or '' */
  error: string;
  retryOf: string;
  /** The job this one re-runs with changes ("run again with changes"); absent otherwise. */
  rerunOf?: string;
  /** The schedule that started it; absent for jobs run by hand. */
  scheduleId?: string;
  /** JSON object */
  inputs: string;
  /** '' or an integer */
  exitCode: string;
  /** JSON object or '' */
  outputs: string;
  /** JSON JobLimits */
  limits: string;
  /** JSON array of the routing labels the item asked for, frozen at submission; absent when none. */
  runsOn?: string;
  /** The worker that started it (SHELF_WORKER_ID); absent until one did. */
  workerId?: string;
  /** the creation time in ms, the score of every index */
  createdMs: string;
  /** The submitting user's id and name ('' for jobs from before identity). */
  submittedById: string;
  submittedByName: string;
  /** Milliseconds from creating the container to its start, as the worker measured it; absent until then. */
  containerStartMs?: string;
  /** JSON ApprovalSnapshot: only for jobs that need approval. */
  approval?: string;
  /** JSON array of the approvers' index names (principalIndexName): the inboxes the job is listed in while it waits. */
  approverIndex?: string;
  /** How many distinct approvers said yes (absent: none yet). Each one's `decided:<user id>` field marks their decision. */
  approved?: string;
}

/** What a detail adds to the summary, in the order the detail script returns them. */
export const detailFields = ['digest', 'inputs', 'exitCode', 'outputs', 'limits', 'runsOn', 'workerId'] as const satisfies readonly (keyof JobHash)[];

/** What a new job is made of; the records add its id, state and times. */
export interface NewJob {
  itemId: string;
  itemName: string;
  version: string;
  digest: string;
  inputs: Record<string, unknown>;
  limits: JobLimits;
  /** The item's routing labels (manifest runsOn): the run queue it waits on. */
  runsOn?: string[];
  retryOf?: string;
  rerunOf?: string;
  scheduleId?: string;
  submittedBy: Actor;
  /** The item's approval policy, frozen now: the job then waits AWAITING_APPROVAL instead of being QUEUED. */
  approval?: ApprovalSnapshot;
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

/** The stored form of a job just submitted: QUEUED, or AWAITING_APPROVAL with its frozen policy. */
export function newJobHash(id: string, job: NewJob, now: Date): JobHash {
  const approval = job.approval
    ? { approval: JSON.stringify(job.approval), approverIndex: JSON.stringify([...new Set(job.approval.approvers.map(principalIndexName))]) }
    : {};
  return {
    id,
    itemId: job.itemId,
    itemName: job.itemName,
    version: job.version,
    digest: job.digest,
    state: job.approval ? JobState.AWAITING_APPROVAL : JobState.QUEUED,
    progress: JSON.stringify({ percent: 0, message: '' }),
    createdAt: now.toISOString(),
    startedAt: '',
    finishedAt: '',
    error: '',
    retryOf: job.retryOf ?? '',
    ...(job.rerunOf ? { rerunOf: job.rerunOf } : {}),
    ...(job.scheduleId ? { scheduleId: job.scheduleId } : {}),
    inputs: JSON.stringify(job.inputs),
    exitCode: '',
    outputs: '',
    limits: JSON.stringify(job.limits),
    ...(job.runsOn?.length ? { runsOn: JSON.stringify(normalizeLabels(job.runsOn)) } : {}),
    createdMs: String(now.getTime()),
    submittedById: job.submittedBy.id,
    submittedByName: job.submittedBy.username,
    ...approval,
  };
}

/**
 * The per-item-and-state layout as the scripts want it: the per-item index prefix, what follows
 * the item id before the state, the per-state count hash prefix.
 */
export function itemStateLayout(keys: RedisKeys): [string, string, string] {
  const itemPrefix = keys.jobsByItem('');
  return [itemPrefix, keys.jobsByItemState('', '').slice(itemPrefix.length), keys.jobCountsByItem('')];
}

const jsonOr = <T>(s: string | null | undefined, fallback: T): T => (s ? (JSON.parse(s) as T) : fallback);

/**
 * A detail from the summary (built by the summary script, the one encoder of summaries), the
 * detail fields in {@link detailFields} order, then the decisions as one JSON array.
 */
export function toJobDetail(summary: JobSummary, detail: (string | null)[]): JobDetail {
  const [digest, inputs, exitCode, outputs, limits, runsOn, workerId, approvals] = detail;
  return {
    ...summary,
    digest: digest ?? '',
    inputs: jsonOr<Record<string, unknown>>(inputs, {}),
    exitCode: exitCode ? Number(exitCode) : null,
    outputs: jsonOr<Record<string, unknown> | null>(outputs, null),
    limits: jsonOr<JobLimits>(limits, { memoryBytes: 0, cpus: 0, pids: 0, timeoutSeconds: 0 }),
    runsOn: jsonOr<string[]>(runsOn, []),
    workerId: workerId || null,
    approvals: jsonOr<ApprovalDecision[]>(approvals, []),
  };
}
