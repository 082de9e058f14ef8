import { z } from 'zod';
import { freezeApproval, JobState, retryableStates, secretValueProblem, splitSecretInputs, type ApprovalPolicy, type Manifest, type Problem, type RunJobData, type VersionRecord } from '@shelf/contract';
import { ActiveJobsLimitError, describeRefused, InputQuotaError, type JobRecords, type NamedSecrets, type NewJob, type SecretInputs } from '@shelf/records';
import { canActOnJob, canRunItem, canSeeJob, canUseImage, type Decision } from '../auth/policy.js';
import { actorOf, type Principal } from '../auth/principal.js';
import { BadRequestError, ConflictError, ForbiddenError, NotFoundError, PayloadTooLargeError, QuotaExceededError, RateLimitedError, UnavailableError, ValidationError } from '../errors.js';
import { formatBytes } from '@shelf/contract';
import type { Registry } from '../registry/registry.js';
import type { ApprovalTimeouts } from './approvalTimeouts.js';
import type { InputValidator } from './inputValidator.js';
import type { JobCallbacks } from '../notify/index.js';
import { applyLimits, type MaxLimits } from './jobLimits.js';
import type { RunQueueSet } from './runQueueSet.js';

/** `POST /api/jobs` body. Unknown fields are refused so a typo (`input`) does not silently run defaults. */
export const EnqueueRequest = z
  .object({
    itemId: z.string().min(1).max(128),
    version: z.string().min(1).max(128).default('latest'),
    inputs: z.record(z.string(), z.unknown()).default({}),
    // A plain string: the notify URL policy answers a bad URL with 422 and the reason.
    callbackUrl: z.string().min(1).max(2048).optional(),
    /** "Run again with changes": the job this one re-runs, shown as a link on both. */
    rerunOf: z.string().regex(/^[0-9a-f]{32}$/, 'a job id').optional(),
  })
  .strict();
export type EnqueueRequest = z.infer<typeof EnqueueRequest>;

/** `POST /api/jobs/validate` body: what a submission would be checked on. */
export const ValidateRequest = z
  .object({
    itemId: z.string().min(1).max(128),
    version: z.string().min(1).max(128).default('latest'),
    inputs: z.record(z.string(), z.unknown()).default({}),
  })
  .strict();
export type ValidateRequest = z.infer<typeof ValidateRequest>;

/** What queues a job for the workers. */
export interface QueueDeps {
  records: JobRecords;
  queues: RunQueueSet;
}

export interface LaunchDeps extends QueueDeps {
  /** The deadlines of jobs that wait for approval. */
  timeouts: ApprovalTimeouts;
  registry: Registry;
  inputs: InputValidator;
  maxLimits: MaxLimits;
  /** SHELF_ALLOWED_IMAGES, checked again at every run. */
  allowedImages: string[];
  /** SHELF_MAX_JOB_INPUT_BYTES and SHELF_MAX_USER_INPUT_BYTES: what one job's inputs, and one user's stored jobs' inputs, may weigh. */
  inputQuota: { maxJobBytes: number; maxUserBytes: number };
  /** SHELF_MAX_ACTIVE_JOBS_PER_USER: jobs one user may have queued, running or awaiting approval. */
  maxActiveJobsPerUser: number;
  /** Per-job callback URLs (SPEC §8); absent where notifications are not set up. */
  callbacks?: JobCallbacks;
  /** The named secrets, to refuse at submission an item that names one it may not read. */
  namedSecrets: Pick<NamedSecrets, 'refusedFor'>;
}

/** What a submission answers: the job, and whether it waits for approval instead of being queued. */
export interface Launched {
  id: string;
  state: typeof JobState.QUEUED | typeof JobState.AWAITING_APPROVAL;
  /** The key the job's callbackUrl deliveries are signed with; answered once. */
  callbackSecret?: string;
}

/** A run request that passed every check a submission makes: what would be stored and sealed. */
export interface CheckedRun {
  version: VersionRecord;
  /** The inputs with the schema's defaults applied, each secret shown as SECRET_MASK. */
  inputs: Record<string, unknown>;
  /** The secret inputs by JSON pointer. */
  secrets: SecretInputs;
}

/**
 * Every check of a submission, storing nothing: may `by` run the item (image, access, its named
 * secrets), do the inputs match its schema (with defaults applied), are the secret ones maskable,
 * and do they fit the per-job size. The dry run (`POST /api/jobs/validate`) is exactly this.
 */
