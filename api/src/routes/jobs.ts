import { Router } from 'express';
import { z } from 'zod';
import { JobState } from '@shelf/contract';
import { BadRequestError } from '../errors.js';
import { EnqueueRequest, type JobServices } from '../jobs/index.js';
import { parseBody } from './parse.js';

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
    res.status(202).json(await jobs.enqueue(parseBody(EnqueueRequest, req.body)));
  });

  r.get('/api/jobs', async (req, res) => {
    res.json(await jobs.store.list(parseQuery(ListJobsQuery, req.query)));
  });

  r.get('/api/jobs/:id', async (req, res) => {
    res.json(await jobs.store.detail(req.params.id));
  });

  r.get('/api/jobs/:id/logs', async (req, res) => {
    const { after } = parseQuery(LogsQuery, req.query);
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

/** Checks query parameters; a bad one is 400 naming it. */
function parseQuery<T extends z.ZodType>(schema: T, query: unknown): z.infer<T> {
  const parsed = schema.safeParse(query ?? {});
  if (!parsed.success) {
    const fields = parsed.error.issues.map((i) => ({ path: i.path.join('.'), message: i.message }));
    throw new BadRequestError(`invalid query: ${fields.map((f) => `${f.path} ${f.message}`).join('; ')}`, { fields });
  }
  return parsed.data;
}
