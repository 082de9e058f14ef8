import { Router } from 'express';
import { z } from 'zod';
import type { Registry } from '../registry/registry.js';
import type { CatalogImports } from '../imports/catalogImports.js';
import type { ImportLog } from '../imports/importLog.js';
import type { Metrics } from '../metrics.js';
import { parseRequest } from './parse.js';
import { requester } from '../requester.js';

const LocalImportBody = z.object({ path: z.string().min(1).max(4096) });

export function catalogRoutes(deps: { registry: Registry; imports: CatalogImports; importLog: ImportLog; metrics: Metrics }): Router {
  const r = Router();

  r.get('/api/catalog', async (_req, res) => {
    res.json({ items: await deps.registry.listCatalog() });
  });

  r.get('/api/catalog/imports', async (_req, res) => {
    res.json({ items: await deps.importLog.list() });
  });

  r.get('/api/catalog/imports/:importId', async (req, res) => {
    res.json(await deps.importLog.get(req.params.importId));
  });

  r.get('/api/catalog/:id/versions', async (req, res) => {
    res.json({ items: await deps.registry.listVersions(req.params.id) });
  });

  r.get('/api/catalog/:id/:version/descriptor', async (req, res) => {
    const v = await deps.registry.getVersion(req.params.id, req.params.version);
    res.json({ manifest: v.manifest, schema: v.schema, uiSchema: v.uiSchema, readme: v.readme, digest: v.digest, source: v.source });
  });

  r.post('/api/catalog/local/import', async (req, res) => {
    const body = parseRequest(LocalImportBody, req.body);
    const result = await counted(deps.metrics, 'local', deps.imports.importLocal(body.path, requester(req)));
    res.status(result.status === 'created' ? 201 : 200).json(result);
  });

  r.post('/api/catalog/bundle/upload', async (req, res) => {
    const result = await counted(deps.metrics, 'upload', deps.imports.importUpload(req, requester(req)));
    res.status(result.status === 'created' ? 201 : 200).json(result);
  });

  return r;
}

async function counted<T extends { status: string }>(metrics: Metrics, source: string, run: Promise<T>): Promise<T> {
  try {
    const result = await run;
    metrics.imports.inc({ source, outcome: result.status });
    return result;
  } catch (err) {
    metrics.imports.inc({ source, outcome: 'refused' });
    throw err;
  }
}