export async function checkRun(deps: LaunchDeps, request: Pick<EnqueueRequest, 'itemId' | 'version' | 'inputs'>, by: Principal): Promise<CheckedRun> {
  const version = await deps.registry.getVersion(request.itemId, request.version);
  check(canRunItem(by, version.manifest));
  check(canUseImage(version.manifest.runtime.image, deps.allowedImages));
  await checkNamedSecrets(deps, version.id, version.manifest);
  const validated = await deps.inputs.validate(version, request.inputs);
  const { shown: inputs, secrets } = splitSecretInputs(validated.inputs, validated.secretPointers);
  checkSecretInputs(secrets);
  const bytes = Buffer.byteLength(JSON.stringify(inputs));
  if (bytes > deps.inputQuota.maxJobBytes) {
    throw new PayloadTooLargeError(`the inputs weigh ${formatBytes(bytes)}; one job's inputs may weigh at most ${formatBytes(deps.inputQuota.maxJobBytes)} (SHELF_MAX_JOB_INPUT_BYTES) — pass large data as a URL or a file in the item`);
  }
  return { version, inputs, secrets };
}

/** Where a job came from besides its submitter: a schedule's tick. */
export interface JobOrigin {
  scheduleId?: string;
}

/** Validates a run request against the pinned version and queues it, or holds it for approval when the item asks for one. */
export async function enqueueJob(deps: LaunchDeps, request: EnqueueRequest, by: Principal, origin: JobOrigin = {}): Promise<Launched> {
  // Refused before anything is stored.
  if (request.callbackUrl && !deps.callbacks) throw new BadRequestError('callbackUrl is not available on this Shelf');
  if (request.callbackUrl) await deps.callbacks!.checkCallbackUrl(request.callbackUrl);
  const { version, inputs, secrets } = await checkRun(deps, request, by);
  if (request.rerunOf) await checkRerunOf(deps, request.rerunOf, version.id, by);
  const launched = await launch(
    deps,
    {
      itemId: version.id,
      itemName: version.manifest.name,
      version: version.version,
      digest: version.digest,
      inputs,
      limits: applyLimits(version.manifest, deps.maxLimits),
      runsOn: version.manifest.runsOn ?? [],
      submittedBy: actorOf(by),
      ...(request.rerunOf ? { rerunOf: request.rerunOf } : {}),
      ...(origin.scheduleId ? { scheduleId: origin.scheduleId } : {}),
    },
    version.manifest.approval,
    secrets,
  );
  return request.callbackUrl ? { ...launched, ...(await deps.callbacks!.registerCallback(launched.id, request.callbackUrl)) } : launched;
}

/** "Run again with changes" links the new job to one of the same item the submitter may see. */
async function checkRerunOf(deps: LaunchDeps, rerunOf: string, itemId: string, by: Principal): Promise<void> {
  const original = await deps.records.summary(rerunOf);
  if (!original || !canSeeJob(by, original).allowed) {
    throw new ValidationError(`rerunOf: no job ${rerunOf} that you may see`, [{ file: 'request', path: '/rerunOf', message: 'not a job you may see' }]);
  }
  if (original.itemId !== itemId) {
    throw new ValidationError(`rerunOf: job ${rerunOf} ran ${original.itemId}, not ${itemId}`, [{ file: 'request', path: '/rerunOf', message: `a run of ${original.itemId}, not of ${itemId}` }]);
  }
}

/** An item naming a secret it may not read is refused now, not when its job runs. */
async function checkNamedSecrets(deps: LaunchDeps, itemId: string, manifest: Manifest): Promise<void> {
  const names = manifest.secrets ?? [];
  const refused = await deps.namedSecrets.refusedFor(itemId, names);
  if (refused.length === 0) return;
  const problems: Problem[] = refused.map(({ name, reason }) => ({
    file: 'manifest',
    path: `/secrets/${names.indexOf(name)}`,
    message: reason === 'missing' ? `secret ${name} does not exist` : `secret ${name} does not list item ${itemId} among the items that may use it`,
  }));
  throw new ValidationError(describeRefused(itemId, refused), problems);
}

/** Secret inputs too short to mask (or not text) are refused, naming the field and never the value. */
function checkSecretInputs(secrets: Record<string, unknown>): asserts secrets is SecretInputs {
  const problems: Problem[] = [];
  for (const [pointer, value] of Object.entries(secrets)) {
    const problem = secretValueProblem(value);
    if (problem) problems.push({ file: 'inputs', path: pointer, message: problem });
  }
  if (problems.length) throw new ValidationError('the inputs do not match the item\'s schema', problems);
}

