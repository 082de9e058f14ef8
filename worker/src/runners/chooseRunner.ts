import { execFile } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { Writable } from 'node:stream';
import { promisify } from 'node:util';
import Docker from 'dockerode';
import type { Logger } from '../logger.js';
import { DockerRunner } from './docker.js';
import { RootfsCache } from './rootfsCache.js';
import { RuncRunner } from './runc.js';
import type { Runner } from './runner.js';
import type { SandboxPolicy } from './sandboxPolicy.js';

const exec = promisify(execFile);

export type RunnerChoice = 'docker' | 'runc' | 'auto';

export interface RunnerSettings {
  choice: RunnerChoice;
  policy: SandboxPolicy;
  /** The worker cache: unpacked images go to `<cacheDir>/rootfs`. */
  cacheDir: string;
  /** Base of runc's state and bundles (one folder per installation below it). */
  runcStateBase: string;
  /** Images to probe runc with, the first one Docker has. */
  probeImages: readonly string[];
}

export interface ChosenRunner {
  runner: Runner;
  name: 'docker' | 'runc';
}

/** Builds the runner SHELF_RUNNER asks for; `auto` takes runc when a probe job runs on it, and says why not otherwise. */
export async function chooseRunner(settings: RunnerSettings, logger: Logger, docker = new Docker()): Promise<ChosenRunner> {
  const dockerRunner = new DockerRunner(docker, settings.policy, logger);
  if (settings.choice === 'docker') {
    logger.info({ runner: 'docker' }, 'runner: docker (SHELF_RUNNER=docker)');
    return { runner: dockerRunner, name: 'docker' };
  }
  const started = Date.now();
  try {
    const runc = await createRuncRunner(settings, dockerRunner, docker, logger);
    logger.info({ runner: 'runc', probeMs: Date.now() - started }, `runner: runc (SHELF_RUNNER=${settings.choice}; a probe job ran on it); jobs with network still run on Docker`);
    return { runner: runc, name: 'runc' };
  } catch (err) {
    const reason = err instanceof Error ? err.message : String(err);
    if (settings.choice === 'runc') throw new Error(`SHELF_RUNNER=runc, but runc cannot run jobs here: ${reason}`);
    logger.info({ runner: 'docker', reason }, `runner: docker (SHELF_RUNNER=auto; runc is not usable here: ${reason})`);
    return { runner: dockerRunner, name: 'docker' };
  }
}

async function createRuncRunner(settings: RunnerSettings, fallback: Runner, docker: Docker, logger: Logger): Promise<RuncRunner> {
  if (process.getuid?.() !== 0) throw new Error('the worker does not run as root (rootless runc is not supported)');
  const runc = await which('runc');
  const rootfs = new RootfsCache(docker, path.join(settings.cacheDir, 'rootfs'), logger);
  await rootfs.open();
  const runner = new RuncRunner(settings.policy, { runc, stateDir: RuncRunner.stateDirFor(settings.runcStateBase, settings.policy.installation), rootfs, fallback }, logger);
  await runner.ping();
  await probe(runner, docker, settings.probeImages);
  return runner;
}

/** Runs `true` in the sandbox, exactly as a job would run: every part of the policy has to work. */
async function probe(runner: RuncRunner, docker: Docker, images: readonly string[]): Promise<void> {
  let image: string | undefined;
  for (const candidate of images) {
    if (await docker.getImage(candidate).inspect().then(() => true, () => false)) {
      image = candidate;
      break;
    }
  }
  if (!image) throw new Error(`none of ${images.join(', ')} is built, so there is nothing to probe runc with`);
  const dir = await mkdtemp(path.join(os.tmpdir(), 'shelf-runc-probe-'));
  try {
    const inputFile = path.join(dir, 'input.json');
    const outputFile = path.join(dir, 'output.json');
    await Promise.all([writeFile(inputFile, '{}'), writeFile(outputFile, '')]);
    let said = '';
    const sink = () => new Writable({ write: (chunk: Buffer, _e, done) => ((said = (said + chunk.toString()).slice(-500)), done()) });
    const result = await runner.run(
      {
        jobId: `probe-${process.pid}`,
        image,
        command: ['true'],
        bundleDir: dir,
        inputFile,
        outputFile,
        network: 'none',
        limits: { memoryBytes: 64 * 1024 * 1024, cpus: 0.5, pids: 16, timeoutSeconds: 30 },
      },
      { stdout: sink(), stderr: sink(), started: () => undefined },
      new AbortController().signal,
    );
    if (result.exitCode !== 0) throw new Error(`a probe job exited with ${result.exitCode}: ${said.trim()}`);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

async function which(binary: string): Promise<string> {
  for (const dir of (process.env.PATH ?? '').split(':').concat(['/usr/sbin', '/usr/bin', '/sbin', '/bin'])) {
    const candidate = path.join(dir, binary);
    if (await exec(candidate, ['--version']).then(() => true, () => false)) return candidate;
  }
  throw new Error(`${binary} is not installed`);
}
