import { JobErrorCode, JobState } from '@shelf/contract';
import { z } from '../zod.js';
import { Actor, Digest, IsoTime, JobId, pageOf } from './common.js';

const Inputs = z.record(z.string(), z.unknown()).openapi({ description: 'The validated inputs; secret (writeOnly) values show as `********`.' });

const JobApproval = z.object({
  approvers: z.array(z.string()),
  minApprovals: z.number().int(),
  timeout: z.string(),
  deadline: IsoTime,
  approved: z.number().int().openapi({ description: 'How many distinct approvers said yes so far.' }),
});

const jobSummaryShape = {
  id: JobId,
  itemId: z.string(),
  itemName: z.string(),
  version: z.string(),
  state: z.enum(JobState),
  progress: z.object({ percent: z.number().min(0).max(100), message: z.string() }),
  createdAt: IsoTime,
  startedAt: IsoTime.nullable(),
  finishedAt: IsoTime.nullable(),
  error: z.object({ code: z.enum(JobErrorCode), message: z.string() }).nullable(),
  retryOf: JobId.nullable(),
  rerunOf: JobId.optional(),
  scheduleId: z.string().optional(),
  submittedBy: z.union([Actor, z.null()]).openapi({ description: 'Who submitted it; null only for jobs stored before Shelf had identity.' }),
  approval: JobApproval.optional().openapi({ description: 'Only for jobs of items with an approval policy: the policy frozen at submission and the approvals so far.' }),
};

export const JobSummary = z.object(jobSummaryShape).openapi('JobSummary');

export const JobList = pageOf(JobSummary).openapi('JobList');

/** `GET /api/jobs/:id`: the summary's fields and more (written out, not `allOf`, so each schema stands alone). */
export const JobDetail = z
  .object({
    ...jobSummaryShape,
    digest: Digest,
    inputs: Inputs,
    exitCode: z.number().int().nullable(),
    outputs: z.record(z.string(), z.unknown()).nullable(),
    limits: z.object({ memoryBytes: z.number(), cpus: z.number(), pids: z.number().int(), timeoutSeconds: z.number() }).openapi({ description: 'The limits applied, after capping by the server maximums.' }),
    runsOn: z.array(z.string()).openapi({ description: 'The routing labels a worker must all have to take it.' }),
    workerId: z.string().nullable(),
    approvals: z.array(z.object({ by: Actor, decision: z.enum(['approved', 'rejected']), comment: z.string().nullable(), at: IsoTime })),
    canDecide: z.object({ allowed: z.boolean(), reason: z.string().optional() }),
    previousRun: z.object({ id: JobId, version: z.string(), createdAt: IsoTime, inputs: Inputs }).nullable(),
    waitingFor: z.object({ labels: z.array(z.string()), reason: z.string() }).optional(),
  })
  .openapi('JobDetail');

export const JobSubmitted = z
  .object({ id: JobId, callbackSecret: z.string().optional().openapi({ description: 'With a callbackUrl: the secret its deliveries are signed with, shown once.' }) })
  .openapi('JobSubmitted');

export const RetryAnswer = z.object({ id: JobId }).openapi('JobRetried');

export const ValidateAnswer = z.object({ itemId: z.string(), version: z.string(), inputs: Inputs }).openapi('ValidatedInputs');

export const LogPage = z
  .object({
    items: z.array(z.object({ seq: z.number().int().min(1), ts: IsoTime, stream: z.enum(['stdout', 'stderr', 'system']), line: z.string() })),
    next: z.number().int().openapi({ description: 'Pass as `after` to read on.' }),
  })
  .openapi('LogPage');
