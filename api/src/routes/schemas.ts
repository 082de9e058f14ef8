import { Router } from 'express';
import { allow } from '../auth/httpGuards.js';
import { manifestSchema } from '@shelf/contract';

export function schemaRoutes(): Router {
  const r = Router();
  r.get('/api/schemas/manifest.json', allow('viewer'), (_req, res) => {
    res.type('application/schema+json').json(manifestSchema);
  });
  return r;
}
