import { Router } from 'express';
import { z } from 'zod';
import type { AuthServices } from '../auth/index.js';
import { allow } from '../auth/httpGuards.js';
import { parseRequest } from './parse.js';

export const AuditQuery = z.object({
  actor: z.string().max(200).optional(),
  action: z.string().max(100).optional(),
  outcome: z.enum(['ok', 'denied', 'failed']).optional(),
  page: z.coerce.number().int().min(1).max(100_000).default(1),
  pageSize: z.coerce.number().int().min(1).max(200).default(50),
});

export function auditRoutes(auth: AuthServices): Router {
  const r = Router();
  r.get('/api/audit', allow('admin'), async (req, res) => {
    res.json(await auth.audit.list(parseRequest(AuditQuery, req.query, 'query')));
  });
  return r;
}
