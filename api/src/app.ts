import { existsSync } from 'node:fs';
import path from 'node:path';
import express, { type Express, type Router } from 'express';
import helmet from 'helmet';
import { pinoHttp } from 'pino-http';
import type { BundleStore } from './bundles/bundleStore.js';
import { errorMiddleware, NotFoundError } from './errors.js';
import type { CatalogImports } from './imports/catalogImports.js';
import type { ImportLog } from './imports/importLog.js';
import type { Logger } from './logger.js';
import type { Metrics } from './metrics.js';
import type { Registry } from './registry/registry.js';
import { bundleRoutes } from './routes/bundles.js';
import { catalogRoutes } from './routes/catalog.js';
import { gitWebhookPath } from './routes/git.js';
import { operationsRoutes, type ReadinessCheck } from './routes/operations.js';
import { schemaRoutes } from './routes/schemas.js';

export interface AppDeps {
  logger: Logger;
  metrics: Metrics;
  registry: Registry;
  store: BundleStore;
  importLog: ImportLog;
  imports: CatalogImports;
  readiness: ReadinessCheck[];
  maxJsonBytes: number;
  /** The built web app, served at / when present. */
  webDir?: string;
  /** Routers of other features (jobs, git), mounted before the fallbacks. */
  extraRoutes?: Router[];
}

/** Builds the HTTP app without listening, so tests drive it directly. */
export function createApp(deps: AppDeps): Express {
  const app = express();
  app.disable('x-powered-by');
  app.set('trust proxy', 'loopback');
  app.use(
    helmet({
      contentSecurityPolicy: {
        directives: {
          'connect-src': ["'self'", 'ws:', 'wss:'],
          'img-src': ["'self'", 'data:'],
          // The form validates with ajv, which compiles each item's schema into a function.
          'script-src': ["'self'", "'unsafe-eval'"],
          // Shelf is often served over plain HTTP inside a network; upgrading would break it there.
          'upgrade-insecure-requests': null,
        },
      },
    }),
  );
  app.use(pinoHttp({ logger: deps.logger, autoLogging: { ignore: (req) => req.url === '/healthz' || req.url === '/metrics' } }));
  app.use((req, res, next) => {
    const end = deps.metrics.httpDuration.startTimer();
    res.on('finish', () => {
      const route = (req.route as { path?: string } | undefined)?.path ?? (req.path.startsWith('/api') ? 'unmatched' : 'static');
      end({ method: req.method, route, status: String(res.statusCode) });
    });
    next();
  });
  const json = express.json({ limit: deps.maxJsonBytes });
  // The Git webhook checks an HMAC over the exact bytes received, so its route reads the raw body itself.
  app.use('/api', (req, res, next) => (req.originalUrl.split('?')[0] === gitWebhookPath ? next() : json(req, res, next)));

  app.use(operationsRoutes({ metrics: deps.metrics, readiness: deps.readiness }));
  app.use(schemaRoutes());
  app.use(catalogRoutes(deps));
  app.use(bundleRoutes(deps));
  for (const router of deps.extraRoutes ?? []) app.use(router);
  app.use('/api', (req) => {
    throw new NotFoundError('route', `${req.method} ${req.originalUrl}`);
  });

  if (deps.webDir && existsSync(path.join(deps.webDir, 'index.html'))) {
    const webDir = deps.webDir;
    app.use(express.static(webDir, { index: false, maxAge: '1h' }));
    // The single-page app owns every other path.
    app.get(/^(?!\/api\/|\/ws\/).*/, (_req, res) => res.sendFile(path.join(webDir, 'index.html')));
  }

  app.use(errorMiddleware);
  return app;
}
