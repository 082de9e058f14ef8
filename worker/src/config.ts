import { hostname } from 'node:os';
import path from 'node:path';
import { randomBytes } from 'node:crypto';
import { fileURLToPath } from 'node:url';
import { defaultAllowedImages, isWorkerLabel, maxWorkerLabels, MemoryQuantity, normalizeLabels, parseEnv, parseMemory } from '@shelf/contract';
import { z } from 'zod';
import { existsSync } from 'node:fs';
import { parseSecretsKey } from '@shelf/records';

/** The project root: relative settings resolve against it, whatever the working directory. */
export const projectRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');

const positiveInt = z.coerce.number().int().positive();
const memory = MemoryQuantity;
const csv = z.string().transform((s) => s.split(',').map((x) => x.trim()).filter(Boolean));

const Env = z.object({
  REDIS_URL: z.string().default('redis://127.0.0.1:6379'),
  SHELF_REDIS_PREFIX: z.string().regex(/^[A-Za-z0-9:_-]+$/).default('shelf'),
  SHELF_WORKER_ID: z.string().regex(/^[A-Za-z0-9._-]{1,100}$/).optional(),
  SHELF_WORKER_CONCURRENCY: positiveInt.max(64).default(2),
  /** Routing labels: this worker takes the jobs of items whose `runsOn` it covers (and those asking for none). */
  SHELF_WORKER_LABELS: csv
    .pipe(
      z
        .array(z.string().refine(isWorkerLabel, { error: (issue) => `"${String(issue.input)}" is not a label: lowercase letters, digits, ".", "_" and "-", at most 40, starting with a letter or digit` }))
        .max(maxWorkerLabels, `at most ${maxWorkerLabels} labels`),
    )
    .default([]),
  SHELF_BUNDLES_DIR: z.string().default('bundles'),
  SHELF_API_URL: z.url().default('http://127.0.0.1:8080'),
  /** A token (any role) the worker fetches bundles with when it does not share the API's store. */
  SHELF_API_TOKEN: z.preprocess((v) => (v === '' ? undefined : v), z.string().min(1).optional()),
  SHELF_ADMIN_TOKEN: z.preprocess((v) => (v === '' ? undefined : v), z.string().min(1).optional()),
  /** The API's SHELF_WORKER_TOKEN: it downloads bundles and can do nothing else. */
  SHELF_WORKER_TOKEN: z.preprocess((v) => (v === '' ? undefined : v), z.string().min(32, 'must be at least 32 characters').optional()),
  SHELF_WORKER_CACHE: z.string().default('.shelf/worker-cache'),
  SHELF_WORKER_CACHE_BYTES: memory.default('2Gi'),
  SHELF_ALLOWED_IMAGES: csv.pipe(z.array(z.string()).min(1, 'must name at least one image pattern')).default([...defaultAllowedImages]),
  SHELF_MAX_MEMORY: memory.default('512Mi'),
  SHELF_MAX_CPUS: z.coerce.number().positive().default(1),
  SHELF_MAX_PIDS: positiveInt.default(256),
  SHELF_MAX_TIMEOUT: positiveInt.default(3600),
  SHELF_MAX_LOG_BYTES: positiveInt.default(10 * 1024 * 1024),
  SHELF_MAX_LOG_LINES: positiveInt.default(250_000),
  SHELF_MAX_OUTPUT_BYTES: positiveInt.default(1024 * 1024),
  SHELF_TMP_SIZE: memory.default('64m'),
  SHELF_LOCK_MS: positiveInt.default(30_000),
  SHELF_STALLED_INTERVAL_MS: positiveInt.default(15_000),
  SHELF_HEARTBEAT_MS: positiveInt.default(5_000),
  SHELF_SWEEP_MS: positiveInt.default(30_000),
  SHELF_SHUTDOWN_GRACE_MS: z.coerce.number().int().min(0).default(30_000),
  SHELF_METRICS_PORT: z.coerce.number().int().min(0).max(65535).optional(),
  /** The API's SHELF_SECRETS_KEY; on the API's host the worker may read `<SHELF_DATA_DIR>/secrets.key` instead. */
  SHELF_SECRETS_KEY: z.preprocess((v) => (v === '' ? undefined : v), z.string().optional()).superRefine((v, ctx) => {
    const parsed = v === undefined ? undefined : parseSecretsKey(v);
    if (parsed && 'problem' in parsed) ctx.addIssue({ code: 'custom', message: parsed.problem });
  }),
  SHELF_DATA_DIR: z.string().default('.shelf'),
  /** Run folders (inputs with their secrets, secret files): a tmpfs, so secrets never reach a disk. */
  SHELF_WORKER_RUN_DIR: z.string().optional(),
  /** docker, runc (fail at start if it cannot run jobs), or auto: runc when a probe job runs on it, Docker otherwise. */
  SHELF_RUNNER: z.enum(['docker', 'runc', 'auto']).default('docker'),
  SHELF_LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
});

