import { Router } from 'express';
import { z } from 'zod';
import type { DescriptorAnswer } from '@shelf/contract';
import type { Registry } from '../registry/registry.js';
import type { CatalogImports } from '../imports/catalogImports.js';
import type { ImportLog } from '../imports/importLog.js';
import type { Metrics } from '../metrics.js';
import { parseRequest } from './parse.js';
import { allow, auditNote } from '../auth/httpGuards.js';
import { canRunItem } from '../auth/policy.js';
import type { Principal } from '../auth/principal.js';
import type { ValidatorModules } from '../validators/validatorModules.js';

export const LocalImportBody = z.object({ path: z.string().min(1).max(4096) });

export function catalogRoutes(deps: { registry: Registry; imports: CatalogImports; importLog: ImportLog; metrics: Metrics; validators: ValidatorModules }): Router {
  const r = Router();

  r.get('/api/catalog', allow('viewer'), async (_req, res) => {
    res.type('application/json').send(await deps.registry.catalogJson());
  });

  r.get('/api/catalog/imports', allow('viewer'), async (_req, res) => {
    res.json({ items: await deps.importLog.list() });
  });

  r.get('/api/catalog/imports/:importId', allow('viewer'), async (req, res) => {
    res.json(await deps.importLog.get(req.params.importId));
  });

  r.get('/api/catalog/:id/versions', allow('viewer'), async (req, res) => {
    res.json({ items: await deps.registry.listVersions(req.params.id) });
  });

  r.get('/api/catalog/:id/:version/descriptor', allow('viewer'), async (req, res) => {
    const v = await deps.registry.getVersion(req.params.id, req.params.version);
    const run = canRunItem(req.principal as Principal, v.manifest);
    const answer: DescriptorAnswer = {
      manifest: v.manifest,
      schema: v.schema,
      uiSchema: v.uiSchema,
      readme: v.readme,
      digest: v.digest,
      source: v.source,
      canRun: run.allowed ? { allowed: true } : { allowed: false, reason: run.reason },
    };
    res.json(answer);
  });

  r.get('/api/catalog/:id/:version/validator.js', allow('viewer'), async (req, res) => {
    const v = await deps.registry.getVersion(req.params.id, req.params.version);
    // A page keeps a module it imported for as long as it lives: `latest` only says which version to fetch.
    if (req.params.version === 'latest') return res.set('Cache-Control', 'no-store').redirect(302, validatorPath(v));
    res.set({ 'Content-Type': 'text/javascript; charset=utf-8', ETag: deps.validators.etagOf(v), 'Cache-Control': 'private, max-age=31536000, immutable' });
    if (req.fresh) return void res.status(304).end();
    res.sendFile(await deps.validators.fileFor(v), { etag: false, lastModified: false, cacheControl: false });
  });

  r.post('/api/catalog/local/import', allow('publisher', 'item.import'), async (req, res) => {
    const body = parseRequest(LocalImportBody, req.body);
    auditNote(res, { target: body.path });
    const result = await counted(deps.metrics, 'local', deps.imports.importLocal(body.path, { principal: req.principal as Principal }));
    auditNote(res, { target: `${result.id}@${result.version}` });
    res.status(result.status === 'created' ? 201 : 200).json(result);
  });

  r.post('/api/catalog/bundle/upload', allow('publisher', 'item.upload'), async (req, res) => {
    const result = await counted(deps.metrics, 'upload', deps.imports.importUpload({ headers: req.headers, body: req }, { principal: req.principal as Principal }));
    auditNote(res, { target: `${result.id}@${result.version}` });
    res.status(result.status === 'created' ? 201 : 200).json(result);
  });

  return r;
}

function validatorPath(v: { id: string; version: string }): string {
  return `/api/catalog/${encodeURIComponent(v.id)}/${encodeURIComponent(v.version)}/validator.js`;
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
