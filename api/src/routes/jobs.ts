import { Router, type Request } from 'express';
import { z } from 'zod';
import { JobState } from '@shelf/contract';
import { EnqueueRequest, type JobServices } from '../jobs/index.js';
import { allow, auditNote } from '../auth/httpGuards.js';
import type { Principal } from '../auth/principal.js';
import { parseRequest } from './parse.js';

/** The guard let the request through only with a principal. */
const by = (req: Request): Principal => req.principal as Principal;

const ListJobsQuery = z.object({
  state: z.enum(JobState).optional(),
  itemId: z.string().min(1).max(128).optional(),
  q: z.string().max(200).optional(),
  page: z.coerce.number().int().min(1).max(1_000_000).default(1),
  pageSize: z.coerce.number().int().min(1).max(100).default(20),
});

const LogsQuery = z.object({
  after: z.coerce.number().int().min(0).default(0),
});

/** The most log lines one `GET /api/jobs/:id/logs` answers; `next` continues from there. */
const logPageSize = 5000;

export function jobRoutes(deps: { jobs: JobServices }): Router {
  const { jobs } = deps;
  const r = Router();

  r.post('/api/jobs', allow('runner', 'job.submit'), async (req, res) => {
    const request = parseRequest(EnqueueRequest, req.body);
    auditNote(res, { target: `${request.itemId}@${request.version}` });
    const { id } = await jobs.enqueue(request, by(req));
    auditNote(res, { target: `${request.itemId}@${request.version} ${id}` });
    res.status(202).json({ id });
  });

  r.get('/api/jobs', allow('viewer'), async (req, res) => {
    res.json(await jobs.list(parseRequest(ListJobsQuery, req.query, 'query'), by(req)));
  });

  r.get('/api/jobs/:id', allow('viewer'), async (req, res) => {
    res.json(await jobs.detail(req.params.id, by(req)));
  });

  r.get('/api/jobs/:id/logs', allow('viewer'), async (req, res) => {
    const { after } = parseRequest(LogsQuery, req.query, 'query');
    res.json(await jobs.logs(req.params.id, after, logPageSize, by(req)));
  });

  r.post('/api/jobs/:id/retry', allow('runner', 'job.retry'), async (req, res) => {
    res.status(202).json(await jobs.retry(req.params.id, by(req)));
  });

  r.post('/api/jobs/:id/cancel', allow('runner', 'job.cancel'), async (req, res) => {
    res.json(await jobs.cancel(req.params.id, by(req)));
  });

  return r;
}
