import { Router } from 'express';
import { allow } from '../auth/httpGuards.js';
import type { BundleStore } from '../bundles/bundleStore.js';
import { BadRequestError, NotFoundError } from '../errors.js';

/** Bundles by digest, so workers on other hosts can fetch (and verify) what a job pins. */
export function bundleRoutes(deps: { store: BundleStore }): Router {
  const r = Router();
  r.get('/api/bundles/:digest', allow('viewer'), async (req, res) => {
    const { digest } = req.params;
    if (!/^[a-f0-9]{64}$/.test(digest)) throw new BadRequestError('a bundle digest is 64 lowercase hex characters');
    if (!(await deps.store.has(digest))) throw new NotFoundError('bundle', digest);
    res.setHeader('Content-Type', 'application/gzip');
    res.setHeader('ETag', `"${digest}"`);
    res.setHeader('Cache-Control', 'public, max-age=31536000, immutable');
    res.sendFile(deps.store.pathOf(digest));
  });
  return r;
}
