import { Router } from 'express';
import { z } from 'zod';
import type { Me } from '@shelf/contract';
import type { AuthServices } from '../auth/index.js';
import { allow, auditNote } from '../auth/httpGuards.js';
import { toMe, type Principal } from '../auth/principal.js';
import { BadRequestError } from '../errors.js';
import { parseRequest } from './parse.js';

export const Preferences = z.object({ notifyOnFinish: z.boolean() }).strict();

/** "Who am I", and the caller's own preferences. */
export function meRoutes(auth: AuthServices): Router {
  const r = Router();

  r.get('/api/me', allow('viewer'), async (req, res) => {
    const p = req.principal as Principal;
    const user = await auth.users.get(p.id);
    const me: Me = user ? { ...toMe(p), notifyOnFinish: user.notifyOnFinish ?? false } : toMe(p);
    res.json(me);
  });

  r.patch('/api/me', allow('viewer', 'user.preferences'), async (req, res) => {
    const p = req.principal as Principal;
    const change = parseRequest(Preferences, req.body);
    // SHELF_ADMIN_TOKEN is no user: it has no mailbox and nowhere to keep a preference.
    if (!(await auth.users.get(p.id))) throw new BadRequestError('SHELF_ADMIN_TOKEN has no preferences; sign in as a user');
    const user = await auth.users.update(p.id, change);
    auditNote(res, { target: p.username, detail: `notifyOnFinish=${change.notifyOnFinish}` });
    const me: Me = { ...toMe(p), notifyOnFinish: user.notifyOnFinish ?? false };
    res.json(me);
  });

  return r;
}
