import { Router } from 'express';
import { allow } from '../auth/httpGuards.js';
import type { Metrics } from '../metrics.js';

import type { ReadinessCheck } from '../readiness.js';

export type { ReadinessCheck };

export function operationsRoutes(deps: { metrics: Metrics; readiness: ReadinessCheck[] }): Router {
  const r = Router();
  r.get('/healthz', allow('public'), (_req, res) => {
    res.json({ status: 'ok' });
  });
  r.get('/readyz', allow('public'), async (_req, res) => {
    const results = await Promise.all(
      deps.readiness.map(async ({ name, check }) => {
        try {
          await withTimeout(check(), 3000);
          return { name, ok: true };
        } catch (err) {
          return { name, ok: false, error: (err as Error).message };
        }
      }),
    );
    const ready = results.every((r) => r.ok);
    res.status(ready ? 200 : 503).json({ status: ready ? 'ready' : 'unavailable', checks: results });
  });
  r.get('/metrics', allow('viewer'), async (_req, res) => {
    res.type(deps.metrics.registry.contentType).send(await deps.metrics.registry.metrics());
  });
  return r;
}

function withTimeout<T>(p: Promise<T>, ms: number): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    const t = setTimeout(() => reject(new Error(`no answer within ${ms} ms`)), ms);
    p.then(
      (v) => (clearTimeout(t), resolve(v)),
      (e: unknown) => (clearTimeout(t), reject(e instanceof Error ? e : new Error(String(e)))),
    );
  });
}
