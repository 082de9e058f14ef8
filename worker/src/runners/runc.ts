import { execFile, spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdir, readFile, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import type { Readable, Writable } from 'node:stream';
import { finished } from 'node:stream/promises';
import { promisify } from 'node:util';
import type { Logger } from '../logger.js';
import { toOciSpec } from './ociSpec.js';
import type { RootfsCache } from './rootfsCache.js';
import type { RunOutput, RunResult, Runner, RunSpec } from './runner.js';
import { Label, sandboxPolicy, type SandboxPolicy } from './sandboxPolicy.js';

const exec = promisify(execFile);
/** After the process exits, how long the rest of its output may take to arrive. */
const OUTPUT_DRAIN_MS = 30_000;
/** How often a kill is tried again while runc is still setting the container up (there is nothing to kill yet). */
const KILL_RETRY_MS = 50;

export interface RuncOptions {
  /** The runc binary. */
  runc: string;
  /** Where runc keeps its state and the jobs' bundles: Shelf's own, one per installation. */
  stateDir: string;
  rootfs: RootfsCache;
  /** Runs what runc does not: jobs with network (egress). */
  fallback: Runner;
}

/**
 * Runs each job with `runc run` on the image's shared, unpacked, read-only rootfs, under the
 * same sandbox policy as Docker (sandboxPolicy → toOciSpec). Its output goes straight to our
 * pipes: runc passes them to the process, and a full pipe blocks the job, not our memory.
 * Jobs that ask for network run on the fallback (Docker), which owns the bridge.
 */
export class RuncRunner implements Runner {
  private readonly root: string;
  private readonly bundles: string;
  private readonly cgroupParent: string;
  private readonly hostCpus = os.availableParallelism();

  constructor(
    private readonly policy: SandboxPolicy,
    private readonly opts: RuncOptions,
    private readonly logger: Logger,
  ) {
    this.root = path.join(opts.stateDir, 'state');
    this.bundles = path.join(opts.stateDir, 'bundles');
    this.cgroupParent = `/shelf-runc/${safeName(policy.installation)}`;
  }

  /** The state folder of an installation, under a base such as /run/shelf-runc. */
  static stateDirFor(base: string, installation: string): string {
    return path.join(base, safeName(installation));
  }

  /** runc answers, and so does Docker (it unpacks the images and runs the egress jobs). */
  async ping(): Promise<void> {
    await mkdir(this.root, { recursive: true });
    await Promise.all([exec(this.opts.runc, ['--root', this.root, 'list', '-q']), this.opts.fallback.ping()]);
  }

  async run(spec: RunSpec, output: RunOutput, signal: AbortSignal): Promise<RunResult> {
    if (spec.network !== 'none') {
      this.logger.info({ jobId: spec.jobId, network: spec.network }, 'job needs network: running it on Docker, not runc');
      return this.opts.fallback.run(spec, output, signal);
    }
    if (signal.aborted) return { exitCode: -1, oomKilled: false, timedOut: false, aborted: true, durationMs: 0 };
    const creating = Date.now();
    const lease = await this.opts.rootfs.acquire(spec.image);
    const id = `${safeName(spec.jobId)}+${safeName(this.policy.workerId)}+${randomBytes(3).toString('hex')}`;
    const bundle = path.join(this.bundles, id);
    try {
      const limits = { ...spec.limits, cpus: Math.min(spec.limits.cpus, this.hostCpus) };
      const cgroupsPath = `${this.cgroupParent}/${id}`;
      const config = toOciSpec(sandboxPolicy({ ...spec, limits }, this.policy), {
        rootfs: lease.rootfs,
        imageEnv: lease.env,
        hostname: spec.jobId.slice(0, 12),
        cgroupsPath,
      });
      await mkdir(bundle, { recursive: true });
      await writeFile(path.join(bundle, 'config.json'), JSON.stringify(config));
      const pidFile = path.join(bundle, 'pid');
      // --keep: the stopped container (and its cgroup, with the OOM count) stays until `delete`.
      const child = spawn(this.opts.runc, ['--root', this.root, 'run', '--keep', '--pid-file', pidFile, '--bundle', bundle, id], {
        stdio: ['ignore', 'pipe', 'pipe'],
      });
      const exited = new Promise<number>((resolve, reject) => {
        child.once('error', reject);
        child.once('exit', (code, sig) => resolve(code ?? 128 + (os.constants.signals[sig!] ?? 0)));
      });
      const streamed = Promise.all([pipeTo(child.stdout, output.stdout), pipeTo(child.stderr, output.stderr)]);
      streamed.catch(() => undefined); // awaited below
      const startedAt = Date.now();
      output.started(startedAt - creating);
      let timedOut = false;
      let aborted = false;
      let done = false;
      const kill = async () => {
        // Before runc has made the container there is nothing to kill: try again until it exits.
        while (!done) {
          const killed = await exec(this.opts.runc, ['--root', this.root, 'kill', id, 'KILL']).then(
            () => true,
            () => false,
          );
          if (killed) return;
          await new Promise((r) => setTimeout(r, KILL_RETRY_MS));
        }
      };
      const timer = setTimeout(() => {
        timedOut = true;
        void kill();
      }, spec.limits.timeoutSeconds * 1000);
      const onAbort = () => {
        aborted = true;
        void kill();
      };
      signal.addEventListener('abort', onAbort, { once: true });
      if (signal.aborted) onAbort(); // asked for while the bundle was being written
      let exitCode: number;
      try {
        exitCode = await exited;
      } finally {
        done = true;
        clearTimeout(timer);
        signal.removeEventListener('abort', onAbort);
      }
      const durationMs = Date.now() - startedAt;
      await this.drain(streamed, child.stdout, child.stderr, spec.jobId);
      // No pid file: the container never started, so the exit code is runc's, not the job's.
      const pid = await readFile(pidFile, 'utf8').catch(() => '');
      if (!pid && !aborted && !timedOut) throw new Error(`runc could not start the container (exit ${exitCode}); see the worker log`);
      const oomKilled = await this.oomKilled(cgroupsPath);
      return { exitCode: aborted && !pid ? -1 : exitCode, oomKilled, timedOut, aborted, durationMs };
    } finally {
      await this.delete(id);
      await rm(bundle, { recursive: true, force: true });
      lease.release();
    }
  }

  async removeJob(jobId: string): Promise<number> {
    const ours = await this.removeWhere(async (labels) => labels[Label.job] === jobId);
    return ours + (await this.opts.fallback.removeJob(jobId));
  }

  async sweepOrphans(isAlive: (workerId: string) => Promise<boolean>): Promise<number> {
    const ours = await this.removeWhere(async (labels) => {
      const owner = labels[Label.worker];
      return owner !== this.policy.workerId && !(owner && (await isAlive(owner)));
    });
    return ours + (await this.opts.fallback.sweepOrphans(isAlive));
  }

  private async removeWhere(shouldRemove: (labels: Record<string, string>) => Promise<boolean>): Promise<number> {
    await mkdir(this.root, { recursive: true });
    const { stdout } = await exec(this.opts.runc, ['--root', this.root, 'list', '--format', 'json']);
    const containers = (JSON.parse(stdout.trim() || 'null') ?? []) as Array<{ id: string; annotations?: Record<string, string> }>;
    let removed = 0;
    for (const c of containers) {
      const labels = c.annotations ?? {};
      if (labels[Label.installation] !== this.policy.installation || !(await shouldRemove(labels))) continue;
      await this.delete(c.id);
      await rm(path.join(this.bundles, c.id), { recursive: true, force: true });
      removed += 1;
      this.logger.info({ container: c.id, jobId: labels[Label.job], owner: labels[Label.worker] }, 'removed orphaned runc container');
    }
    return removed;
  }

  private async delete(id: string): Promise<void> {
    await exec(this.opts.runc, ['--root', this.root, 'delete', '--force', id]).catch((err: unknown) => {
      if (!/does not exist/.test(String((err as { stderr?: string }).stderr))) this.logger.warn({ err, container: id }, 'could not delete runc container; the sweep will');
    });
  }

  /** Whether the kernel killed a process of the container for memory: the cgroup's OOM kill count. */
  private async oomKilled(cgroupsPath: string): Promise<boolean> {
    const v1 = await readFile(path.join('/sys/fs/cgroup/memory', cgroupsPath, 'memory.oom_control'), 'utf8').catch(() => undefined);
    const text = v1 ?? (await readFile(path.join('/sys/fs/cgroup', cgroupsPath, 'memory.events'), 'utf8').catch(() => ''));
    return Number(/^oom_kill (\d+)$/m.exec(text)?.[1] ?? 0) > 0;
  }

  /** Waits for the output after the exit; pipes that never end are cut off rather than waited on forever. */
  private async drain(streamed: Promise<unknown>, stdout: Readable, stderr: Readable, jobId: string): Promise<void> {
    let timer: NodeJS.Timeout | undefined;
    const late = new Promise<'late'>((resolve) => (timer = setTimeout(() => resolve('late'), OUTPUT_DRAIN_MS)));
    try {
      if ((await Promise.race([streamed, late])) === 'late') {
        this.logger.warn({ jobId }, 'container output did not end after exit; dropping the rest');
        stdout.destroy();
        stderr.destroy();
        await streamed.catch(() => undefined);
      }
    } finally {
      clearTimeout(timer);
    }
  }
}

/** Copies with back-pressure (a full target pauses the pipe, so the job waits), then ends the target. */
async function pipeTo(source: Readable, target: Writable): Promise<void> {
  source.pipe(target);
  // A destroyed source (output cut off) never ends its target by itself.
  source.once('close', () => {
    if (!target.writableEnded) target.end();
  });
  await finished(target);
}

/** runc ids and cgroup names take letters, digits, `_`, `-` and `.`. */
function safeName(s: string): string {
  return s.replace(/[^\w.-]/g, '_');
}
