import { Router, type Response } from 'express';
import { z } from 'zod';
import { sessionCookieName, type AuthConfig } from '@shelf/contract';
import type { AuthServices } from '../auth/index.js';
import { allow, auditNote } from '../auth/httpGuards.js';
import { toMe } from '../auth/principal.js';
import { parseRequest } from './parse.js';
import { NewUserFields } from './users.js';

export const LoginBody = z.object({ username: z.string().min(1).max(200), password: z.string().min(1).max(1024) }).strict();
export const SetupBody = NewUserFields.omit({ role: true }).extend({ token: z.string().min(1).max(200) }).strict();

/** Sign-in, sign-out and first-start set-up ("who am I" is in me.ts). */
export function authRoutes(auth: AuthServices): Router {
  const r = Router();
  const setCookie = (res: Response, value: string) =>
    res.cookie(sessionCookieName, value, { httpOnly: true, sameSite: 'lax', secure: auth.secureCookies, path: '/', maxAge: auth.sessionMaxMs });

  r.get('/api/auth/config', allow('public'), (_req, res) => {
    const config: AuthConfig = {
      local: true,
      oidc: { enabled: Boolean(auth.oidc), label: auth.oidc?.label ?? '' },
      setupPending: auth.setupLink.pending,
    };
    res.json(config);
  });

  r.post('/api/auth/login', allow('public', 'auth.login'), async (req, res) => {
    const body = parseRequest(LoginBody, req.body);
    auditNote(res, { actor: body.username, target: body.username, action: 'auth.login_failed' });
    const { user, cookie } = await auth.accounts.login(body.username, body.password, req.ip ?? '');
    auditNote(res, { actor: user.username, action: 'auth.login' });
    setCookie(res, cookie);
    res.json(toMe({ ...user, via: 'session' }));
  });

  r.post('/api/auth/logout', allow('public', 'auth.logout'), async (req, res) => {
    if (req.principal?.sessionHash) await auth.accounts.logout(req.principal.sessionHash);
    res.clearCookie(sessionCookieName, { path: '/' });
    res.status(204).end();
  });

  r.post('/api/auth/setup', allow('public', 'auth.setup'), async (req, res) => {
    const { token, ...user } = parseRequest(SetupBody, req.body);
    auditNote(res, { actor: user.username, target: user.username });
    const signedIn = await auth.accounts.setup(token, user, req.ip ?? '');
    setCookie(res, signedIn.cookie);
    res.status(201).json(toMe({ ...signedIn.user, via: 'session' }));
  });

  if (auth.oidc) r.use(auth.oidc.router(setCookie));
  return r;
}
