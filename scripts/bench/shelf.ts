import { spawn, type ChildProcess } from 'node:child_process';
import { readFile, writeFile } from 'node:fs/promises';
import net from 'node:net';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { fileURLToPath } from 'node:url';
import { redisKeys, type RedisKeys } from '@shelf/contract';
import Docker from 'dockerode';
import { Redis } from 'ioredis';
import { removeRuncState, RUNC_STATE_BASE } from './bareRunc.js';

export const projectRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
export const REDIS_URL = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';
/** Every container the benchmark starts itself (the bare baselines) carries this label. */
export const BENCH_LABEL = 'shelf.bench';

/**
 * The bench Shelf's SHELF_ADMIN_TOKEN (the API wants ≥ 32 characters). Fixed, not secret: the
 * API under test listens on loopback only, for as long as the run lasts.
 */
export const BENCH_ADMIN_TOKEN = 'shelf-bench-admin-token-not-a-secret-0001';
/** Headers every request to the bench Shelf's API and WebSocket carries (never the bare baselines'). */
export const benchAuth: Readonly<Record<'authorization', string>> = { authorization: `Bearer ${BENCH_ADMIN_TOKEN}` };

/** The environment children inherit: ours, minus loader options a test runner may have set. */
export function childEnv(extra: Record<string, string> = {}): NodeJS.ProcessEnv {
  const { NODE_OPTIONS: _ignored, ...inherited } = process.env;
  return { ...inherited, ...extra };
}

export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = net.createServer();
    srv.listen(0, '127.0.0.1', () => {
      const { port } = srv.address() as net.AddressInfo;
      srv.close(() => resolve(port));
    });
    srv.on('error', reject);
  });
}

/** Children still running: if the benchmark dies, they must not live on (see below). */
const running = new Set<ChildProcess>();
process.once('exit', () => {
  for (const child of running) child.kill('SIGKILL');
});

/**
 * One child process running a TypeScript entry point. Started as `node --import tsx <entry>`
 * rather than through the tsx binary, so the pid is the process doing the work (its RSS is
 * what we report) and not a launcher in front of it.
 */
export class Child {
  private tail = '';
  readonly process: ChildProcess;

  constructor(
    readonly name: string,
    entry: string,
    env: NodeJS.ProcessEnv,
    args: string[] = [],
  ) {
    // BENCH_CPU_PROF=<dir>: every child writes a V8 CPU profile there when it exits (for `make it fast` work).
    const profile = process.env.BENCH_CPU_PROF ? ['--cpu-prof', `--cpu-prof-dir=${path.resolve(process.env.BENCH_CPU_PROF)}`] : [];
    this.process = spawn(process.execPath, [...profile, '--import', 'tsx', entry, ...args], { cwd: projectRoot, env, stdio: ['ignore', 'pipe', 'pipe'] });
    const keep = (d: Buffer) => (this.tail = (this.tail + d.toString()).slice(-8000));
    this.process.stdout!.on('data', keep);
    this.process.stderr!.on('data', keep);
    running.add(this.process);
    this.process.once('exit', () => running.delete(this.process));
  }

  get pid(): number {
    return this.process.pid!;
  }

  get exited(): boolean {
    return this.process.exitCode !== null || this.process.signalCode !== null;
  }

  output(): string {
    return this.tail;
  }

  /** Resolves with the first stdout line matching `pattern`. */
  waitForLine(pattern: RegExp, timeoutMs: number): Promise<RegExpMatchArray> {
    return new Promise((resolve, reject) => {
      let buffered = '';
      const timer = setTimeout(() => done(new Error(`${this.name}: no line matching ${pattern} within ${timeoutMs} ms:\n${this.tail}`)), timeoutMs);
      const onData = (d: Buffer) => {
        buffered += d.toString();
        const m = buffered.match(pattern);
        if (m) done(undefined, m);
      };
      const onExit = () => done(new Error(`${this.name} exited during start-up:\n${this.tail}`));
      const done = (err?: Error, m?: RegExpMatchArray) => {
        clearTimeout(timer);
        this.process.stdout!.off('data', onData);
        this.process.off('exit', onExit);
        if (err) reject(err);
        else resolve(m!);
      };
      this.process.stdout!.on('data', onData);
      this.process.once('exit', onExit);
    });
  }

  async stop(): Promise<void> {
    if (this.exited) return;
    const exited = new Promise<void>((resolve) => this.process.once('exit', () => resolve()));
    this.process.kill('SIGTERM');
    const killer = setTimeout(() => this.process.kill('SIGKILL'), 20_000);
    await exited;
    clearTimeout(killer);
  }

  /** Peak resident set (VmHWM) in bytes since start or since {@link resetPeakRss}. */
  async peakRss(): Promise<number> {
    const status = await readFile(`/proc/${this.pid}/status`, 'utf8');
    const kb = /VmHWM:\s+(\d+) kB/.exec(status)?.[1];
    if (!kb) throw new Error(`no VmHWM in /proc/${this.pid}/status`);
    return Number(kb) * 1024;
  }

  /** Starts a new peak-RSS window (Linux: writing 5 to clear_refs resets VmHWM). */
  async resetPeakRss(): Promise<void> {
    await writeFile(`/proc/${this.pid}/clear_refs`, '5');
  }
}

export type WorkerKind = 'docker' | 'runc' | 'noop';

export interface BenchShelfOptions {
  tmp: string;
  prefix: string;
  webhookSecret: string;
}

/**
 * A Shelf under test: the API as a child process, plus one worker at a time (the Docker
 * worker, or the same worker code with a runner that starts no container), all on their
 * own Redis prefix, bundle store and worker cache.
 */
