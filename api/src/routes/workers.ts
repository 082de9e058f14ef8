import { Router } from 'express';
import { allow, auditNote } from '../auth/httpGuards.js';
import type { WorkerServices } from '../workers/index.js';

/** The worker fleet (SPEC §11), for admins: list, drain, resume. */
export function workerRoutes(workers: WorkerServices): Router {
  const r = Router();

  r.get('/api/workers', allow('admin'), async (_req, res) => {
    res.json({ items: await workers.list() });
  });

  r.post('/api/workers/:id/drain', allow('admin', 'worker.drain'), async (req, res) => {
    auditNote(res, { target: `worker ${req.params.id}` });
    res.status(202).json(await workers.drain(req.params.id));
  });

  r.post('/api/workers/:id/resume', allow('admin', 'worker.resume'), async (req, res) => {
    auditNote(res, { target: `worker ${req.params.id}` });
    res.status(202).json(await workers.resume(req.params.id));
  });

  return r;
}
