import { createServer } from 'node:http';
import { ConfigError } from '@shelf/contract';
import { loadConfig } from './config.js';
import { createLogger } from './logger.js';
import { startWorker } from './startWorker.js';

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
const logger = createLogger(config.logLevel, config.workerId);
const worker = await startWorker(config, logger);

if (config.metricsPort !== undefined) {
  const server = createServer((req, res) => {
    if (req.url !== '/metrics') {
      res.writeHead(404).end();
      return;
    }
    worker.metrics.registry.metrics().then(
      (text) => res.writeHead(200, { 'Content-Type': worker.metrics.registry.contentType }).end(text),
      (err: unknown) => res.writeHead(500).end(String(err)),
    );
  });
  server.listen(config.metricsPort, () => logger.info({ port: config.metricsPort }, 'metrics listening'));
  server.unref();
}

let stopping = false;
for (const signal of ['SIGTERM', 'SIGINT'] as const) {
  process.on(signal, () => {
    if (stopping) {
      logger.warn({ signal }, 'second signal: exiting now');
      process.exit(1);
    }
    stopping = true;
    logger.info({ signal, graceMs: config.shutdownGraceMs }, 'shutting down');
    // Whatever happens, do not outlive the grace period by much.
    setTimeout(() => process.exit(1), config.shutdownGraceMs + 15_000).unref();
    worker.close().then(
      () => process.exit(0),
      (err: unknown) => {
        logger.error({ err }, 'shutdown failed');
        process.exit(1);
      },
    );
  });
}
