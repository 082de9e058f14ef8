import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { z } from 'zod';
import { ConfigError, defaultAllowedImages, MemoryQuantity, parseEnv } from '@shelf/contract';
import { parseRoleMap, type AuthSettings } from './auth/authSettings.js';
import { defaultStoreQuota } from './imports/storeQuota.js';
import { parseSecretsKey } from '@shelf/records';
import { defaultRequestRateLimits } from './auth/requestRateLimit.js';

/** The project root: relative settings resolve against it, whatever the working directory. */
export const projectRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');

const csv = z
  .string()
  .transform((s) => s.split(',').map((x) => x.trim()).filter(Boolean));
/** What one job's inputs, and all the stored jobs of one user, may hold in Redis. */
export const defaultInputQuota = { maxJobBytes: 1024 * 1024, maxUserBytes: 64 * 1024 * 1024 };
const bytes = z.coerce.number().int().positive();
/** Jobs one user may have queued, running or awaiting approval at once. */
export const defaultMaxActiveJobsPerUser = 20;
/** An optional secret; empty counts as unset (compose passes `${X:-}`). */
const secret = z.preprocess((v) => (v === '' ? undefined : v), z.string().min(32, 'must be at least 32 characters').optional());

const Env = z.object({
  PORT: z.coerce.number().int().min(0).max(65535).default(8080),
  SHELF_HOST: z.string().default('127.0.0.1'),
  REDIS_URL: z.string().default('redis://127.0.0.1:6379'),
  SHELF_REDIS_PREFIX: z.string().regex(/^[A-Za-z0-9:_-]+$/).default('shelf'),
  SHELF_BUNDLES_DIR: z.string().default('bundles'),
  SHELF_LOCAL_ROOTS: csv.default(['catalog-examples']),
  SHELF_MAX_BUNDLE_BYTES: bytes.default(50 * 1024 * 1024),
  SHELF_MAX_JSON_BYTES: bytes.default(1024 * 1024),
  SHELF_MAX_JOB_INPUT_BYTES: bytes.default(defaultInputQuota.maxJobBytes),
  SHELF_MAX_USER_INPUT_BYTES: bytes.default(defaultInputQuota.maxUserBytes),
  SHELF_MAX_STORE_BYTES: bytes.default(defaultStoreQuota.maxStoreBytes),
  SHELF_MAX_PUBLISHER_STORE_BYTES: bytes.default(defaultStoreQuota.maxPublisherStoreBytes),
  SHELF_MAX_VERSIONS_PER_ITEM: z.coerce.number().int().positive().default(defaultStoreQuota.maxVersionsPerItem),
  SHELF_IMPORT_EXAMPLES: z.enum(['true', 'false']).default('true').transform((v) => v === 'true'),
  SHELF_WEB_DIR: z.string().default('web/dist'),
  SHELF_LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
  SHELF_WEBHOOK_SECRET: z.string().optional(),
  SHELF_GIT_ALLOW: csv.default([]),
  SHELF_GIT_SYNC_TIMEOUT_SECONDS: z.coerce.number().int().positive().default(300),
  SHELF_ALLOWED_IMAGES: csv.pipe(z.array(z.string()).min(1, 'must name at least one image pattern')).default([...defaultAllowedImages]),
  SHELF_EGRESS_PUBLISHERS: csv.pipe(z.array(z.string().regex(/^(user|group|role|repo):.+/, 'entries are user:NAME, group:NAME, role:ROLE or repo:URL'))).default([]),
  SHELF_MAX_MEMORY: MemoryQuantity.default('512Mi'),
  SHELF_MAX_CPUS: z.coerce.number().positive().default(1),
  SHELF_MAX_PIDS: z.coerce.number().int().positive().default(256),
  SHELF_MAX_TIMEOUT: z.coerce.number().int().positive().default(3600),
  SHELF_JOB_RETENTION_DAYS: z.coerce.number().positive().default(30),
  SHELF_WS_MAX_CONNECTIONS: z.coerce.number().int().positive().default(1000),
  SHELF_WS_MAX_CONNECTIONS_PER_USER: z.coerce.number().int().positive().default(20),
  SHELF_PUBLIC_URL: z.url({ protocol: /^https?$/ }).optional(),
  SHELF_ALLOWED_HOSTS: csv.default([]),
  SHELF_ADMIN_TOKEN: secret,
  SHELF_WORKER_TOKEN: secret,
  SHELF_DATA_DIR: z.string().default('.shelf'),
  SHELF_AUTH_KEY: secret,
  SHELF_SESSION_IDLE_MINUTES: z.coerce.number().int().positive().default(12 * 60),
  SHELF_SESSION_MAX_HOURS: z.coerce.number().int().positive().default(7 * 24),
  SHELF_LOGIN_MAX_FAILURES: z.coerce.number().int().positive().default(5),
  SHELF_AUDIT_MAX_ENTRIES: z.coerce.number().int().min(1000).default(100_000),
  SHELF_OIDC_ISSUER: z.url().optional(),
  SHELF_OIDC_CLIENT_ID: z.string().min(1).optional(),
  SHELF_OIDC_CLIENT_SECRET: z.string().min(1).optional(),
  SHELF_OIDC_LABEL: z.string().min(1).max(60).default('single sign-on'),
  SHELF_OIDC_SCOPES: z.string().default('openid profile email'),
  SHELF_OIDC_GROUPS_CLAIM: z.string().min(1).default('groups'),
  SHELF_OIDC_ROLES: z.string().default(''),
  SHELF_NOTIFY_ALLOW: csv.default([]),
  SHELF_SMTP_URL: z.preprocess((v) => (v === '' ? undefined : v), z.url({ protocol: /^smtps?$/ }).optional()),
  SHELF_SECRETS_KEY: z.preprocess((v) => (v === '' ? undefined : v), z.string().optional()).superRefine((v, ctx) => {
    const parsed = v === undefined ? undefined : parseSecretsKey(v);
    if (parsed && 'problem' in parsed) ctx.addIssue({ code: 'custom', message: parsed.problem });
  }),
  SHELF_MIN_SCHEDULE_SECONDS: z.coerce.number().int().min(1).default(60),
  SHELF_MAIL_FROM: z.preprocess((v) => (v === '' ? undefined : v), z.string().min(3).max(320).optional()),
  SHELF_MAX_ACTIVE_JOBS_PER_USER: z.coerce.number().int().positive().default(defaultMaxActiveJobsPerUser),
  SHELF_RATE_LIMIT_PER_MINUTE: z.coerce.number().int().positive().default(defaultRequestRateLimits.perMinute),
  SHELF_UPLOAD_RATE_LIMIT_PER_MINUTE: z.coerce.number().int().positive().default(defaultRequestRateLimits.uploadsPerMinute),
});

