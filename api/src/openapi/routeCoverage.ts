import type { Express } from 'express';
import { listRoutes } from '../auth/routeTable.js';
import { allOperations } from './allOperations.js';
import { routeKey, type Operation } from './operation.js';

/**
 * The document cannot drift from the app: every guarded route must be an operation of the
 * registry, with the same access rule as its guard. createApp calls this, so an undocumented
 * route stops the start like an unguarded one does. (The other way — every operation is served —
 * depends on which optional areas a process wires, so api/test/openapi.document.test.ts checks it
 * on an app with all of them.)
 */
export function assertEveryRouteDocumented(app: Express, operations: readonly Operation[] = allOperations): void {
  const documented = new Map(operations.map((op) => [routeKey(op.method, op.path), op.access]));
  const problems: string[] = [];
  for (const route of listRoutes(app)) {
    // Unguarded: the web app's fallback (assertEveryRouteGuarded refuses any other).
    if (route.access === undefined) continue;
    const key = routeKey(route.method, route.path);
    const access = documented.get(key);
    if (access === undefined) problems.push(`${key} is not in the OpenAPI registry (api/src/openapi/paths)`);
    else if (access !== route.access) problems.push(`${key} allows ${route.access} but the OpenAPI registry says ${access}`);
  }
  if (problems.length) throw new Error(`the OpenAPI document and the routes disagree: ${problems.join('; ')}`);
}
