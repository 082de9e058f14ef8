import { Router, type Request } from 'express';
import { z } from 'zod';
import { JobState, type JobSummary } from '@shelf/contract';
import { DecisionRequest, EnqueueRequest, ValidateRequest, type JobServices } from '../jobs/index.js';
import { allow, auditNote } from '../auth/httpGuards.js';
import type { Principal } from '../auth/principal.js';
import { parseRequest } from './parse.js';

/** The guard let the request through only with a principal. */
const by = (req: Request): Principal => req.principal as Principal;

export const ListJobsQuery = z.object({
  state: z.enum(JobState).optional(),
  itemId: z.string().min(1).max(128).optional(),
  q: z.string().max(200).optional(),
  /** Only the caller's own jobs, for admins too (the item page's "your recent runs"). */
  mine: z.enum(['true', 'false']).transform((v) => v === 'true').optional(),
  page: z.coerce.number().int().min(1).max(1_000_000).default(1),
  pageSize: z.coerce.number().int().min(1).max(100).default(20),
});

/** The most log lines one `GET /api/jobs/:id/logs` answers; `next` continues from there. */
const logPageSize = 5000;
/** The most lines `GET /api/jobs/:id/logs?tail=N` answers: a glance at the end, not a way to page. */
const maxLogTail = 100;

export const LogsQuery = z
  .object({
    after: z.coerce.number().int().min(0).default(0),
    tail: z.coerce.number().int().min(1).max(maxLogTail).optional(),
    stream: z.enum(['stdout', 'stderr', 'system']).optional(),
  })
  .refine((q) => q.stream === undefined || q.tail !== undefined, { path: ['stream'], message: 'is only read with tail' });

/** The audit record's words for a decision's effect. */
const decided = (job: JobSummary) =>
  job.state === JobState.AWAITING_APPROVAL ? `approved ${job.approval?.approved ?? 0} of ${job.approval?.minApprovals ?? 1}, waiting for more` : `now ${job.state}`;

export function jobRoutes(deps: { jobs: JobServices }): Router {
  const { jobs } = deps;
  const r = Router();

  r.post('/api/jobs', allow('runner', 'job.submit'), async (req, res) => {
    const request = parseRequest(EnqueueRequest, req.body);
    auditNote(res, { target: `${request.itemId}@${request.version}` });
    const { id, state, callbackSecret } = await jobs.enqueue(request, by(req));
    auditNote(res, { target: `${request.itemId}@${request.version} ${id}`, ...(state === JobState.AWAITING_APPROVAL ? { detail: 'awaiting approval' } : {}) });
    res.status(202).json({ id, ...(callbackSecret ? { callbackSecret } : {}) });
  });

  // The dry run: the verdict a submission would get, with the schema's defaults applied; nothing is stored (no audit).
  r.post('/api/jobs/validate', allow('runner'), async (req, res) => {
    const { version, inputs } = await jobs.check(parseRequest(ValidateRequest, req.body), by(req));
    res.json({ itemId: version.id, version: version.version, inputs });
  });

  r.get('/api/jobs', allow('viewer'), async (req, res) => {
    res.json(await jobs.list(parseRequest(ListJobsQuery, req.query, 'query'), by(req)));
  });

  r.get('/api/jobs/:id', allow('viewer'), async (req, res) => {
    res.json(await jobs.detail(req.params.id, by(req)));
  });

  r.get('/api/jobs/:id/logs', allow('viewer'), async (req, res) => {
    const { after, tail, stream } = parseRequest(LogsQuery, req.query, 'query');
    res.json(tail ? await jobs.logTail(req.params.id, tail, stream, by(req)) : await jobs.logs(req.params.id, after, logPageSize, by(req)));
  });

  r.post('/api/jobs/:id/retry', allow('runner', 'job.retry'), async (req, res) => {
    const { id } = await jobs.retry(req.params.id, by(req));
    res.status(202).json({ id });
  });

  r.post('/api/jobs/:id/approve', allow('runner', 'job.approve'), async (req, res) => {
    const job = await jobs.approve(req.params.id, parseRequest(DecisionRequest, req.body ?? {}), by(req));
    auditNote(res, { detail: decided(job) });
    res.json(job);
  });

  r.post('/api/jobs/:id/reject', allow('runner', 'job.reject'), async (req, res) => {
    res.json(await jobs.reject(req.params.id, parseRequest(DecisionRequest, req.body ?? {}), by(req)));
  });

  r.get('/api/approvals', allow('viewer'), async (req, res) => {
    res.json({ items: await jobs.awaitingDecision(by(req)) });
  });

  r.post('/api/jobs/:id/cancel', allow('runner', 'job.cancel'), async (req, res) => {
    res.json(await jobs.cancel(req.params.id, by(req)));
  });

  return r;
}
