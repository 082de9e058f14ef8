import { Redis } from 'ioredis';
import { loadConfig } from './config.js';
import { createLogger } from './logger.js';
import { reindex } from './registry/reindex.js';
import { createCatalogServices } from './services.js';

/** `npm run reindex`: rebuild the registry in Redis from the bundle store. */
const config = loadConfig();
const logger = createLogger(config.logLevel);
const redis = new Redis(config.redisUrl);
const services = await createCatalogServices(redis, config);
const result = await reindex({ ...services, logger });
logger.info(result, 'reindex finished');
await redis.quit();
