import type { Request, RequestHandler, Response } from 'express';
import type { AuditOutcome, Role } from '@shelf/contract';
import { BadRequestError, ForbiddenError, UnauthenticatedError } from '../errors.js';
import type { AuditLog } from './auditLog.js';
import type { Authenticator } from './authenticator.js';
import type { BrowserSafety } from './browserSafety.js';
import { canUseRoute, hasRole } from './policy.js';

/** What a route needs: nothing (`public`), or at least a role. */
export type Access = 'public' | Role;

/** A route guard; `access` lets the app and the tests list every route with its rule. */
// eslint-disable-next-line @typescript-eslint/no-explicit-any -- `any` params let Express infer the route's own params from its path.
export type Guard = RequestHandler<any> & { access: Access; auditAction?: string };

const safeMethods = new Set(['GET', 'HEAD', 'OPTIONS']);

/** Paths served whatever the Host: orchestrators probe by IP address. */
const anyHostPaths = new Set(['/healthz', '/readyz']);

/** Refuses a request whose Host is not ours (DNS rebinding): 400. */
export function hostCheck(safety: BrowserSafety): RequestHandler {
  return (req, _res, next) => {
    if (anyHostPaths.has(req.path) || safety.hostAllowed(req.headers.host)) return next();
    throw new BadRequestError(`this Shelf does not answer to the host name ${JSON.stringify(req.headers.host ?? '')}; add it to SHELF_PUBLIC_URL or SHELF_ALLOWED_HOSTS`);
  };
}

/**
 * Sets `req.principal` from the request's credentials and enforces the Origin rule on every
 * state-changing request (uploads and body-less POSTs included). Routes then say what they need
 * with {@link allow}.
 */
export function authenticate(authenticator: Authenticator, safety: BrowserSafety): RequestHandler {
  return async (req, res, next) => {
    const credentials = await authenticator.identify(req.headers);
    req.principal = credentials.principal;
    if (!safeMethods.has(req.method) && credentials.via !== 'bearer' && !safety.writeAllowed(req.headers, credentials.via === 'cookie')) {
      res.locals.auditAction ??= 'request.cross_origin';
      throw new ForbiddenError(`cross-site request refused: a change made with a session cookie must come from Shelf's own pages (Origin ${req.headers.origin ?? 'missing'})`);
    }
    next();
  };
}

/** The route's rule: `allow('runner', 'job.submit')`. The action names the audit record. */
export function allow(access: Access, auditAction?: string): Guard {
  const guard = ((req: Request, res: Response, next: () => void) => {
    const routePath = (req.route as { path?: string } | undefined)?.path ?? req.path;
    // Kept now: once the answer is sent, Express has left the route and its params.
    res.locals.auditAction ??= auditAction ?? `${req.method} ${routePath}`;
    if (typeof req.params.id === 'string') res.locals.auditTarget ??= req.params.id;
    // Public routes too: the worker token is refused wherever it is not let in.
    if (req.principal) {
      const reach = canUseRoute(req.principal, `${req.method} ${req.baseUrl}${routePath}`);
      if (!reach.allowed) throw new ForbiddenError(reach.reason);
    }
    if (access === 'public') return next();
    if (!req.principal) throw new UnauthenticatedError();
    const decision = hasRole(req.principal, access);
    if (!decision.allowed) throw new ForbiddenError(decision.reason);
    next();
  }) as Guard;
  guard.access = access;
  guard.auditAction = auditAction;
  return guard;
}

/** What a handler adds to the audit record: the target, or an actor when nobody is signed in yet (a login). */
export function auditNote(res: Response, note: { target?: string; actor?: string; action?: string; detail?: string }): void {
  if (note.target !== undefined) res.locals.auditTarget = note.target;
  if (note.actor !== undefined) res.locals.auditActor = note.actor;
  if (note.action !== undefined) res.locals.auditAction = note.action;
  if (note.detail !== undefined) res.locals.auditDetail = note.detail;
}

/**
 * Records every state-changing request and every refusal (401 of a login, 403, 429) in the
 * audit log once the answer is sent. The record never holds a body: inputs may carry secrets.
 */
export function auditTrail(audit: AuditLog, onError: (err: Error) => void): RequestHandler {
  return (req, res, next) => {
    res.on('finish', () => {
      const status = res.statusCode;
      const action = res.locals.auditAction as string | undefined;
      const refused = status === 403 || status === 429 || (status === 401 && action?.startsWith('auth.') === true);
      if (safeMethods.has(req.method) && !refused) return;
      // An unknown path is noise, not an action.
      if (status === 404 && !action) return;
      const outcome: AuditOutcome = status < 400 ? 'ok' : status === 401 || status === 403 || status === 429 ? 'denied' : 'failed';
      void audit
        .record({
          actor: req.principal?.username ?? (res.locals.auditActor as string | undefined) ?? 'anonymous',
          action: action ?? `${req.method} ${req.path}`,
          target: (res.locals.auditTarget as string | undefined) ?? '',
          outcome,
          ip: req.ip ?? '',
          detail: (res.locals.auditDetail as string | undefined) ?? (status >= 400 ? String(status) : undefined),
        })
        .catch(onError);
    });
    next();
  };
}
