import { Writable } from 'node:stream';
import { finished } from 'node:stream/promises';
import type Docker from 'dockerode';
import { PermanentInfraError } from '../errors.js';
import type { Logger } from '../logger.js';
import { containerSpec } from './containerSpec.js';
import { Label, type SandboxPolicy } from './sandboxPolicy.js';
import type { RunOutput, RunResult, Runner, RunSpec } from './runner.js';

/** After the process exits, how long the rest of its output may take to arrive. */
const OUTPUT_DRAIN_MS = 30_000;

/** Runs each job in a fresh Docker container, removed whatever happens. */
export class DockerRunner implements Runner {
  /** Images known to exist: inspected once, not per job. */
  private readonly knownImages = new Set<string>();
  /** The engine's CPU count: Docker refuses a CPU quota above it. */
  private hostCpus: number | undefined;

  constructor(
    private readonly docker: Docker,
    private readonly policy: SandboxPolicy,
    private readonly logger: Logger,
  ) {}

  async ping(): Promise<void> {
    await this.docker.ping();
  }

  async run(spec: RunSpec, output: RunOutput, signal: AbortSignal): Promise<RunResult> {
    await this.ensureImage(spec.image);
    this.hostCpus ??= (await this.docker.info()).NCPU as number;
    const limits = { ...spec.limits, cpus: Math.min(spec.limits.cpus, this.hostCpus ?? spec.limits.cpus) };
    const creating = Date.now();
    const container = await this.docker.createContainer(containerSpec({ ...spec, limits }, this.policy)).catch((err: unknown) => {
      // Docker refusing the settings (say, a limit below its minimum) will refuse them again.
      if (statusOf(err) === 400) throw new PermanentInfraError(`Docker refused the container: ${(err as Error).message}`);
      if (statusOf(err) === 404) {
        this.knownImages.delete(spec.image); // removed since we last looked
        throw new Error(`image ${spec.image} is not available on this worker host`);
      }
      throw err;
    });
    try {
      // Attached before start, so not a byte of output is missed.
      const stream = await container.attach({ stream: true, stdout: true, stderr: true });
      const streamed = this.pipeOutput(stream, output);
      streamed.catch(() => undefined); // awaited below; if we never get there, removing the container ends it
      if (signal.aborted) {
        (stream as unknown as { destroy(): void }).destroy();
        await streamed.catch(() => undefined);
        return { exitCode: -1, oomKilled: false, timedOut: false, aborted: true, durationMs: 0 };
      }
      let timedOut = false;
      let aborted = false;
      const kill = () => void container.kill().catch(() => undefined); // already gone: nothing to kill
      const timer = setTimeout(() => {
        timedOut = true;
        kill();
      }, spec.limits.timeoutSeconds * 1000);
      const onAbort = () => {
        aborted = true;
        kill();
      };
      signal.addEventListener('abort', onAbort, { once: true });
      const startedAt = Date.now();
      try {
        await container.start();
        output.started(Date.now() - creating);
        if (aborted || timedOut) kill(); // asked for while it was starting, when there was nothing to kill yet
        await container.wait();
      } finally {
        clearTimeout(timer);
        signal.removeEventListener('abort', onAbort);
      }
      const durationMs = Date.now() - startedAt;
      await this.drain(streamed, stream, spec.jobId);
      const { State } = await container.inspect();
      return { exitCode: State.ExitCode, oomKilled: State.OOMKilled, timedOut, aborted, durationMs };
    } finally {
      await container.remove({ force: true }).catch((err: unknown) => {
        if (statusOf(err) !== 404) this.logger.warn({ err, jobId: spec.jobId }, 'could not remove container; the sweep will');
      });
    }
  }

  async removeJob(jobId: string): Promise<number> {
    return this.removeWhere([`${Label.job}=${jobId}`], () => Promise.resolve(true));
  }

  async sweepOrphans(isAlive: (workerId: string) => Promise<boolean>): Promise<number> {
    return this.removeWhere([Label.job], async (labels) => {
      const owner = labels[Label.worker];
      return owner !== this.policy.workerId && !(owner && (await isAlive(owner)));
    });
  }

  private async removeWhere(labels: string[], shouldRemove: (labels: Record<string, string>) => Promise<boolean>): Promise<number> {
    const containers = await this.docker.listContainers({
      all: true,
      filters: { label: [...labels, `${Label.installation}=${this.policy.installation}`] },
    });
    let removed = 0;
    for (const info of containers) {
      if (!(await shouldRemove(info.Labels))) continue;
      try {
        await this.docker.getContainer(info.Id).remove({ force: true });
        removed += 1;
        this.logger.info({ container: info.Id, jobId: info.Labels[Label.job], owner: info.Labels[Label.worker] }, 'removed orphaned container');
      } catch (err) {
        if (statusOf(err) !== 404) throw err;
      }
    }
    return removed;
  }

  private async ensureImage(image: string): Promise<void> {
    if (this.knownImages.has(image)) return;
    try {
      await this.docker.getImage(image).inspect();
    } catch (err) {
      // A transient error for BullMQ to retry: the image may still be building or loading.
      if (statusOf(err) === 404) throw new Error(`image ${image} is not available on this worker host`);
      throw err;
    }
    this.knownImages.add(image);
  }

  /**
   * Demultiplexes Docker's stdout/stderr stream into `output`. demuxStream ignores
   * backpressure, so the source is paused whenever a target is full: a job printing
   * faster than we store waits in its pipe instead of filling our memory.
   */
  private pipeOutput(stream: NodeJS.ReadableStream, output: RunOutput): Promise<void> {
    let blocked = 0;
    const gate = (target: Writable) =>
      new Writable({
        write(chunk: Buffer, _encoding, done) {
          if (!target.write(chunk)) {
            if (blocked++ === 0) stream.pause();
            target.once('drain', () => {
              if (--blocked === 0) stream.resume();
            });
          }
          done();
        },
      });
    this.docker.modem.demuxStream(stream, gate(output.stdout), gate(output.stderr));
    return new Promise<void>((resolve, reject) => {
      stream.once('end', resolve);
      stream.once('close', resolve);
      stream.once('error', reject);
    }).finally(async () => {
      output.stdout.end();
      output.stderr.end();
      await Promise.all([finished(output.stdout), finished(output.stderr)]);
    });
  }

  /** Waits for the output after the exit; a stream that never ends is cut off rather than waited on forever. */
  private async drain(streamed: Promise<void>, stream: NodeJS.ReadableStream, jobId: string): Promise<void> {
    let timer: NodeJS.Timeout | undefined;
    const late = new Promise<'late'>((resolve) => (timer = setTimeout(() => resolve('late'), OUTPUT_DRAIN_MS)));
    try {
      if ((await Promise.race([streamed, late])) === 'late') {
        this.logger.warn({ jobId }, 'container output did not end after exit; dropping the rest');
        (stream as unknown as { destroy(): void }).destroy();
        await streamed.catch(() => undefined);
      }
    } finally {
      clearTimeout(timer);
    }
  }
}

function statusOf(err: unknown): number | undefined {
  return (err as { statusCode?: number } | null)?.statusCode;
}
