import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { Writable } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createLogger } from '../src/logger.js';
import { DockerRunner } from '../src/runners/docker.js';
import { RootfsCache } from '../src/runners/rootfsCache.js';
import { RuncRunner } from '../src/runners/runc.js';
import type { RunSpec } from '../src/runners/runner.js';
import { Image, containersOfJob, createTestEnv, docker, waitFor, type TestEnv } from './helpers.js';

// What the Docker runner does by label, the runc runner does from its own state folder:
// a lost job's sandbox and a dead worker's sandboxes are found and removed.
let env: TestEnv;
let dir: string;
const logger = createLogger('silent', 'test');

beforeAll(async () => {
  env = await createTestEnv();
  dir = await mkdtemp(path.join(os.tmpdir(), 'shelf-runc-sweep-'));
  await Promise.all([writeFile(path.join(dir, 'input.json'), '{}'), writeFile(path.join(dir, 'output.json'), '')]);
});

afterAll(async () => {
  await env?.cleanup();
  await rm(dir, { recursive: true, force: true });
});

function runnerOf(workerId: string): RuncRunner {
  const policy = { workerId, installation: env.prefix, tmpSizeBytes: 16 * 1024 * 1024, maxFileBytes: 2 * 1024 * 1024 };
  const rootfs = new RootfsCache(docker, path.join(env.cacheDir, 'rootfs'), logger);
  return new RuncRunner(policy, { runc: 'runc', stateDir: RuncRunner.stateDirFor('/run/shelf-runc', env.prefix), rootfs, fallback: new DockerRunner(docker, policy, logger) }, logger);
}

function sleeper(runner: RuncRunner, jobId: string) {
  const spec: RunSpec = {
    jobId,
    image: Image.shell,
    command: ['sleep', '60'],
    bundleDir: dir,
    inputFile: path.join(dir, 'input.json'),
    outputFile: path.join(dir, 'output.json'),
    network: 'none',
    limits: { memoryBytes: 64 * 1024 * 1024, cpus: 0.5, pids: 16, timeoutSeconds: 60 },
  };
  const sink = () => new Writable({ write: (_c, _e, done) => done() });
  return runner.run(spec, { stdout: sink(), stderr: sink(), started: () => undefined }, new AbortController().signal);
}

describe('the runc runner’s bookkeeping', { timeout: 60_000 }, () => {
  it('removes a lost job’s sandbox, and sweeps a dead worker’s but not a live one’s or its own', async () => {
    const ghost = runnerOf('ghost-worker');
    const alive = runnerOf('alive-worker');
    const self = runnerOf('self-worker');
    const runs = [sleeper(ghost, 'job-of-ghost'), sleeper(alive, 'job-of-alive'), sleeper(self, 'job-of-self'), sleeper(alive, 'job-lost')];
    for (const job of ['job-of-ghost', 'job-of-alive', 'job-of-self', 'job-lost']) {
      await waitFor(`${job} to run`, async () => (await containersOfJob(job)).length === 1);
    }
    expect((await containersOfJob('job-of-ghost'))[0]).toMatchObject({ runner: 'runc', Labels: { 'shelf.worker': 'ghost-worker' } });

    expect(await self.removeJob('job-lost')).toBe(1);
    expect(await self.sweepOrphans(async (workerId) => workerId === 'alive-worker')).toBe(1);
    expect(await containersOfJob('job-lost')).toEqual([]);
    expect(await containersOfJob('job-of-ghost')).toEqual([]);
    expect(await containersOfJob('job-of-alive')).toHaveLength(1);
    expect(await containersOfJob('job-of-self')).toHaveLength(1);
    // The runs whose sandbox was removed under them end as killed.
    expect(await runs[0]).toMatchObject({ exitCode: 137 });
    expect(await runs[3]).toMatchObject({ exitCode: 137 });

    expect(await self.removeJob('job-of-alive')).toBe(1);
    expect(await self.removeJob('job-of-self')).toBe(1);
    await Promise.all(runs);
  });
});
