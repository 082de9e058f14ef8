import { Router } from 'express';
import { z } from 'zod';
import { JobState } from '@shelf/contract';
import { EnqueueRequest, type JobServices } from '../jobs/index.js';
import { parseRequest } from './parse.js';

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

  r.post('/api/jobs', async (req, res) => {
    res.status(202).json(await jobs.enqueue(parseRequest(EnqueueRequest, req.body)));
  });

  r.get('/api/jobs', async (req, res) => {
    res.json(await jobs.store.list(parseRequest(ListJobsQuery, req.query, 'query')));
  });

  r.get('/api/jobs/:id', async (req, res) => {
    res.json(await jobs.store.detail(req.params.id));
  });

  r.get('/api/jobs/:id/logs', async (req, res) => {
    const { after } = parseRequest(LogsQuery, req.query, 'query');
    res.json(await jobs.store.logs(req.params.id, after, logPageSize));
  });

  r.post('/api/jobs/:id/retry', async (req, res) => {
    res.status(202).json(await jobs.retry(req.params.id));
  });

  r.post('/api/jobs/:id/cancel', async (req, res) => {
    res.json(await jobs.cancel(req.params.id));
  });

  return r;
}