export type Config = ReturnType<typeof loadConfig>;

/** Parses the environment once; a bad value stops the process with a sentence naming it. */
export function loadConfig(env: NodeJS.ProcessEnv = process.env) {
  const e = parseEnv(Env, env, 'worker');
  const fromRoot = (p: string) => path.resolve(projectRoot, p);
  return {
    redisUrl: e.REDIS_URL,
    redisPrefix: e.SHELF_REDIS_PREFIX,
    // Random suffix: several workers may share a host and even a process (tests).
    workerId: e.SHELF_WORKER_ID ?? `${hostname()}-${process.pid}-${randomBytes(3).toString('hex')}`,
    concurrency: e.SHELF_WORKER_CONCURRENCY,
    labels: normalizeLabels(e.SHELF_WORKER_LABELS),
    bundlesDir: fromRoot(e.SHELF_BUNDLES_DIR),
    apiUrl: e.SHELF_API_URL.replace(/\/+$/, ''),
    // The worker token is preferred: a worker runs untrusted scripts, and it can only download bundles.
    apiToken: e.SHELF_WORKER_TOKEN ?? e.SHELF_API_TOKEN ?? e.SHELF_ADMIN_TOKEN,
    cacheDir: fromRoot(e.SHELF_WORKER_CACHE),
    runDir: e.SHELF_WORKER_RUN_DIR ? fromRoot(e.SHELF_WORKER_RUN_DIR) : defaultRunDir(fromRoot(e.SHELF_WORKER_CACHE)),
    secretsKey: e.SHELF_SECRETS_KEY,
    dataDir: fromRoot(e.SHELF_DATA_DIR),
    /** Unpacked bundles past this are evicted, least recently used first, once no job holds them. */
    cacheMaxBytes: parseMemory(e.SHELF_WORKER_CACHE_BYTES),
    /** Glob patterns (picomatch) of the images this worker runs; checked again at every run, whatever the API allowed at import. */
    allowedImages: e.SHELF_ALLOWED_IMAGES,
    /** The worker's own ceilings; the limits the API stored on the job are capped again by these. */
    maxLimits: {
      memoryBytes: parseMemory(e.SHELF_MAX_MEMORY),
      cpus: e.SHELF_MAX_CPUS,
      pids: e.SHELF_MAX_PIDS,
      timeoutSeconds: e.SHELF_MAX_TIMEOUT,
    },
    maxLogBytes: e.SHELF_MAX_LOG_BYTES,
    maxLogLines: e.SHELF_MAX_LOG_LINES,
    maxOutputBytes: e.SHELF_MAX_OUTPUT_BYTES,
    tmpSizeBytes: parseMemory(e.SHELF_TMP_SIZE),
    lockMs: e.SHELF_LOCK_MS,
    stalledIntervalMs: e.SHELF_STALLED_INTERVAL_MS,
    heartbeatMs: e.SHELF_HEARTBEAT_MS,
    sweepMs: e.SHELF_SWEEP_MS,
    shutdownGraceMs: e.SHELF_SHUTDOWN_GRACE_MS,
    metricsPort: e.SHELF_METRICS_PORT,
    runner: e.SHELF_RUNNER,
    /** runc's state and the jobs' bundles (config.json), one folder per installation below it. */
    runcStateBase: '/run/shelf-runc',
    logLevel: e.SHELF_LOG_LEVEL,
  };
}

/**
 * Run folders hold each job's inputs (secret ones in clear) and its secret files while it runs:
 * on Linux /dev/shm, a tmpfs, so none of it is ever written to a disk; the cache folder elsewhere.
 * Per user id, so workers of different users on one host do not collide.
 */
function defaultRunDir(cacheDir: string): string {
  return existsSync('/dev/shm') ? `/dev/shm/shelf-runs-${process.getuid?.() ?? 0}` : path.join(cacheDir, 'runs');
}
