import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { z } from 'zod';

/** The project root: relative settings resolve against it, whatever the working directory. */
export const projectRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');

const csv = z
  .string()
  .transform((s) => s.split(',').map((x) => x.trim()).filter(Boolean));
const bytes = z.coerce.number().int().positive();

const Env = z.object({
  PORT: z.coerce.number().int().min(0).max(65535).default(8080),
  SHELF_HOST: z.string().default('127.0.0.1'),
  REDIS_URL: z.string().default('redis://127.0.0.1:6379'),
  SHELF_REDIS_PREFIX: z.string().regex(/^[A-Za-z0-9:_-]+$/).default('shelf'),
  SHELF_BUNDLES_DIR: z.string().default('bundles'),
  SHELF_LOCAL_ROOTS: csv.default(['catalog-examples']),
  SHELF_MAX_BUNDLE_BYTES: bytes.default(50 * 1024 * 1024),
  SHELF_MAX_JSON_BYTES: bytes.default(1024 * 1024),
  SHELF_IMPORT_EXAMPLES: z.enum(['true', 'false']).default('true').transform((v) => v === 'true'),
  SHELF_WEB_DIR: z.string().default('web/dist'),
  SHELF_LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
  SHELF_WEBHOOK_SECRET: z.string().optional(),
  SHELF_GIT_ALLOW: csv.default([]),
  SHELF_MAX_MEMORY: z.string().default('512Mi'),
  SHELF_MAX_CPUS: z.coerce.number().positive().default(1),
  SHELF_MAX_PIDS: z.coerce.number().int().positive().default(256),
  SHELF_MAX_TIMEOUT: z.coerce.number().int().positive().default(3600),
  SHELF_JOB_RETENTION_DAYS: z.coerce.number().positive().default(30),
});

export type Config = ReturnType<typeof loadConfig>;

/** Parses the environment once; a bad value stops the process with a sentence naming it. */
export function loadConfig(env: NodeJS.ProcessEnv = process.env) {
  const parsed = Env.safeParse(env);
  if (!parsed.success) {
    const issues = parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ');
    throw new Error(`invalid configuration: ${issues}`);
  }
  const e = parsed.data;
  const fromRoot = (p: string) => path.resolve(projectRoot, p);
  return {
    port: e.PORT,
    host: e.SHELF_HOST,
    redisUrl: e.REDIS_URL,
    redisPrefix: e.SHELF_REDIS_PREFIX,
    bundlesDir: fromRoot(e.SHELF_BUNDLES_DIR),
    localRoots: e.SHELF_LOCAL_ROOTS.map(fromRoot),
    maxBundleBytes: e.SHELF_MAX_BUNDLE_BYTES,
    maxJsonBytes: e.SHELF_MAX_JSON_BYTES,
    importExamples: e.SHELF_IMPORT_EXAMPLES,
    examplesDir: fromRoot('catalog-examples'),
    webDir: fromRoot(e.SHELF_WEB_DIR),
    logLevel: e.SHELF_LOG_LEVEL,
    webhookSecret: e.SHELF_WEBHOOK_SECRET,
    gitAllow: e.SHELF_GIT_ALLOW,
    maxLimits: {
      memory: e.SHELF_MAX_MEMORY,
      cpus: e.SHELF_MAX_CPUS,
      pids: e.SHELF_MAX_PIDS,
      timeoutSeconds: e.SHELF_MAX_TIMEOUT,
    },
    jobRetentionDays: e.SHELF_JOB_RETENTION_DAYS,
  };
}
