import { Router } from 'express';
import { manifestSchema } from '@shelf/contract';

export function schemaRoutes(): Router {
  const r = Router();
  r.get('/api/schemas/manifest.json', (_req, res) => {
    res.type('application/schema+json').json(manifestSchema);
  });
  return r;
}
