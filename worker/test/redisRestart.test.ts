import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { mkdtemp, rm } from 'node:fs/promises';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { WorkerHandle } from '../src/startWorker.js';
import { Image, createTestEnv, enqueueJob, publishItem, startTestWorker, waitFor, waitForState, type TestEnv } from './helpers.js';

/** A private redis-server we may stop and start again (the shared one is not ours to restart). */
class PrivateRedis {
  private process: ChildProcess | undefined;
  constructor(
    readonly port: number,
    private readonly dir: string,
  ) {}

  async start(): Promise<void> {
    this.process = spawn('redis-server', ['--port', String(this.port), '--bind', '127.0.0.1', '--dir', this.dir, '--appendonly', 'yes', '--save', ''], {
      stdio: 'ignore',
    });
    await waitFor('redis-server to listen', () => canConnect(this.port), 10_000);
  }

  async stop(): Promise<void> {
    if (!this.process || this.process.exitCode !== null) return;
    this.process.kill('SIGTERM'); // a clean shutdown: the AOF keeps the data, as a real restart would
    await once(this.process, 'exit');
  }
}

function canConnect(port: number): Promise<boolean | undefined> {
  return new Promise((resolve) => {
    const socket = net.connect(port, '127.0.0.1');
    socket.once('connect', () => {
      socket.destroy();
      resolve(true);
    });
    socket.once('error', () => resolve(undefined));
  });
}

async function freePort(): Promise<number> {
  const server = net.createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as net.AddressInfo;
  await new Promise((resolve) => server.close(resolve));
  return port;
}

let dir: string;
let redis: PrivateRedis;
let env: TestEnv;
let worker: WorkerHandle;

beforeAll(async () => {
  dir = await mkdtemp(path.join(os.tmpdir(), 'shelf-worker-redis-'));
  redis = new PrivateRedis(await freePort(), dir);
  await redis.start();
  env = await createTestEnv({ REDIS_URL: `redis://127.0.0.1:${redis.port}`, SHELF_HEARTBEAT_MS: '500' });
  worker = await startTestWorker(env);
}, 30_000);

afterAll(async () => {
  await worker?.close(0);
  await env?.cleanup();
  await redis?.stop();
  await rm(dir, { recursive: true, force: true });
});

describe('a Redis restart', { timeout: 60_000 }, () => {
  it('is survived: the same worker runs jobs before and after it', async () => {
    const item = await publishItem(env, { 'main.sh': 'echo ok' }, { image: Image.shell, command: ['bash', 'main.sh'] });
    expect((await waitForState(env, await enqueueJob(env, item))).state).toBe('SUCCEEDED');

    await redis.stop();
    await new Promise((resolve) => setTimeout(resolve, 1_000));
    await redis.start();

    const jobId = await enqueueJob(env, item);
    expect((await waitForState(env, jobId, undefined, 30_000)).state).toBe('SUCCEEDED');
    // And the heartbeat is back.
    await waitFor('the heartbeat', async () => (await env.redis.exists(env.keys.worker(worker.workerId))) === 1 || undefined, 10_000);
  });
});
