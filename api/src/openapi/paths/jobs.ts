import { DecisionRequest, EnqueueRequest, ValidateRequest } from '../../jobs/index.js';
import { ListJobsQuery, LogsQuery } from '../../routes/jobs.js';
import { operations } from '../operation.js';
import { z } from '../zod.js';
import { JobId, itemsOf } from '../schemas/common.js';
import { JobDetail, JobList, JobSubmitted, JobSummary, LogPage, RetryAnswer, ValidateAnswer } from '../schemas/jobs.js';

const JobParams = z.object({ id: JobId });
const Decision = DecisionRequest.meta({ id: 'Decision' });
const noJob = 'no such job';
const notYours = "someone else's job (non-admins see their own jobs and those awaiting their decision)";
const inputErrors = {
  403: 'the caller may not run this item (its `access.run`), or its image or egress is not allowed',
  404: 'no such item or version',
  422: 'the inputs do not pass the schema: one problem per field in `details.problems`',
} as const;

export const jobOperations = operations([
  {
    method: 'post',
    path: '/api/jobs',
    access: 'runner',
    tag: 'Jobs',
    summary: 'Submit a job',
    description:
      "Inputs are checked against the version's schema (defaults applied); the job pins the bundle digest. An item with `approval:` starts AWAITING_APPROVAL instead of QUEUED. Audited as `job.submit`.",
    body: EnqueueRequest.meta({ id: 'JobRequest' }),
    responses: { 202: { description: 'Accepted.', body: JobSubmitted } },
    errors: { ...inputErrors, 404: 'no such item or version, or `rerunOf` names no job the caller may see', 413: 'the inputs are over the per-job quota', 429: 'the caller has SHELF_MAX_ACTIVE_JOBS_PER_USER jobs queued, running or awaiting approval', 507: "the inputs would pass the caller's stored-inputs quota" },
  },
  {
    method: 'post',
    path: '/api/jobs/validate',
    access: 'runner',
    tag: 'Jobs',
    summary: 'Dry run',
    description: 'The verdict a submission would get, with the defaults applied (secrets shown `********`); nothing is stored.',
    body: ValidateRequest.meta({ id: 'ValidateRequest' }),
    responses: { 200: { description: 'The inputs as they would run.', body: ValidateAnswer } },
    errors: inputErrors,
  },
  {
    method: 'get',
    path: '/api/jobs',
    access: 'viewer',
    tag: 'Jobs',
    summary: 'List jobs',
    description: "Newest first; `q` is a case-insensitive substring of the job id, item id or item name. Non-admins see their own jobs.",
    query: ListJobsQuery,
    responses: { 200: { description: 'One page.', body: JobList } },
  },
  {
    method: 'get',
    path: '/api/jobs/:id',
    access: 'viewer',
    tag: 'Jobs',
    summary: 'Read a job',
    params: JobParams,
    responses: { 200: { description: 'The job.', body: JobDetail } },
    errors: { 403: notYours, 404: noJob },
  },
  {
    method: 'get',
    path: '/api/jobs/:id/logs',
    access: 'viewer',
    tag: 'Jobs',
    summary: "Read a job's log",
    description:
      'Lines with `seq` > `after` (seq starts at 1), at most 5,000 per page; follow live over the WebSocket `/ws/jobs`. ' +
      'With `tail=N` (1 to 100), the last N lines instead — of one `stream` only when given (looked for among the last 5,000 lines), e.g. `?tail=5&stream=stderr` for why a job failed — oldest first, with `next` the seq of the log\'s last line.',
    params: JobParams,
    query: LogsQuery,
    responses: { 200: { description: 'The lines.', body: LogPage } },
    errors: { 403: notYours, 404: noJob },
  },
  {
    method: 'post',
    path: '/api/jobs/:id/retry',
    access: 'runner',
    tag: 'Jobs',
    summary: 'Retry a job',
    description: 'FAILED, CANCELLED, REJECTED or EXPIRED only: a new job with the same digest and inputs and `retryOf` (which asks for approval again).',
    params: JobParams,
    responses: { 202: { description: 'The new job.', body: RetryAnswer } },
    errors: { 403: `${notYours}, or one whose item the caller may no longer run`, 404: noJob, 409: 'the job is not in a state a retry starts from', 429: 'the caller has SHELF_MAX_ACTIVE_JOBS_PER_USER active jobs' },
  },
  {
    method: 'post',
    path: '/api/jobs/:id/cancel',
    access: 'runner',
    tag: 'Jobs',
    summary: 'Cancel a job',
    description: 'QUEUED or RUNNING → CANCELLED (the container is killed); AWAITING_APPROVAL → CANCELLED (the request is withdrawn).',
    params: JobParams,
    responses: { 200: { description: 'The job now.', body: JobSummary } },
    errors: { 403: notYours, 404: noJob, 409: 'the job has finished' },
  },
  {
    method: 'post',
    path: '/api/jobs/:id/approve',
    access: 'runner',
    tag: 'Approvals',
    summary: 'Approve a job',
    description: 'The job stays AWAITING_APPROVAL until enough approvers said yes, then is QUEUED.',
    params: JobParams,
    body: Decision,
    bodyOptional: true,
    responses: { 200: { description: 'The job now.', body: JobSummary } },
    errors: { 403: 'the caller submitted the job or is not one of its approvers', 404: noJob, 409: 'the job does not await approval, or the caller decided already' },
  },
  {
    method: 'post',
    path: '/api/jobs/:id/reject',
    access: 'runner',
    tag: 'Approvals',
    summary: 'Reject a job',
    params: JobParams,
    body: Decision,
    bodyOptional: true,
    responses: { 200: { description: 'The job now: REJECTED.', body: JobSummary } },
    errors: { 403: 'the caller submitted the job or is not one of its approvers', 404: noJob, 409: 'the job does not await approval, or the caller decided already' },
  },
  {
    method: 'get',
    path: '/api/approvals',
    access: 'viewer',
    tag: 'Approvals',
    summary: 'Jobs awaiting my decision',
    description: 'Newest first.',
    responses: { 200: { description: 'The jobs.', body: itemsOf(JobSummary).openapi('ApprovalList') } },
  },
]);