export type Config = ReturnType<typeof loadConfig>;

/** Parses the environment once; a bad value stops the process with a sentence naming it. */
export function loadConfig(env: NodeJS.ProcessEnv = process.env) {
  const e = parseEnv(Env, env, 'API');
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
    gitSyncTimeoutMs: e.SHELF_GIT_SYNC_TIMEOUT_SECONDS * 1000,
    maxLimits: {
      memory: e.SHELF_MAX_MEMORY,
      cpus: e.SHELF_MAX_CPUS,
      pids: e.SHELF_MAX_PIDS,
      timeoutSeconds: e.SHELF_MAX_TIMEOUT,
    },
    jobRetentionDays: e.SHELF_JOB_RETENTION_DAYS,
    live: { maxConnections: e.SHELF_WS_MAX_CONNECTIONS, maxConnectionsPerUser: e.SHELF_WS_MAX_CONNECTIONS_PER_USER },
    inputQuota: { maxJobBytes: e.SHELF_MAX_JOB_INPUT_BYTES, maxUserBytes: e.SHELF_MAX_USER_INPUT_BYTES },
    storeQuota: { maxStoreBytes: e.SHELF_MAX_STORE_BYTES, maxPublisherStoreBytes: e.SHELF_MAX_PUBLISHER_STORE_BYTES, maxVersionsPerItem: e.SHELF_MAX_VERSIONS_PER_ITEM },
    runtimeRules: { allowedImages: e.SHELF_ALLOWED_IMAGES, egressPublishers: e.SHELF_EGRESS_PUBLISHERS },
    auth: authSettings(e),
    notify: notifySettings(e),
    /** Seals secret inputs and named secrets at rest; else `<SHELF_DATA_DIR>/secrets.key`, made on first start. */
    secretsKey: e.SHELF_SECRETS_KEY,
    /** A schedule may fire at most this often. */
    minScheduleSeconds: e.SHELF_MIN_SCHEDULE_SECONDS,
    /** Jobs one user may have queued, running or awaiting approval; one more is 429. */
    maxActiveJobsPerUser: e.SHELF_MAX_ACTIVE_JOBS_PER_USER,
    /** API requests per principal and minute, in all and of uploads and imports; past either, 429. */
    rateLimits: { perMinute: e.SHELF_RATE_LIMIT_PER_MINUTE, uploadsPerMinute: e.SHELF_UPLOAD_RATE_LIMIT_PER_MINUTE },
  };
}

