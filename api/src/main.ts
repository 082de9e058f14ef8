import http from 'node:http';
import { Redis } from 'ioredis';
import { createApp } from './app.js';
import { loadConfig } from './config.js';
import { importExamples } from './imports/importExamples.js';
import { createLogger } from './logger.js';
import { createMetrics } from './metrics.js';
import { reindex } from './registry/reindex.js';
import { createCatalogServices } from './services.js';

const config = loadConfig();
const logger = createLogger(config.logLevel);

async function main() {
  // Retry forever: a Redis restart must not take the API down with it.
  const redis = new Redis(config.redisUrl, { maxRetriesPerRequest: 3, retryStrategy: (n) => Math.min(n * 200, 2000) });
  redis.on('error', (err) => logger.warn({ err: err.message }, 'redis connection problem'));
  const services = await createCatalogServices(redis, config);
  const metrics = createMetrics();

  const { restored, missingBundles } = await reindex({ ...services, logger });
  if (restored || missingBundles) logger.info({ restored, missingBundles }, 'registry rebuilt from the bundle store');
  if (config.importExamples) await importExamples(services.imports, config.examplesDir, logger);

  const app = createApp({
    ...services,
    logger,
    metrics,
    maxJsonBytes: config.maxJsonBytes,
    webDir: config.webDir,
    readiness: [{ name: 'redis', check: async () => void (await redis.ping()) }],
  });
  const server = http.createServer(app);
  if (config.host !== '127.0.0.1' && config.host !== '::1' && config.host !== 'localhost') {
    logger.warn({ host: config.host }, 'Shelf has no authentication yet and is listening beyond loopback: anyone who can reach this address can run jobs');
  }
  server.listen(config.port, config.host, () => logger.info({ url: `http://${config.host}:${config.port}` }, 'Shelf API listening'));

  const shutdown = (signal: string) => {
    logger.info({ signal }, 'shutting down');
    server.close(() => void redis.quit().finally(() => process.exit(0)));
    setTimeout(() => process.exit(1), 10_000).unref();
  };
  process.on('SIGTERM', () => shutdown('SIGTERM'));
  process.on('SIGINT', () => shutdown('SIGINT'));
}

main().catch((err: unknown) => {
  logger.fatal({ err }, 'Shelf API failed to start');
  process.exit(1);
});