export class BenchShelf {
  readonly keys: RedisKeys;
  readonly redis: Redis;
  readonly url: string;
  readonly wsUrl: string;
  readonly itemsDir: string;
  readonly gitDir: string;
  api!: Child;
  worker: Child | undefined;
  private workerCount = 0;
  private readonly env: NodeJS.ProcessEnv;

  private constructor(
    readonly opts: BenchShelfOptions,
    readonly port: number,
  ) {
    this.keys = redisKeys(opts.prefix);
    this.redis = new Redis(REDIS_URL, { maxRetriesPerRequest: null });
    this.url = `http://127.0.0.1:${port}`;
    this.wsUrl = `ws://127.0.0.1:${port}/ws/jobs`;
    this.itemsDir = path.join(opts.tmp, 'items');
    this.gitDir = path.join(opts.tmp, 'git');
    this.env = childEnv({
      REDIS_URL,
      PORT: String(port),
      SHELF_REDIS_PREFIX: opts.prefix,
      SHELF_BUNDLES_DIR: path.join(opts.tmp, 'bundles'),
      SHELF_WORKER_CACHE: path.join(opts.tmp, 'worker-cache'),
      SHELF_API_URL: this.url,
      SHELF_IMPORT_EXAMPLES: 'false',
      SHELF_LOCAL_ROOTS: this.itemsDir,
      SHELF_LOG_LEVEL: 'warn',
      SHELF_WEBHOOK_SECRET: opts.webhookSecret,
      SHELF_GIT_ALLOW: `file://${this.gitDir}/`,
      SHELF_ADMIN_TOKEN: BENCH_ADMIN_TOKEN,
      // The worker prefers SHELF_API_TOKEN to SHELF_ADMIN_TOKEN: one inherited from our env must not win.
      SHELF_API_TOKEN: BENCH_ADMIN_TOKEN,
      // The API's generated key file goes with the rest of this run's files.
      SHELF_DATA_DIR: path.join(opts.tmp, 'data'),
      // The bench is one principal sending what a whole team would: the fair-use limits measure
      // nothing here, and would turn its load into 429s.
      SHELF_MAX_ACTIVE_JOBS_PER_USER: '1000000',
      SHELF_RATE_LIMIT_PER_MINUTE: '100000000',
      SHELF_UPLOAD_RATE_LIMIT_PER_MINUTE: '100000000',
    });
  }

  static async start(opts: BenchShelfOptions): Promise<BenchShelf> {
    const shelf = new BenchShelf(opts, await freePort());
    await shelf.startApi();
    return shelf;
  }

  /** A fresh API process on the same port and data: its memory then reflects only what comes next. */
  async restartApi(): Promise<void> {
    await this.api.stop();
    await this.startApi();
  }

  private async startApi(): Promise<void> {
    this.api = new Child('api', 'api/src/main.ts', this.env);
    const deadline = Date.now() + 60_000;
    for (;;) {
      const ok = await fetch(`${this.url}/healthz`).then((r) => r.ok, () => false);
      if (ok) break;
      if (this.api.exited || Date.now() > deadline) throw new Error(`the Shelf API did not start:\n${this.api.output()}`);
      await sleep(200);
    }
  }

  /** Replaces the running worker (if any) with one of `kind` at `concurrency`; resolves once it beats. */
  async startWorker(kind: WorkerKind, concurrency: number): Promise<void> {
    await this.stopWorker();
    const workerId = `bench-${kind}-c${concurrency}-${++this.workerCount}`;
    const entry = kind === 'noop' ? 'scripts/bench/noopWorker.ts' : 'worker/src/main.ts';
    const runner = kind === 'runc' ? 'runc' : 'docker';
    const worker = new Child(`worker ${workerId}`, entry, { ...this.env, SHELF_WORKER_ID: workerId, SHELF_WORKER_CONCURRENCY: String(concurrency), SHELF_RUNNER: runner });
    this.worker = worker;
    const deadline = Date.now() + 60_000;
    while (!(await this.redis.exists(this.keys.worker(workerId)))) {
      if (worker.exited || Date.now() > deadline) throw new Error(`the worker did not start:\n${worker.output()}`);
      await sleep(100);
    }
  }

  async stopWorker(): Promise<void> {
    await this.worker?.stop();
    this.worker = undefined;
  }

  /** Stops everything and removes every key, container and file this Shelf made. */
  async stop(): Promise<void> {
    await this.stopWorker().catch(() => undefined);
    await this.api?.stop().catch(() => undefined);
    const docker = new Docker();
    const left = await docker
      .listContainers({ all: true, filters: { label: [`shelf.installation=${this.opts.prefix}`] } })
      .catch(() => [] as Docker.ContainerInfo[]);
    await Promise.all(left.map((c) => docker.getContainer(c.Id).remove({ force: true }).catch(() => undefined)));
    await removeRuncState(path.join(RUNC_STATE_BASE, this.opts.prefix), `/shelf-runc/${this.opts.prefix}`);
    await deleteKeys(this.redis, `${this.opts.prefix}:*`);
    await this.redis.quit();
  }
}

/** SCAN + UNLINK rather than KEYS + DEL: other users of this Redis are not blocked meanwhile. */
export async function deleteKeys(redis: Redis, pattern: string): Promise<number> {
  let cursor = '0';
  let deleted = 0;
  do {
    const [next, batch] = await redis.scan(cursor, 'MATCH', pattern, 'COUNT', 5000);
    cursor = next;
    if (batch.length) deleted += await redis.unlink(...batch);
  } while (cursor !== '0');
  return deleted;
}