export function check(decision: Decision): void {
  if (!decision.allowed) throw new ForbiddenError(decision.reason);
}

/** A job the records answered, or 404. */
export function found<T>(job: T | undefined, id: string): T {
  if (!job) throw new NotFoundError('job', id);
  return job;
}

/** A new run of a failed, cancelled, rejected or expired job: same digest, inputs and limits (and approval asked again). */
export async function retryJob(deps: LaunchDeps, id: string, by: Principal): Promise<Launched> {
  const old = found(await deps.records.detail(id), id);
  check(canActOnJob(by, old));
  // The item's access list may have changed since: a retry is a new run and asks again.
  const { manifest } = await deps.registry.getVersion(old.itemId, old.version);
  check(canRunItem(by, manifest));
  check(canUseImage(manifest.runtime.image, deps.allowedImages));
  if (!retryableStates.includes(old.state)) {
    throw new ConflictError(`only a ${retryableStates.join(', ')} job can be retried; job ${id} is ${old.state}`, { state: old.state });
  }
  await checkNamedSecrets(deps, old.itemId, manifest);
  // The same secret inputs, sealed again for the new job.
  const secrets = await deps.records.secretInputs(id);
  const { itemId, itemName, version, digest, inputs, limits } = old;
  return launch(deps, { itemId, itemName, version, digest, inputs, limits, runsOn: manifest.runsOn ?? [], retryOf: id, submittedBy: actorOf(by) }, manifest.approval, secrets);
}

/** How long a user over their active-job limit is asked to wait: jobs take seconds to hours, so a guess. */
const activeLimitRetrySeconds = 30;

/**
 * Stores the job first (the worker looks it up), then queues it; a queue failure fails the job.
 * A job that needs approval is stored with its policy frozen and waits: its timeout is
 * scheduled instead, and it is queued once approved (decideJob).
 */
async function launch(deps: LaunchDeps, job: NewJob, approval: ApprovalPolicy | undefined, secrets: SecretInputs): Promise<Launched> {
  const now = new Date();
  const frozen = approval ? freezeApproval(approval, now) : undefined;
  const { id } = await deps.records.create({ ...job, approval: frozen }, now, deps.inputQuota.maxUserBytes, secrets, deps.maxActiveJobsPerUser).catch((err: unknown) => {
    if (err instanceof ActiveJobsLimitError) {
      throw new RateLimitedError(
        `${job.submittedBy.username} already has ${err.activeJobs} jobs queued, running or awaiting approval, the most one user may have (SHELF_MAX_ACTIVE_JOBS_PER_USER=${err.limit}); submit again once one of them has finished`,
        activeLimitRetrySeconds,
      );
    }
    if (!(err instanceof InputQuotaError)) throw err;
    const { usedBytes, limitBytes } = err;
    throw new QuotaExceededError(
      `${job.submittedBy?.username ?? 'this user'}'s stored jobs hold ${formatBytes(usedBytes)} of inputs; this job's ${formatBytes(err.inputBytes)} would pass the ${formatBytes(limitBytes)} one user may keep (SHELF_MAX_USER_INPUT_BYTES) — finished jobs are deleted after the retention period`,
      { quota: 'userInputs', limit: limitBytes },
    );
  });
  if (frozen) {
    try {
      await deps.timeouts.schedule(id, frozen.deadline);
    } catch (err) {
      await deps.records.failUnscheduled(id, `could not schedule the approval timeout: ${(err as Error).message}`);
      throw new UnavailableError('the job queue is not reachable; try again shortly');
    }
    return { id, state: JobState.AWAITING_APPROVAL };
  }
  await queueRun(deps, { jobId: id, itemId: job.itemId, version: job.version, digest: job.digest }, job.runsOn ?? []);
  return { id, state: JobState.QUEUED };
}

/**
 * Hands a stored QUEUED job to the workers having every label in `runsOn`; when the queue cannot
 * take it, the job fails (INFRA) and the caller gets 503.
 */
export async function queueRun(deps: QueueDeps, data: RunJobData, runsOn: readonly string[]): Promise<void> {
  try {
    await deps.queues.add(data, runsOn);
  } catch (err) {
    await deps.records.failUnqueued(data.jobId, `could not queue the job: ${(err as Error).message}`);
    throw new UnavailableError('the job queue is not reachable; try again shortly');
  }
}
