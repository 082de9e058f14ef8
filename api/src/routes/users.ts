import { Router } from 'express';
import { z } from 'zod';
import { roles, usernamePattern } from '@shelf/contract';
import type { AuthServices } from '../auth/index.js';
import { allow, auditNote } from '../auth/httpGuards.js';
import { toUserInfo } from '../auth/userStore.js';
import { parseRequest } from './parse.js';

/** A new local account; the password's length is checked by Accounts (422, not 400). */
export const NewUserFields = z.object({
  username: z.string().regex(new RegExp(usernamePattern), 'letters, digits and . _ @ -, 2 to 64 characters'),
  password: z.string().min(1).max(1024),
  role: z.enum(roles),
  email: z.email().max(254).optional(),
  name: z.string().min(1).max(120).optional(),
});

export const UserChange = z
  .object({ role: z.enum(roles).optional(), disabled: z.boolean().optional(), password: z.string().min(1).max(1024).optional() })
  .strict()
  .refine((c) => c.role !== undefined || c.disabled !== undefined || c.password !== undefined, 'give role, disabled or password');

/** Local accounts, for admins. */
export function userRoutes(auth: AuthServices): Router {
  const r = Router();

  r.get('/api/users', allow('admin'), async (_req, res) => {
    res.json({ items: (await auth.users.list()).map(toUserInfo) });
  });

  r.post('/api/users', allow('admin', 'user.create'), async (req, res) => {
    const body = parseRequest(NewUserFields.strict(), req.body);
    auditNote(res, { target: body.username });
    const user = await auth.accounts.createUser(body, req.ip ?? '');
    res.status(201).json({ id: user.id, username: user.username, role: user.role });
  });

  r.patch('/api/users/:id', allow('admin', 'user.update'), async (req, res) => {
    const change = parseRequest(UserChange, req.body);
    const user = await auth.accounts.updateUser(req.params.id, change);
    auditNote(res, { target: user.username, detail: Object.keys(change).join(',') });
    res.json(toUserInfo(user));
  });

  return r;
}
