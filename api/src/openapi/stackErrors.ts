import { workerTokenRoutes } from '../auth/policy.js';
import { routeKey, type ErrorStatus, type Operation } from './operation.js';

const safeMethods = new Set(['get']);

/**
 * The errors the middleware in front of every route can answer (app.ts, in order): the Host check,
 * authentication and the Origin rule, the rate limit of `/api`, the JSON body parser, then the
 * route's guard. Each operation's own errors come on top.
 */
export function stackErrors(op: Operation): Partial<Record<ErrorStatus, string>> {
  const api = op.path.startsWith('/api/');
  const authenticated = api || op.path === '/metrics';
  const changes = !safeMethods.has(op.method);
  const errors: Partial<Record<ErrorStatus, string>> = {};
  if (!authenticated) return errors;

  const bad = ["the Host header names neither this Shelf's public host nor a loopback name (DNS rebinding)"];
  if (api && changes) bad.push('malformed JSON');
  if (op.body || op.query) bad.push('a request the schema refuses, each field in `details.fields`');
  errors[400] = bad.join('; or ');
  errors[401] = op.access === 'public' ? 'credentials were sent but are not valid: unknown, revoked or expired (never a silent anonymous call)' : 'no credentials, or credentials that are not valid: unknown, revoked or expired';
  const refused = [
    op.access !== 'public' && `the caller's role is below ${op.access}`,
    !workerTokenRoutes.has(routeKey(op.method, op.path)) && 'SHELF_WORKER_TOKEN, which may only download bundles',
    changes && "a change authenticated by the session cookie whose Origin is not Shelf's own",
  ].filter(Boolean);
  if (refused.length) errors[403] = refused.join('; or ');
  if (api && changes) errors[413] = 'the JSON body is larger than the server accepts';
  if (api) errors[429] = 'over the request rate limit (SHELF_RATE_LIMIT_PER_MINUTE; imports and uploads SHELF_UPLOAD_RATE_LIMIT_PER_MINUTE): wait `Retry-After` seconds';
  return errors;
}
