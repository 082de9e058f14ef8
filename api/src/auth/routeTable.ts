import type { Express } from 'express';
import type { Access, Guard } from './httpGuards.js';

export interface RouteRule {
  method: string;
  path: string;
  /** undefined: the route has no guard, which createApp refuses. */
  access: Access | undefined;
}

interface Layer {
  route?: { path: string | RegExp; methods: Record<string, boolean>; stack: Array<{ handle: unknown }> };
  handle: { stack?: Layer[] };
}

/** Every route of the app with the rule its guard declares, read from Express's own router. */
export function listRoutes(app: Express): RouteRule[] {
  const rules: RouteRule[] = [];
  const walk = (stack: Layer[]) => {
    for (const layer of stack) {
      if (layer.route) {
        const guard = layer.route.stack.map((l) => l.handle as Partial<Guard> | undefined).find((h) => h?.access !== undefined);
        for (const method of Object.keys(layer.route.methods)) {
          // The web app's fallback is a RegExp; its String form still names it.
          rules.push({ method: method.toUpperCase(), path: String(layer.route.path), access: guard?.access });
        }
      } else if (Array.isArray(layer.handle.stack)) {
        walk(layer.handle.stack);
      }
    }
  };
  walk((app as unknown as { router: { stack: Layer[] } }).router.stack);
  return rules;
}

/** A route without a rule is a hole in access control: refuse to start with it. */
export function assertEveryRouteGuarded(app: Express): void {
  const open = listRoutes(app).filter((r) => r.access === undefined && (r.path.startsWith('/api') || r.path === '/metrics'));
  if (open.length) {
    throw new Error(`routes without an access rule (add allow(...)): ${open.map((r) => `${r.method} ${r.path}`).join(', ')}`);
  }
}
