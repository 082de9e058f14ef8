import { Router } from 'express';
import { z } from 'zod';
import { roles } from '@shelf/contract';
import type { AuthServices } from '../auth/index.js';
import { allow, auditNote } from '../auth/httpGuards.js';
import { canCreateToken, canRevokeToken } from '../auth/policy.js';
import { actorOf, type Principal } from '../auth/principal.js';
import { BadRequestError, ForbiddenError, NotFoundError } from '../errors.js';
import { parseRequest } from './parse.js';

export const NewToken = z
  .object({
    name: z.string().trim().min(1).max(100),
    role: z.enum(roles).optional(),
    expiresInDays: z.number().int().min(1).max(3650).optional(),
  })
  .strict();

/** API tokens: each user's own; admins may revoke anyone's. */
export function tokenRoutes(auth: AuthServices): Router {
  const r = Router();

  r.get('/api/tokens', allow('viewer'), async (req, res) => {
    res.json({ items: await auth.tokens.listOf((req.principal as Principal).id) });
  });

  r.post('/api/tokens', allow('viewer', 'token.create'), async (req, res) => {
    const p = req.principal as Principal;
    const body = parseRequest(NewToken, req.body);
    const role = body.role ?? p.role;
    const decision = canCreateToken(p, role);
    if (!decision.allowed) throw new ForbiddenError(decision.reason);
    // SHELF_ADMIN_TOKEN is no user: a token must belong to someone who can be disabled.
    if (!(await auth.users.get(p.id))) throw new BadRequestError('SHELF_ADMIN_TOKEN cannot own API tokens; sign in as a user to create one');
    const created = await auth.tokens.create(actorOf(p), { name: body.name, role, expiresInDays: body.expiresInDays });
    auditNote(res, { target: `${created.name} (${created.id})` });
    res.status(201).json(created);
  });

  r.delete('/api/tokens/:id', allow('viewer', 'token.revoke'), async (req, res) => {
    const token = await auth.tokens.get(req.params.id);
    if (!token) throw new NotFoundError('token', req.params.id);
    const decision = canRevokeToken(req.principal as Principal, token.owner);
    if (!decision.allowed) throw new ForbiddenError(decision.reason);
    await auth.tokens.revoke(token.id);
    auditNote(res, { target: `${token.name} (${token.id})` });
    res.status(204).end();
  });

  return r;
}
