// The Redis users docker-compose.yml documents, exactly as written there: a Redis of the test's
// own with those ACL rules (passwords filled in), the API signed in as shelf-api and the worker
// as shelf-worker with the worker token. Shelf works end to end; the worker user reaches nothing
// but what a worker needs.
import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { freePort } from '../scripts/testing/privateRedis.js';
import { asAdmin, startShelf, type RunningShelf } from './shelfProcess.js';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const passwords: Record<string, string> = {
  SHELF_REDIS_API_PASSWORD: 'api-0123456789abcdef0123456789abcdef',
  SHELF_REDIS_WORKER_PASSWORD: 'worker-0123456789abcdef0123456789abcdef',
};
const workerToken = 'e2e-worker-token-0123456789abcdef0123456789';

let redis: { port: number; child: ChildProcess };
let shelf: RunningShelf;
let tmp: string;

/**
 * The compose file's redis service, run as compose runs it: its `sh -c` command line (`$$` is
 * compose's escape for the container shell's `$`) with the passwords in the environment, on a
 * loopback port of the test's own and keeping nothing on disk.
 */
async function startComposeRedis(dir: string): Promise<{ port: number; child: ChildProcess }> {
  const compose = parse(await readFile(path.join(root, 'docker-compose.yml'), 'utf8'), { merge: true }) as { services: { redis: { command: string[] } } };
  const [shell, flag, script] = compose.services.redis.command;
  expect([shell, flag]).toEqual(['sh', '-c']);
  const port = await freePort();
  const line = `${script!.replaceAll('$$', '$')} --port ${port} --bind 127.0.0.1 --dir '${dir}' --appendonly no --save ''`;
  const child = spawn('sh', ['-c', line], { env: { ...process.env, ...passwords }, stdio: 'ignore' });
  const probe = new Redis(`redis://shelf-api:${passwords.SHELF_REDIS_API_PASSWORD}@127.0.0.1:${port}`, { lazyConnect: true, maxRetriesPerRequest: 0, retryStrategy: () => null });
  for (const deadline = Date.now() + 10_000; ; ) {
    try {
      await probe.connect();
      await probe.ping();
      break;
    } catch {
      probe.disconnect();
      if (child.exitCode !== null) throw new Error('the compose file\'s redis-server command exited at once: its --user rules do not parse');
      if (Date.now() > deadline) throw new Error(`redis-server did not answer on ${port} within 10 s`);
      await new Promise((r) => setTimeout(r, 100));
    }
  }
  probe.disconnect();
  return { port, child };
}

beforeAll(async () => {
  tmp = await mkdtemp(path.join(os.tmpdir(), 'shelf-acl-'));
  redis = await startComposeRedis(tmp);
  const url = (user: string, password: string) => `redis://${user}:${password}@127.0.0.1:${redis.port}`;
  // The prefix the rules are written for; this Redis is the test's own.
  shelf = await startShelf(
    { REDIS_URL: url('shelf-api', passwords.SHELF_REDIS_API_PASSWORD!), SHELF_WORKER_TOKEN: workerToken, SHELF_LOG_LEVEL: 'info' },
    { prefix: 'shelf', tmp: path.join(tmp, 'shelf') },
    // As in compose: the worker has its own user and the worker token, not the admin token.
    { REDIS_URL: url('shelf-worker', passwords.SHELF_REDIS_WORKER_PASSWORD!), SHELF_ADMIN_TOKEN: '', SHELF_BUNDLES_DIR: path.join(tmp, 'no-store') },
  );
}, 120_000);

afterAll(async () => {
  await shelf?.stop({ keep: true });
  if (redis && redis.child.exitCode === null) {
    redis.child.kill('SIGTERM');
    await once(redis.child, 'exit');
  }
  await rm(tmp, { recursive: true, force: true });
});

describe('Redis users as docker-compose.yml defines them', { timeout: 120_000 }, () => {
  it('run Shelf end to end: a job with a named secret runs on the worker, which fetched its bundle with the worker token', async () => {
    const res = await fetch(`${shelf.url}/api/jobs`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...asAdmin },
      body: JSON.stringify({ itemId: 'provision-database', inputs: { name: 'orders', team: 'payments', ownerEmail: 'ada@example.com', ownerPassword: 'a-secret-of-the-test', backups: true, retentionDays: 7 } }),
    });
    expect(res.status, await res.clone().text()).toBe(202);
    const { id } = (await res.json()) as { id: string };
    await expect
      .poll(async () => ((await (await fetch(`${shelf.url}/api/jobs/${id}`, { headers: asAdmin })).json()) as { state: string }).state, { timeout: 60_000, interval: 250 })
      .toBe('SUCCEEDED');
    const log = (await (await fetch(`${shelf.url}/api/jobs/${id}/logs`, { headers: asAdmin })).json()) as { items: { line: string }[] };
    expect(log.items.length).toBeGreaterThan(0);
    expect(shelf.output()).not.toMatch(/NOPERM/);
  });

  it('the worker user cannot read accounts, sessions, tokens or the audit log, nor write the catalog or secrets', async () => {
    const worker = new Redis(`redis://shelf-worker:${passwords.SHELF_REDIS_WORKER_PASSWORD}@127.0.0.1:${redis.port}`, { maxRetriesPerRequest: 1 });
    try {
      for (const read of [() => worker.hgetall('shelf:users'), () => worker.get('shelf:session:x'), () => worker.hgetall('shelf:token:x'), () => worker.lrange('shelf:audit', 0, -1), () => worker.hgetall('shelf:webhooks')]) {
        await expect(read()).rejects.toThrow(/NOPERM/);
      }
      await expect(worker.hset('shelf:catalog', 'x', '{}')).rejects.toThrow(/NOPERM/);
      await expect(worker.hset('shelf:secrets', 'x', '{}')).rejects.toThrow(/NOPERM/);
      await expect(worker.publish('shelf-other:events', 'x')).rejects.toThrow(/NOPERM/);
      await expect(worker.config('GET', 'dir')).rejects.toThrow(/NOPERM/);
      // What it needs, it has: the sealed named secrets and the catalog, read only.
      expect(Object.keys(await worker.hgetall('shelf:secrets'))).toContain('DB_ADMIN_PASSWORD');
      expect(Object.keys(await worker.hgetall('shelf:catalog')).length).toBeGreaterThan(0);
    } finally {
      worker.disconnect();
    }
  });

  it('the default user is off and the API user has no admin commands', async () => {
    const anonymous = new Redis(`redis://127.0.0.1:${redis.port}`, { maxRetriesPerRequest: 1, lazyConnect: true, enableReadyCheck: false });
    await expect(anonymous.connect().then(() => anonymous.get('shelf:catalog'))).rejects.toThrow(/NOAUTH|WRONGPASS|NOPERM/);
    anonymous.disconnect();
    const api = new Redis(`redis://shelf-api:${passwords.SHELF_REDIS_API_PASSWORD}@127.0.0.1:${redis.port}`, { maxRetriesPerRequest: 1 });
    try {
      await expect(api.flushall()).rejects.toThrow(/NOPERM/);
      await expect(api.get('other-app:key')).rejects.toThrow(/NOPERM/);
    } finally {
      api.disconnect();
    }
  });
});
