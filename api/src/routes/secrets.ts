import { Router } from 'express';
import { allow, auditNote } from '../auth/httpGuards.js';
import type { Principal } from '../auth/principal.js';
import { NewSecretRequest, SecretChangeRequest, type SecretServices } from '../secrets/index.js';
import { parseRequest } from './parse.js';

/**
 * Named secrets (SPEC §10), for admins: create, list, read, rotate or edit, delete. A value goes
 * in and never comes out; the audit says what happened to which name, never the value.
 */
export function secretRoutes(secrets: SecretServices): Router {
  const r = Router();
  const by = (req: { principal?: unknown }) => (req.principal as Principal).username;

  r.get('/api/secrets', allow('admin'), async (_req, res) => {
    res.json({ items: await secrets.list() });
  });

  r.post('/api/secrets', allow('admin', 'secret.create'), async (req, res) => {
    const created = await secrets.create(parseRequest(NewSecretRequest, req.body), by(req));
    auditNote(res, { target: `secret ${created.name}`, detail: `items: ${created.items.join(',') || 'none'}` });
    res.status(201).json(created);
  });

  r.get('/api/secrets/:name', allow('admin'), async (req, res) => {
    res.json(await secrets.get(req.params.name));
  });

  r.patch('/api/secrets/:name', allow('admin', 'secret.update'), async (req, res) => {
    const change = parseRequest(SecretChangeRequest, req.body);
    const updated = await secrets.update(req.params.name, change, by(req));
    const what = [change.value !== undefined && 'rotated', change.items && `items: ${updated.items.join(',') || 'none'}`, change.description !== undefined && 'description changed'].filter(Boolean);
    // A rotation is its own action, so the audit reads "secret.rotate DB_ADMIN_PASSWORD by alice".
    auditNote(res, { target: `secret ${updated.name}`, detail: what.join('; '), action: change.value !== undefined ? 'secret.rotate' : 'secret.update' });
    res.json(updated);
  });

  r.delete('/api/secrets/:name', allow('admin', 'secret.delete'), async (req, res) => {
    await secrets.delete(req.params.name);
    auditNote(res, { target: `secret ${req.params.name}` });
    res.status(204).end();
  });

  return r;
}