/** Webhook URL rules and mail; mail is off unless SHELF_SMTP_URL is set, and then needs a sender. */
function notifySettings(e: z.infer<typeof Env>) {
  if (e.SHELF_SMTP_URL && !e.SHELF_MAIL_FROM) throw new ConfigError('the API cannot start: SHELF_SMTP_URL is set but SHELF_MAIL_FROM is not; set the sender address, e.g. "Shelf <shelf@example.org>"');
  return { allow: e.SHELF_NOTIFY_ALLOW, mail: e.SHELF_SMTP_URL ? { smtpUrl: e.SHELF_SMTP_URL, from: e.SHELF_MAIL_FROM! } : undefined };
}

function authSettings(e: z.infer<typeof Env>): AuthSettings {
  const oidcParts = [e.SHELF_OIDC_ISSUER, e.SHELF_OIDC_CLIENT_ID, e.SHELF_OIDC_CLIENT_SECRET];
  if (oidcParts.some(Boolean) && !oidcParts.every(Boolean)) {
    throw new ConfigError('the API cannot start: OIDC needs all of SHELF_OIDC_ISSUER, SHELF_OIDC_CLIENT_ID and SHELF_OIDC_CLIENT_SECRET');
  }
  // The admin token would win the comparison, so a worker given the same value would hold admin rights.
  if (e.SHELF_WORKER_TOKEN !== undefined && e.SHELF_WORKER_TOKEN === e.SHELF_ADMIN_TOKEN) {
    throw new ConfigError('the API cannot start: SHELF_WORKER_TOKEN must differ from SHELF_ADMIN_TOKEN, since workers run untrusted scripts and must not hold admin rights');
  }
  return {
    publicUrl: e.SHELF_PUBLIC_URL ?? `http://127.0.0.1:${e.PORT}`,
    publicUrlGiven: e.SHELF_PUBLIC_URL !== undefined,
    allowedHosts: e.SHELF_ALLOWED_HOSTS,
    adminToken: e.SHELF_ADMIN_TOKEN,
    workerToken: e.SHELF_WORKER_TOKEN,
    authKey: e.SHELF_AUTH_KEY,
    dataDir: path.resolve(projectRoot, e.SHELF_DATA_DIR),
    sessionIdleMs: e.SHELF_SESSION_IDLE_MINUTES * 60_000,
    sessionMaxMs: e.SHELF_SESSION_MAX_HOURS * 3_600_000,
    loginMaxFailures: e.SHELF_LOGIN_MAX_FAILURES,
    auditMaxEntries: e.SHELF_AUDIT_MAX_ENTRIES,
    oidc: e.SHELF_OIDC_ISSUER
      ? {
          issuer: e.SHELF_OIDC_ISSUER,
          clientId: e.SHELF_OIDC_CLIENT_ID!,
          clientSecret: e.SHELF_OIDC_CLIENT_SECRET!,
          label: e.SHELF_OIDC_LABEL,
          scopes: e.SHELF_OIDC_SCOPES,
          groupsClaim: e.SHELF_OIDC_GROUPS_CLAIM,
          roleMap: parseRoleMap(e.SHELF_OIDC_ROLES),
        }
      : undefined,
  };
}
