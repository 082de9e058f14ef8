import { execFile, spawn } from 'node:child_process';
import { mkdir, readdir, rm, rmdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { promisify } from 'node:util';
import type Docker from 'dockerode';
import { toOciSpec } from '../../worker/src/runners/ociSpec.js';
import { sandboxPolicy } from '../../worker/src/runners/sandboxPolicy.js';
import { now } from './stats.js';

const exec = promisify(execFile);
/** Where runc keeps the Shelf worker's state and this benchmark's own (see RuncRunner). */
export const RUNC_STATE_BASE = '/run/shelf-runc';

/**
 * A bare `runc run --bundle DIR ID` of `true` on the rootfs the Shelf worker unpacked, with the
 * very config.json Shelf writes (same policy, same seccomp profile): what runc itself costs.
 */
export class BareRunc {
  private count = 0;
  private constructor(
    private readonly dir: string,
    private readonly bundleTemplate: string,
    private readonly cgroupParent: string,
  ) {}

  static async prepare(docker: Docker, image: string, workerCache: string, tmp: string, tag: string): Promise<BareRunc> {
    const info = await docker.getImage(image).inspect();
    const rootfs = path.join(workerCache, 'rootfs', info.Id.replace(/^sha256:/, ''));
    const dir = path.join(RUNC_STATE_BASE, `${tag}-bare`);
    const job = path.join(tmp, 'bare-runc-job');
    await mkdir(path.join(job, 'bundle'), { recursive: true });
    await Promise.all([writeFile(path.join(job, 'input.json'), '{}'), writeFile(path.join(job, 'output.json'), '')]);
    const cgroupParent = `/shelf-runc/${tag}-bare`;
    const sandbox = sandboxPolicy(
      {
        jobId: 'bare',
        image,
        command: ['true'],
        bundleDir: path.join(job, 'bundle'),
        inputFile: path.join(job, 'input.json'),
        outputFile: path.join(job, 'output.json'),
        network: 'none',
        limits: { memoryBytes: 256 * 1024 * 1024, cpus: 1, pids: 64, timeoutSeconds: 600 },
      },
      { workerId: 'bench', installation: `${tag}-bare`, tmpSizeBytes: 64 * 1024 * 1024, maxFileBytes: 2 * 1024 * 1024 },
    );
    const spec = toOciSpec(sandbox, { rootfs, imageEnv: info.Config.Env ?? [], hostname: 'bare', cgroupsPath: `${cgroupParent}/CGROUP` });
    return new BareRunc(dir, JSON.stringify(spec), cgroupParent);
  }

  /** One run, bundle written and runc done: ms. */
  async run(): Promise<number> {
    const id = `bare-${++this.count}`;
    const t0 = now();
    const bundle = path.join(this.dir, 'bundles', id);
    await mkdir(bundle, { recursive: true });
    await writeFile(path.join(bundle, 'config.json'), this.bundleTemplate.replace('CGROUP', id));
    const code = await new Promise<number | null>((resolve, reject) => {
      const child = spawn('runc', ['--root', path.join(this.dir, 'state'), 'run', '--bundle', bundle, id], { stdio: ['ignore', 'ignore', 'inherit'] });
      child.once('error', reject);
      child.once('exit', resolve);
    });
    const ms = now() - t0;
    await rm(bundle, { recursive: true, force: true });
    if (code !== 0) throw new Error(`bare runc run exited ${code}`);
    return ms;
  }

  async cleanUp(): Promise<void> {
    await removeRuncState(this.dir, this.cgroupParent);
  }
}

/** Deletes every runc container under `dir` (state and bundles), then the folder and its cgroup parent. */
export async function removeRuncState(dir: string, cgroupParent: string): Promise<void> {
  const root = path.join(dir, 'state');
  for (const id of await readdir(root).catch(() => [] as string[])) {
    await exec('runc', ['--root', root, 'delete', '--force', id]).catch(() => undefined);
  }
  await rm(dir, { recursive: true, force: true });
  for (const controller of await readdir('/sys/fs/cgroup').catch(() => [] as string[])) {
    await rmdir(path.join('/sys/fs/cgroup', controller, cgroupParent)).catch(() => undefined);
  }
}
