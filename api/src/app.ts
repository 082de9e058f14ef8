import { existsSync } from 'node:fs';
import path from 'node:path';
import express, { type Express, type RequestHandler } from 'express';
import helmet from 'helmet';
import { pinoHttp } from 'pino-http';
import { auditTrail, authenticate, hostCheck } from './auth/httpGuards.js';
import type { AuthServices } from './auth/index.js';
import { assertEveryRouteGuarded } from './auth/routeTable.js';
import { cspDirectives } from './contentSecurityPolicy.js';
import { assertEveryRouteDocumented } from './openapi/routeCoverage.js';
import { apiDocsRoutes } from './routes/apiDocs.js';
import { errorMiddleware, NotFoundError } from './errors.js';
import type { GitServices } from './git/index.js';
import type { JobServices } from './jobs/index.js';
import type { Logger } from './logger.js';
import type { Metrics } from './metrics.js';
import type { NotifyServices } from './notify/index.js';
import { auditRoutes } from './routes/audit.js';
import { authRoutes } from './routes/auth.js';
import { bundleRoutes } from './routes/bundles.js';
import { itemGrantRoutes } from './routes/itemGrants.js';
import { catalogRoutes } from './routes/catalog.js';
import { gitRoutes, gitWebhookPath } from './routes/git.js';
import { jobRoutes } from './routes/jobs.js';
import { meRoutes } from './routes/me.js';
import { operationsRoutes, type ReadinessCheck } from './routes/operations.js';
import { schemaRoutes } from './routes/schemas.js';
import { tokenRoutes } from './routes/tokens.js';
import { userRoutes } from './routes/users.js';
import { webhookRoutes } from './routes/webhooks.js';
import { secretRoutes } from './routes/secrets.js';
import type { SecretServices } from './secrets/index.js';
import { scheduleRoutes } from './routes/schedules.js';
import type { ScheduleServices } from './schedules/index.js';
import type { PresetServices } from './presets/index.js';
import type { CatalogServices } from './services.js';
import { workerRoutes } from './routes/workers.js';
import type { WorkerServices } from './workers/index.js';
import { ValidatorModules } from './validators/validatorModules.js';

export interface AppDeps {
  logger: Logger;
  metrics: Metrics;
  readiness: ReadinessCheck[];
  maxJsonBytes: number;
  /** The built web app, served at / when present. */
  webDir?: string;
  auth: AuthServices;
  catalog: CatalogServices;
  /** Absent in tests of the catalog alone. */
  jobs?: JobServices;
  git?: { services: GitServices; webhookSecret: string | undefined };
  /** Webhooks, callbacks and mail; absent in tests that do not need them. */
  notify?: NotifyServices;
  /** Named secrets (admin). */
  secrets: SecretServices;
  /** Schedules and presets; absent where jobs are. */
  schedules?: { schedules: ScheduleServices; presets: PresetServices };
  /** The worker registry, drain and resume (admin). */
  workers: WorkerServices;
  /** The per-principal request limit of `/api` (requestRateLimit). */
  rateLimit: RequestHandler;
}

/** Builds the HTTP app without listening, so tests drive it directly. */
export function createApp(deps: AppDeps): Express {
  const app = express();
  app.disable('x-powered-by');
  app.set('trust proxy', 'loopback');
  app.use(helmet({ contentSecurityPolicy: { directives: cspDirectives } }));
  // Before anything else reads the request: a foreign Host is a rebound DNS name (SPEC §7).
  app.use(hostCheck(deps.auth.safety));
  app.use(
    pinoHttp({
      logger: deps.logger,
      autoLogging: { ignore: (req) => req.url === '/healthz' || req.url === '/metrics' },
      // An OIDC callback's query holds the authorization code: log the path alone.
      serializers: { req: (req: { url?: string }) => ({ ...req, url: req.url?.startsWith('/api/auth/oidc/') ? req.url.split('?')[0] : req.url }) },
    }),
  );
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

  app.use(auditTrail(deps.auth.audit, (err) => deps.logger.warn({ err: err.message }, 'could not write the audit log')));
  app.use(['/api', '/metrics'], authenticate(deps.auth.authenticator, deps.auth.safety));
  app.use('/api', deps.rateLimit);

  app.use(operationsRoutes({ metrics: deps.metrics, readiness: deps.readiness }));
  app.use(authRoutes(deps.auth));
  app.use(meRoutes(deps.auth));
  app.use(userRoutes(deps.auth));
  app.use(tokenRoutes(deps.auth));
  app.use(auditRoutes(deps.auth));
  app.use(schemaRoutes());
  app.use(apiDocsRoutes());
  app.use(catalogRoutes({ ...deps.catalog, metrics: deps.metrics, validators: new ValidatorModules(deps.catalog.store) }));
  app.use(itemGrantRoutes(deps.catalog));
  app.use(bundleRoutes(deps.catalog));
  if (deps.jobs) app.use(jobRoutes({ jobs: deps.jobs }));
  if (deps.notify) app.use(webhookRoutes(deps.notify));
  app.use(secretRoutes(deps.secrets));
  if (deps.schedules) app.use(scheduleRoutes(deps.schedules));
  app.use(workerRoutes(deps.workers));
  if (deps.git) app.use(gitRoutes({ gitImports: deps.git.services.imports, webhookSecret: deps.git.webhookSecret }));
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
  assertEveryRouteGuarded(app);
  assertEveryRouteDocumented(app);
  return app;
}
