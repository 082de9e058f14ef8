import http from 'node:http';
import { Redis } from 'ioredis';
import { ConfigError } from '@shelf/contract';
import { startJobRetention } from '@shelf/records';
import { createApp } from './app.js';
import { loadConfig } from './config.js';
import { importExamples } from './imports/importExamples.js';
import { createGitServices } from './git/index.js';
import { createJobServices, registerJobMetrics, workerReadiness } from './jobs/index.js';
import { attachJobsWebSocket } from './live/wsGateway.js';
import { createLogger } from './logger.js';
import { createMetrics } from './metrics.js';
import { createNotifyServices } from './notify/index.js';
import { createSecretServices } from './secrets/index.js';
import { seedExampleSecrets } from './secrets/exampleSecrets.js';
import { createScheduleServices } from './schedules/index.js';
import { createPresetServices } from './presets/index.js';
import { InputValidator } from './jobs/inputValidator.js';
import { reindex } from './registry/reindex.js';
import { createAuthServices } from './auth/index.js';
import { createOidcLogin } from './auth/oidcLogin.js';
import { createCatalogServices } from './services.js';
import { requestRateLimit } from './auth/requestRateLimit.js';
import { createWorkerServices, registerWorkerMetrics } from './workers/index.js';

const config = (() => {
  try {
    return loadConfig();
  } catch (err) {
    // One sentence naming the setting, not a stack trace: this is the operator's mistake, not Shelf's.
    if (!(err instanceof ConfigError)) throw err;
    process.stderr.write(`shelf: ${err.message}\n`);
    process.exit(2);
  }
})();
const logger = createLogger(config.logLevel);

async function main() {
  // Reconnect for ever: a Redis restart must not take the API down with it.
  const redis = new Redis(config.redisUrl, { maxRetriesPerRequest: 3, retryStrategy: (n) => Math.min(n * 200, 2000) });
  redis.on('error', (err) => logger.warn({ err: err.message }, 'redis connection problem'));
  const services = await createCatalogServices(redis, config);
  const metrics = createMetrics();

  const { restored, missingBundles } = await reindex({ ...services, logger });
  if (restored || missingBundles) logger.info({ restored, missingBundles }, 'registry rebuilt from the bundle store');
  if (config.importExamples) await importExamples(services.imports, config.examplesDir, logger);

  const git = createGitServices(redis, { ...services, logger, metrics, gitAllow: config.gitAllow, bundlesDir: config.bundlesDir, syncTimeoutMs: config.gitSyncTimeoutMs });
  const stopGitSync = await git.startConsumer();
  const auth = await createAuthServices(redis, { keys: services.keys, settings: config.auth, logger, createOidc: (deps) => createOidcLogin(config.auth.oidc!, deps) });
  const notify = await createNotifyServices(redis, { ...config.notify, keys: services.keys, logger, audit: auth.audit, users: auth.users, publicUrl: config.auth.publicUrl, authKey: config.auth.authKey, dataDir: config.auth.dataDir, publications: services.publications });
  const stopNotify = await notify.start();
  const secrets = await createSecretServices(redis, { keys: services.keys, secretsKey: config.secretsKey, dataDir: config.auth.dataDir });
  if (config.importExamples) await seedExampleSecrets(secrets, logger);
  const jobs = await createJobServices(redis, { keys: services.keys, registry: services.registry, logger, maxLimits: config.maxLimits, allowedImages: config.runtimeRules.allowedImages, inputQuota: config.inputQuota, maxActiveJobsPerUser: config.maxActiveJobsPerUser, audit: auth.audit, callbacks: notify, secrets });
  registerJobMetrics(metrics.registry, { records: jobs.records, queues: jobs.queues, events: jobs.events, logger });
  const workers = createWorkerServices(redis, { keys: services.keys });
  registerWorkerMetrics(metrics.registry, { workers, logger });
  const schedules = await createScheduleServices(redis, { keys: services.keys, logger, box: secrets.box, minIntervalSeconds: config.minScheduleSeconds, jobs, users: auth.users, adminTokenEnabled: Boolean(config.auth.adminToken), audit: auth.audit });
  const stopSchedules = await schedules.start();
  const presets = createPresetServices(redis, { keys: services.keys, registry: services.registry, inputs: new InputValidator() });

  const app = createApp({
    logger,
    metrics,
    maxJsonBytes: config.maxJsonBytes,
    webDir: config.webDir,
    readiness: [{ name: 'redis', check: async () => void (await redis.ping()) }, workerReadiness(redis, services.keys)],
    auth,
    catalog: services,
    jobs,
    git: { services: git, webhookSecret: config.webhookSecret },
    notify,
    secrets,
    schedules: { schedules, presets },
    workers,
    rateLimit: requestRateLimit(redis, services.keys, config.rateLimits),
  });
  const server = http.createServer(app);
  const closeJobsSocket = attachJobsWebSocket(server, { events: jobs.events, logs: jobs.records, jobs: jobs.records, auth, logger, ...config.live });
  const stopRetention = startJobRetention(jobs.records, { retentionDays: config.jobRetentionDays, logger });

  if (!['127.0.0.1', '::1', 'localhost'].includes(config.host) && !config.auth.publicUrlGiven) {
    logger.warn({ host: config.host, publicUrl: config.auth.publicUrl }, 'Shelf listens beyond loopback but SHELF_PUBLIC_URL is not set: requests by any host name other than a loopback one are refused (400); set SHELF_PUBLIC_URL to the address people use');
  }
  server.listen(config.port, config.host, () => {
    logger.info({ url: `http://${config.host}:${config.port}`, publicUrl: config.auth.publicUrl }, 'Shelf API listening');
    void auth.firstStartLink().then((link) => {
      // One plain line, easy to spot and click in a terminal; the token is single-use and dies with the process.
      if (link) process.stdout.write(`\nNo users yet. Create the first admin account here (the link works once, until Shelf restarts):\n  ${link}\n\n`);
    });
  });

  let stopping = false;
  const shutdown = async (signal: string) => {
    if (stopping) return;
    stopping = true;
    logger.info({ signal }, 'shutting down');
    setTimeout(() => process.exit(1), 10_000).unref();
    stopRetention();
    await closeJobsSocket();
    await stopSchedules();
    await schedules.close();
    await jobs.close();
    await stopGitSync();
    await stopNotify();
    await notify.close();
    await git.close();
    server.closeIdleConnections();
    server.close(() => void redis.quit().finally(() => process.exit(0)));
  };
  process.on('SIGTERM', () => void shutdown('SIGTERM'));
  process.on('SIGINT', () => void shutdown('SIGINT'));
}

main().catch((err: unknown) => {
  if (err instanceof ConfigError) {
    process.stderr.write(`shelf: ${err.message}\n`);
    process.exit(2);
  }
  logger.fatal({ err }, 'Shelf API failed to start');
  process.exit(1);
});
